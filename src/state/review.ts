// The planner's verdict on a task in review, shared by task.approve, task.approve_batch and task.request_changes.
import { DomainError } from './errors.js';
import { isoTime, type Ctx } from './op.js';
import type { Task } from './schema.js';
import type { State } from './state.js';
import { isPlanner } from './transitions.js';

export function requirePlanner(ctx: Ctx, what: string): void {
  if (!isPlanner(ctx)) throw new DomainError('ROLE_FORBIDDEN', `only a planner can ${what}`, { role: ctx.role });
}

/** The task, which must be in review. */
export function taskInReview(state: State, id: string): Task {
  const task = state.task(id);
  if (!task) throw new DomainError('TASK_NOT_FOUND', `task ${id} does not exist; task_list shows the ids`, { id });
  if (task.status !== 'review') {
    throw new DomainError('INVALID_TRANSITION', `task ${id} is ${task.status}, not in review; only submitted tasks get a verdict`, { id, from: task.status });
  }
  return task;
}

export function approved(task: Task, feedback: string | undefined, ctx: Ctx): Task {
  const now = isoTime(ctx.now);
  return { ...task, status: 'done', review: { ...task.review, verdict: 'approved', feedback: feedback ?? 'Approved', reviewedBy: ctx.actor, reviewedAt: now }, updatedAt: now };
}

export function changesRequested(task: Task, feedback: string, ctx: Ctx): Task {
  const now = isoTime(ctx.now);
  return { ...task, status: 'in_progress', review: { ...task.review, verdict: 'changes_requested', feedback, reviewedBy: ctx.actor, reviewedAt: now }, updatedAt: now };
}
