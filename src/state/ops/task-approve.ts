// Op task.approve: the planner accepts a task in review; it becomes done.
import { z } from 'zod';
import { allCompleteChange } from '../completion.js';
import { idSource } from '../ids.js';
import { field } from '../inputs.js';
import { paths } from '../layout.js';
import { defineOp, type Change } from '../op.js';
import { approved, approvedNote, taskInReview } from '../review.js';
import { requirePlanner } from '../transitions.js';

export const taskApprove = defineOp({
  name: 'task.approve',
  input: z.object({ id: field.taskId, feedback: z.string().trim().min(1).max(20_000).optional() }),
  run(state, input, ctx) {
    requirePlanner(ctx, 'approve tasks');
    const task = taskInReview(state, input.id);
    const next = approved(task, input.feedback, ctx);
    const rng = idSource(ctx.entropy);
    const changes: Change[] = [{ path: paths.task(task.id), value: next }, approvedNote(state, ctx, rng, task, input.feedback)];
    const complete = allCompleteChange(state, ctx, rng, [next]);
    if (complete) changes.push(complete);
    return {
      changes,
      result: { task: next, allComplete: complete !== undefined },
      event: { subject: `${task.id} -> done`, entities: [task.id], data: { status: 'done', allComplete: complete !== undefined || undefined } },
    };
  },
});
