// Op task.create: a new todo task with a fresh collision-checked id.
import { z } from 'zod';
import { DomainError } from '../errors.js';
import { idSource, mintId } from '../ids.js';
import { field } from '../inputs.js';
import { paths } from '../layout.js';
import { defineOp, isoTime } from '../op.js';
import { TaskId, type Task } from '../schema.js';

export const taskCreate = defineOp({
  name: 'task.create',
  input: z.object({
    title: field.title,
    description: field.description.optional().describe('What, where, and how to verify'),
    complexity: field.complexity.default('medium').describe('simple skips review'),
    tags: field.tags.optional(),
    metadata: field.metadata.optional(),
    dependsOn: z.array(TaskId).max(50).optional().describe('Tasks that must be done first'),
  }),
  run(state, input, ctx) {
    const dependsOn = [...new Set(input.dependsOn ?? [])];
    for (const dep of dependsOn) {
      if (!state.task(dep)) throw new DomainError('TASK_NOT_FOUND', `dependency ${dep} does not exist`, { id: dep });
    }
    const id = mintId(idSource(ctx.entropy), 'T', (candidate) => state.exists(paths.task(candidate)));
    const now = isoTime(ctx.now);
    const task: Task = {
      id,
      title: input.title,
      description: input.description,
      status: 'todo',
      complexity: input.complexity,
      isolation: 'shared',
      tags: input.tags ?? [],
      metadata: input.metadata,
      dependsOn,
      labels: [],
      suggestedFiles: [],
      messages: [],
      reviews: [],
      createdAt: now,
      createdBy: ctx.actor,
      updatedAt: now,
    };
    return {
      changes: [{ path: paths.task(id), value: task }],
      result: { task },
      event: { subject: id, entities: [id], data: { title: input.title.slice(0, 120) } },
    };
  },
});
