// Op task.claim: take a todo task whose dependencies are done. Exactly one claimer wins (the store serialises).
import { z } from 'zod';
import { DomainError } from '../errors.js';
import { field, sameAgent } from '../inputs.js';
import { paths } from '../layout.js';
import { claimExpired, claimLeaseMs, released, reservedFor } from '../claims.js';
import { issueClosed } from '../issues.js';
import { defineOp, isoTime, type Change, type Ctx } from '../op.js';
import type { Issue, Task } from '../schema.js';
import type { State } from '../state.js';

export const CLAIM_INSTRUCTIONS: Record<Task['complexity'], string> = {
  simple: 'Simple task: implement it, then set status done with task_update.',
  medium: 'Medium task: implement it, then submit it for review.',
  complex: 'Complex task: discuss your approach with the planner before changing code, then submit for review.',
  critical: 'Critical task: get the planner to approve your approach BEFORE starting, then submit for review.',
};

/** Dependencies that are not done yet; a task is ready only when this is empty. */
export function openDependencies(state: State, task: Task, doneNow?: string): string[] {
  return task.dependsOn.filter((dep) => dep !== doneNow && state.task(dep)?.status !== 'done');
}

export function getTask(state: State, id: string): Task {
  const task = state.task(id);
  if (!task) throw new DomainError('TASK_NOT_FOUND', `task ${id} does not exist; task_list shows the ids`, { id });
  return task;
}

/**
 * Why `who` cannot claim `task` right now, or undefined when it can (task.claim and task.next).
 * `doneNow`: a task the calling op is finishing in this same commit (its dependents are ready).
 */
export function claimRefusal(state: State, task: Task, who: string, now: number, doneNow?: string): DomainError | undefined {
  if (task.status !== 'todo' && !claimExpired(task, now)) {
    const by = task.owner ? ` by ${task.owner}` : '';
    return new DomainError('TASK_NOT_CLAIMABLE', `task ${task.id} is ${task.status}${by}; only todo tasks can be claimed`, { id: task.id, status: task.status, owner: task.owner });
  }
  const waiting = openDependencies(state, task, doneNow);
  if (waiting.length > 0) return new DomainError('TASK_NOT_CLAIMABLE', `task ${task.id} waits for ${waiting.join(', ')} to be done`, { id: task.id, waitingOn: waiting });
  const holder = reservedFor(task, now);
  if (holder !== undefined && holder !== who) {
    return new DomainError('TASK_RESERVED', `task ${task.id} is reserved for ${holder} until ${task.reservation!.until}; task_next finds you another`, {
      id: task.id,
      reservedFor: holder,
      until: task.reservation!.until,
    });
  }
  if (task.issue) {
    const issue = state.issue(task.issue);
    const closed = issue ? issueClosed(state, issue, now) : { why: 'missing' };
    if (closed) return new DomainError('ISSUE_CLOSED', `task ${task.id} belongs to issue ${task.issue}, which is ${closed.why}`, { id: task.id, issue: task.issue });
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

export const taskClaim = defineOp({
  name: 'task.claim',
  input: z.object({ id: field.taskId, owner: field.owner }),
  run(state, input, ctx) {
    const owner = sameAgent(input.owner, ctx.actor, 'owner');
    const task = getTask(state, input.id);
    const refusal = claimRefusal(state, task, owner, ctx.now);
    if (refusal) throw refusal;
    const c = claimTask(state, task, owner, ctx);
    return {
      changes: c.changes,
      result: { task: c.task, instruction: CLAIM_INSTRUCTIONS[task.complexity], expiredFrom: c.expiredFrom },
      event: { subject: task.id, entities: task.issue ? [task.id, task.issue] : [task.id], data: { owner, expiredFrom: c.expiredFrom } },
    };
  },
});
