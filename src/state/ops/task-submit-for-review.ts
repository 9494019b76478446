// Op task.submit_for_review: the owner hands an in-progress task to the planner for review.
import { z } from 'zod';
import { DomainError } from '../errors.js';
import { idSource } from '../ids.js';
import { field, sameAgent } from '../inputs.js';
import { paths } from '../layout.js';
import { noteChange } from '../notes.js';
import { defineOp, isoTime } from '../op.js';
import type { Task } from '../schema.js';
import { getTask } from './task-claim.js';

export const taskSubmitForReview = defineOp({
  name: 'task.submit_for_review',
  input: z.object({
    id: field.taskId,
    owner: field.owner,
    reviewNotes: z.string().trim().min(1).max(20_000).describe('What changed, how tested'),
  }),
  run(state, input, ctx) {
    const owner = sameAgent(input.owner, ctx.actor, 'owner');
    const task = getTask(state, input.id);
    if (task.owner !== owner) {
      throw new DomainError('NOT_OWNER', `task ${task.id} is ${task.owner ? `owned by ${task.owner}` : 'not claimed'}, not by ${owner}; only its owner submits it`, {
        id: task.id,
        owner: task.owner,
      });
    }
    if (task.status !== 'in_progress') {
      throw new DomainError('INVALID_TRANSITION', `task ${task.id} is ${task.status}; only an in_progress task can be submitted for review`, {
        id: task.id,
        from: task.status,
        to: 'review',
      });
    }
    const now = isoTime(ctx.now);
    const next: Task = { ...task, status: 'review', review: { notes: input.reviewNotes, requestedAt: now }, updatedAt: now };
    const text = `[REVIEW] Task "${task.title}" (${task.id}) submitted for review by ${owner}. Planner: use task_approve or task_request_changes.`;
    const note = noteChange(state, ctx, idSource(ctx.entropy), { text, author: owner, kind: 'system', task: task.id });
    return {
      changes: [{ path: paths.task(task.id), value: next }, note.change],
      result: { task: next, instruction: 'Submitted. Take the next task (task_next) while the planner reviews; if changes are requested the task comes back in_progress with feedback.' },
      event: { subject: `${task.id} -> review`, entities: [task.id], data: { status: 'review' } },
    };
  },
});
