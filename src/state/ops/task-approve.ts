// Op task.approve: the planner accepts a task in review; it becomes done.
import { z } from 'zod';
import { allCompleteChange } from '../completion.js';
import { idSource } from '../ids.js';
import { field } from '../inputs.js';
import { paths } from '../layout.js';
import { noteChange } from '../notes.js';
import { defineOp, type Change } from '../op.js';
import { approved, requirePlanner, taskInReview } from '../review.js';

export const taskApprove = defineOp({
  name: 'task.approve',
  input: z.object({ id: field.taskId, feedback: z.string().trim().min(1).max(20_000).optional() }),
  run(state, input, ctx) {
    requirePlanner(ctx, 'approve tasks');
    const task = taskInReview(state, input.id);
    const next = approved(task, input.feedback, ctx);
    const rng = idSource(ctx.entropy);
    const text = `[APPROVED] Task "${task.title}" (${task.id}) approved by ${ctx.actor}.${input.feedback ? ` Feedback: ${input.feedback}` : ''}`;
    const changes: Change[] = [{ path: paths.task(task.id), value: next }, noteChange(state, ctx, rng, { text, author: ctx.actor, kind: 'system', task: task.id }).change];
    const complete = allCompleteChange(state, ctx, rng, [next]);
    if (complete) changes.push(complete);
    return {
      changes,
      result: { task: next, allComplete: complete !== undefined },
      event: { subject: `${task.id} -> done`, entities: [task.id], data: { status: 'done', allComplete: complete !== undefined || undefined } },
    };
  },
});
