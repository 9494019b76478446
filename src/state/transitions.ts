// Legal task status moves through task_update. Claims, review moves and resets have their own ops.
import { DomainError } from './errors.js';
import type { Ctx } from './op.js';
import type { Task, TaskStatus } from './schema.js';

export function isPlanner(ctx: Ctx): boolean {
  return ctx.role === 'planner' || ctx.role === 'all';
}

export function requirePlanner(ctx: Ctx, what: string): void {
  if (!isPlanner(ctx)) throw new DomainError('ROLE_FORBIDDEN', `only a planner can ${what}`, { role: ctx.role });
}

export function isReviewer(ctx: Ctx): boolean {
  return ctx.role === 'reviewer' || ctx.role === 'all';
}

export function requireReviewer(ctx: Ctx, what: string): void {
  if (!isReviewer(ctx)) throw new DomainError('ROLE_FORBIDDEN', `only a reviewer can ${what}`, { role: ctx.role });
}

type Who = 'owner' | 'planner';

/** from -> to -> who may make the move. Anything missing is refused with INVALID_TRANSITION. */
const MOVES: Partial<Record<TaskStatus, Partial<Record<TaskStatus, Who[]>>>> = {
  todo: { blocked: ['planner'], canceled: ['planner'] },
  in_progress: { todo: ['owner', 'planner'], blocked: ['owner', 'planner'], done: ['owner', 'planner'], canceled: ['planner'] },
  blocked: { in_progress: ['owner', 'planner'], todo: ['owner', 'planner'], canceled: ['planner'] },
  review: { canceled: ['planner'] },
  done: { todo: ['planner'] },
  canceled: { todo: ['planner'] },
};

function refuse(task: Task, to: TaskStatus, hint: string): DomainError {
  return new DomainError('INVALID_TRANSITION', `task ${task.id} cannot go from ${task.status} to ${to}: ${hint}`, {
    id: task.id,
    from: task.status,
    to,
    owner: task.owner,
  });
}

export function checkTransition(task: Task, to: TaskStatus, ctx: Ctx): void {
  if (task.status === to) return;
  const who = MOVES[task.status]?.[to];
  if (!who) {
    if (task.status === 'todo' && to === 'in_progress') throw refuse(task, to, 'use task_claim to take a todo task');
    // Review moves carry notes and feedback, so they have their own tools.
    if (to === 'review') throw refuse(task, to, 'use task_submit_for_review (with reviewNotes)');
    if (task.status === 'review') throw refuse(task, to, 'use task_approve or task_request_changes');
    throw refuse(task, to, 'this move is not allowed');
  }
  const byRole = (who.includes('owner') && task.owner === ctx.actor) || (who.includes('planner') && isPlanner(ctx));
  if (!byRole) throw refuse(task, to, `only ${who.map((w) => (w === 'owner' ? `its owner (${task.owner ?? 'none'})` : 'a planner')).join(' or ')} may do this`);
  // Only simple tasks skip review when their owner finishes them.
  if (task.status === 'in_progress' && to === 'done' && !isPlanner(ctx) && task.complexity !== 'simple') {
    throw refuse(task, to, `${task.complexity} tasks go through review: set status review`);
  }
}
