// Op project.context.set: describe the project. Omitted fields keep their value (seed bug L15 nulled them).
import { z } from 'zod';
import { LockstepError } from '../../errors.js';
import { defineOp } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import { META_PATH } from '../core/layout.js';
import { ProjectStatus, type Meta, type ProjectContext } from '../core/schema.js';

const list = (max: number) => z.array(z.string().trim().min(1).max(max)).max(200);

export const projectContextSet = defineOp({
  name: 'project.context.set',
  input: z.object({
    description: z.string().trim().min(1).max(20_000).optional(),
    endState: z.string().trim().min(1).max(20_000).optional(),
    techStack: list(500).optional(),
    constraints: list(2_000).optional(),
    acceptanceCriteria: list(2_000).optional(),
    tests: list(2_000).optional(),
    implementationPlan: list(4_000).optional(),
    preferredImplementer: z.enum(['claude', 'codex']).optional(),
    status: ProjectStatus.optional(),
  }),
  run(state, input, ctx) {
    const meta = state.meta();
    const prev = meta.project;
    const now = isoTime(ctx.now);
    const description = input.description ?? prev?.description;
    const endState = input.endState ?? prev?.endState;
    if (description === undefined || endState === undefined) {
      throw new LockstepError('INVALID_INPUT', 'description and endState are required the first time the project context is set');
    }
    const project: ProjectContext = {
      ...prev,
      description,
      endState,
      techStack: input.techStack ?? prev?.techStack ?? [],
      constraints: input.constraints ?? prev?.constraints ?? [],
      acceptanceCriteria: input.acceptanceCriteria ?? prev?.acceptanceCriteria ?? [],
      tests: input.tests ?? prev?.tests ?? [],
      implementationPlan: input.implementationPlan ?? prev?.implementationPlan ?? [],
      preferredImplementer: input.preferredImplementer ?? prev?.preferredImplementer,
      createdAt: prev?.createdAt ?? now,
      updatedAt: now,
      updatedBy: ctx.actor,
    };
    const next: Meta = { ...meta, project, projectStatus: input.status ?? meta.projectStatus };
    return {
      changes: [{ path: META_PATH, value: next }],
      result: { context: project, status: next.projectStatus },
      event: { subject: prev ? 'updated' : 'created', entities: ['project'] },
    };
  },
});
