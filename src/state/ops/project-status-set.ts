// Op project.status.set: move the project between planning/ready/in_progress/complete/stopped.
import { z } from 'zod';
import { idSource } from '../core/ids.js';
import { META_PATH } from '../core/layout.js';
import { noteChange } from '../notes.js';
import { defineOp, type Change } from '../core/op.js';
import { ProjectStatus, type Meta } from '../core/schema.js';

const SYSTEM_NOTES: Partial<Record<z.infer<typeof ProjectStatus>, string>> = {
  stopped: '[SYSTEM] Project status changed to STOPPED. All implementers should cease work.',
  complete: '[SYSTEM] Project marked as COMPLETE. Great work!',
};

export const projectStatusSet = defineOp({
  name: 'project.status.set',
  input: z.object({ status: ProjectStatus }),
  run(state, input, ctx) {
    const meta = state.meta();
    if (meta.projectStatus === input.status) {
      return { changes: [], result: { status: input.status, previous: meta.projectStatus, changed: false } };
    }
    const next: Meta = { ...meta, projectStatus: input.status };
    const changes: Change[] = [{ path: META_PATH, value: next }];
    const text = SYSTEM_NOTES[input.status];
    if (text) changes.push(noteChange(state, ctx, idSource(ctx.entropy), { text, author: ctx.actor, kind: 'system' }).change);
    return {
      changes,
      result: { status: input.status, previous: meta.projectStatus, changed: true },
      event: { subject: `${meta.projectStatus} -> ${input.status}`, entities: ['project'], data: { status: input.status } },
    };
  },
});
