// Task rules shared by the task ops and queries: lookups, readiness, claiming (the claim lease
// and reservation rules are in claims.ts), legal status moves, and the ALL TASKS COMPLETE note.
import { LockstepError } from '../errors.js';
import { paths } from './core/layout.js';
import { claimExpired, claimLeaseMs, released, reservedFor } from './claims.js';
import { isoTime, type Ctx } from './core/ctx.js';
import type { Change } from './core/op.js';
import type { Issue, Task, TaskStatus } from './core/schema.js';
import { oldestFirst, OPEN_STATUSES, type State } from './core/state.js';
import { issueClosed } from './issues.js';
import { noteChange } from './notes.js';
import { isPlanner } from './roles.js';

const CLAIM_INSTRUCTIONS: Record<Task['complexity'], string> = {
  simple: 'Simple task: implement it, then set status done with task_update.',
  medium: 'Medium task: implement it, then submit it for review.',
  complex: 'Complex task: discuss your approach with the planner before changing code, then submit for review.',
  critical: 'Critical task: get the planner to approve your approach BEFORE starting, then submit for review.',
};

/** What a claimer is told to do with the task: by its complexity, and for a worktree task where to work. */
export function claimInstruction(task: Task): string {
  const how = CLAIM_INSTRUCTIONS[task.complexity];
  if (task.isolation !== 'worktree') return how;
  return `${how} Isolation worktree: call worktree_create and do the work there, on your own branch (commit it); no file leases needed. The planner merges the branch after approval.`;
}

/** Dependencies that are not done yet; a task is ready only when this is empty. */
export function openDependencies(state: State, task: Task, doneNow?: string): string[] {
  return task.dependsOn.filter((dep) => dep !== doneNow && state.task(dep)?.status !== 'done');
}

export function getTask(state: State, id: string): Task {
  const task = state.task(id);
  if (!task) throw new LockstepError('TASK_NOT_FOUND', `task ${id} does not exist; task_list shows the ids`, { id });
  return task;
}

/**
 * Why `who` cannot claim `task` right now, or undefined when it can (task.claim and task.next).
 * `doneNow`: a task the calling op is finishing in this same commit (its dependents are ready).
 */
export function claimRefusal(state: State, task: Task, who: string, now: number, doneNow?: string): LockstepError | undefined {
  if (task.status !== 'todo' && !claimExpired(task, now)) {
    const by = task.owner ? ` by ${task.owner}` : '';
    return new LockstepError('TASK_NOT_CLAIMABLE', `task ${task.id} is ${task.status}${by}; only todo tasks can be claimed`, { id: task.id, status: task.status, owner: task.owner });
  }
  const waiting = openDependencies(state, task, doneNow);
  if (waiting.length > 0) return new LockstepError('TASK_NOT_CLAIMABLE', `task ${task.id} waits for ${waiting.join(', ')} to be done`, { id: task.id, waitingOn: waiting });
  const holder = reservedFor(task, now);
  if (holder !== undefined && holder !== who) {
    return new LockstepError('TASK_RESERVED', `task ${task.id} is reserved for ${holder} until ${task.reservation!.until}; task_next finds you another`, {
      id: task.id,
      reservedFor: holder,
      until: task.reservation!.until,
    });
  }
  if (task.issue) {
    const issue = state.issue(task.issue);
    const closed = issue ? issueClosed(state, issue, now) : { why: 'missing' };
    if (closed) return new LockstepError('ISSUE_CLOSED', `task ${task.id} belongs to issue ${task.issue}, which is ${closed.why}`, { id: task.id, issue: task.issue });
  }
  return undefined;
}

export interface Claimed {
  task: Task;
  changes: Change[];
  /** The previous owner, when their claim had expired and this claim took the task over. */
  expiredFrom?: string;
}

/**
 * `owner` takes `task` (already checked with claimRefusal). A takeover of an expired claim starts
 * clean and frees the old owner's leases on the task; an issue's first claim moves it in_progress.
 */
export function claimTask(state: State, task: Task, owner: string, ctx: Ctx): Claimed {
  const now = isoTime(ctx.now);
  const expiredFrom = claimExpired(task, ctx.now) ? task.owner : undefined;
  const base = expiredFrom !== undefined || task.status !== 'todo' ? released(task, ctx) : task;
  const ttl = claimLeaseMs(state, task);
  const claimed: Task = { ...base, status: 'in_progress', owner, claim: { by: owner, at: now, expiresAt: ttl === undefined ? undefined : isoTime(ctx.now + ttl) }, updatedAt: now };
  delete claimed.reservation;
  const changes: Change[] = [{ path: paths.task(task.id), value: claimed }];
  if (expiredFrom !== undefined) {
    for (const lease of state.leases().items) if (lease.task === task.id && lease.owner === expiredFrom) changes.push({ path: paths.lease(lease.id), value: null });
  }
  const issue = task.issue ? state.issue(task.issue) : undefined;
  if (issue?.status === 'open') changes.push({ path: paths.issue(issue.id), value: { ...issue, status: 'in_progress', updatedAt: now } satisfies Issue });
  return { task: claimed, changes, expiredFrom };
}

/**
 * Tasks `who` could claim now, best first: one reserved for `who`, then those that unblock the most
 * open work, then the oldest. Ready = todo (or an expired claim), dependencies done, not reserved
 * for someone else, issue open.
 */
export function readyTasks(state: State, who: string, now: number, issue?: string, doneNow?: string): Task[] {
  const items = issue === undefined ? state.tasks().items : state.issueTasks(issue);
  const unblocks = new Map<string, number>();
  for (const t of items) {
    if (t.status === 'done' || t.status === 'canceled') continue;
    for (const dep of t.dependsOn) unblocks.set(dep, (unblocks.get(dep) ?? 0) + 1);
  }
  const mine = (t: Task) => (reservedFor(t, now) === who ? 1 : 0);
  return items
    .filter((t) => (t.status === 'todo' || t.status === 'in_progress' || t.status === 'blocked') && claimRefusal(state, t, who, now, doneNow) === undefined)
    .sort((a, b) => mine(b) - mine(a) || (unblocks.get(b.id) ?? 0) - (unblocks.get(a.id) ?? 0) || oldestFirst(a, b));
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

function refuse(task: Task, to: TaskStatus, hint: string): LockstepError {
  return new LockstepError('INVALID_TRANSITION', `task ${task.id} cannot go from ${task.status} to ${to}: ${hint}`, {
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

export const ALL_COMPLETE_TEXT =
  "[SYSTEM] ALL TASKS COMPLETE! Planner: review the work and call project_status_set({ status: 'complete' }) if satisfied, or create more tasks.";

/**
 * The note to add when `updated` (tasks this op changes) finishes the last open task. Nothing when
 * none of them became done, or when some task is still open (counting the updated versions).
 */
export function allCompleteChange(state: State, ctx: Ctx, rng: () => number, updated: Task[]): Change | undefined {
  if (!updated.some((t) => t.status === 'done')) return undefined;
  let open = state.openTaskCount();
  for (const t of updated) {
    const before = state.task(t.id);
    if (before && OPEN_STATUSES.has(before.status)) open--;
    if (OPEN_STATUSES.has(t.status)) open++;
  }
  if (open > 0) return undefined;
  return noteChange(state, ctx, rng, { text: ALL_COMPLETE_TEXT, author: 'system', kind: 'system' }).change;
}

/** Checks worktree_merge runs before touching git, so a merge is never left unrecorded. */
export function mergeRecordRefusal(state: State, taskId: string | undefined): void {
  if (taskId === undefined) return;
  const task = getTask(state, taskId);
  if (task.status === 'canceled') throw new LockstepError('INVALID_TRANSITION', `task ${task.id} is canceled; merge without task, or reopen it first`, { id: task.id, status: task.status });
}
