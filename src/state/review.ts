// The planner's verdict on a task in review, shared by task.approve, task.approve_batch and task.request_changes.
import { DomainError } from './errors.js';
import { noteChange } from './notes.js';
import { isoTime, type Change, type Ctx } from './op.js';
import { getTask } from './ops/task-claim.js';
import type { Task } from './schema.js';
import type { State } from './state.js';

/** The task, which must be in review. */
export function taskInReview(state: State, id: string): Task {
  const task = getTask(state, id);
  if (task.status !== 'review') {
    throw new DomainError('INVALID_TRANSITION', `task ${id} is ${task.status}, not in review; only submitted tasks get a verdict`, { id, from: task.status });
  }
  return task;
}

export function approved(task: Task, feedback: string | undefined, ctx: Ctx): Task {
  const now = isoTime(ctx.now);
  return { ...task, status: 'done', review: { ...task.review, verdict: 'approved', feedback: feedback ?? 'Approved', reviewedBy: ctx.actor, reviewedAt: now }, updatedAt: now };
}

/** The `[APPROVED]` system note left beside each approval. */
export function approvedNote(state: State, ctx: Ctx, rng: () => number, task: Task, feedback: string | undefined): Change {
  const text = `[APPROVED] Task "${task.title}" (${task.id}) approved by ${ctx.actor}.${feedback ? ` Feedback: ${feedback}` : ''}`;
  return noteChange(state, ctx, rng, { text, author: ctx.actor, kind: 'system', task: task.id }).change;
}

export function changesRequested(task: Task, feedback: string, ctx: Ctx): Task {
  const now = isoTime(ctx.now);
  return { ...task, status: 'in_progress', review: { ...task.review, verdict: 'changes_requested', feedback, reviewedBy: ctx.actor, reviewedAt: now }, updatedAt: now };
}
