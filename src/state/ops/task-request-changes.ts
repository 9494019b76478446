// Op task.request_changes: the planner sends a task in review back to its owner with feedback.
import { z } from 'zod';
import { idSource } from '../ids.js';
import { field } from '../inputs.js';
import { paths } from '../layout.js';
import { noteChange } from '../notes.js';
import { defineOp } from '../op.js';
import { changesRequested, taskInReview } from '../review.js';
import { requirePlanner } from '../transitions.js';

export const taskRequestChanges = defineOp({
  name: 'task.request_changes',
  input: z.object({ id: field.taskId, feedback: z.string().trim().min(1).max(20_000).describe('What must change') }),
  run(state, input, ctx) {
    requirePlanner(ctx, 'request changes');
    const task = taskInReview(state, input.id);
    const next = changesRequested(task, input.feedback, ctx);
    const text = `[CHANGES REQUESTED] Task "${task.title}" (${task.id}) needs changes: ${input.feedback}`;
    return {
      changes: [{ path: paths.task(task.id), value: next }, noteChange(state, ctx, idSource(ctx.entropy), { text, author: ctx.actor, kind: 'system', task: task.id }).change],
      result: { task: next, instruction: `Sent back to ${task.owner ?? 'its owner'} (in_progress). They fix it and submit again.` },
      event: { subject: `${task.id} -> in_progress`, entities: [task.id], data: { status: 'in_progress', verdict: 'changes_requested' } },
    };
  },
});
