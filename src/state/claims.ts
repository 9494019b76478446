// Leases on work: a task's claim lease and a worker's reservation. Nothing sweeps them: expiry is
// lazy, every reader sees the effective state, and the op that takes over records it in its commit.
import { LockstepError } from '../errors.js';
import { isoTime, type Ctx } from './core/ctx.js';
import type { Task } from './core/schema.js';
import type { State } from './core/state.js';

/** A claimed task whose lease ran out: it is todo again for everyone (its owner included). */
export function claimExpired(task: Task, now: number): boolean {
  return (task.status === 'in_progress' || task.status === 'blocked') && task.claim?.expiresAt !== undefined && Date.parse(task.claim.expiresAt) <= now;
}

/** The worker a live reservation binds this todo task to, if any. */
export function reservedFor(task: Task, now: number): string | undefined {
  return task.reservation && Date.parse(task.reservation.until) > now ? task.reservation.for : undefined;
}

/** Claim leases apply to issue tasks (swarm semantics); project tasks keep their owner until moved. */
export function claimLeaseMs(state: State, task: Task): number | undefined {
  return task.issue ? state.meta().settings.taskLeaseSec * 1000 : undefined;
}

/**
 * The task back in todo after its claim expired or was reset: nothing a fresh claimer must not
 * inherit (owner, claim, submission, verdict, reservation, signal holds). Review records and
 * messages stay; git keeps everything else.
 */
export function released(task: Task, ctx: Ctx): Task {
  const next: Task = { ...task, status: 'todo', updatedAt: isoTime(ctx.now) };
  delete next.owner;
  delete next.claim;
  delete next.submission;
  delete next.review;
  delete next.reservation;
  next.messages = task.messages.map(({ hold: _hold, ...m }) => m);
  return next;
}

/** The task with its claim lease pushed to now + TTL once past half-life; the same object when not due. */
export function renewedClaim(state: State, task: Task, ctx: Ctx): Task {
  const ttl = claimLeaseMs(state, task);
  if (ttl === undefined || !task.claim?.expiresAt) return task;
  if (Date.parse(task.claim.expiresAt) - ctx.now > ttl / 2) return task;
  return { ...task, claim: { ...task.claim, expiresAt: isoTime(ctx.now + ttl) } };
}

/** The caller must own the task and its claim must still be live (an expired claim is not revived). */
export function requireLiveClaim(task: Task, actor: string, now: number): void {
  if (task.owner !== actor) {
    throw new LockstepError('NOT_OWNER', `task ${task.id} is ${task.owner ? `claimed by ${task.owner}` : 'not claimed'}, not by ${actor}; claim it first`, {
      id: task.id,
      owner: task.owner,
    });
  }
  if (claimExpired(task, now)) {
    throw new LockstepError('LEASE_EXPIRED', `your claim on ${task.id} expired at ${task.claim!.expiresAt}; claim it again with task_claim (use task_extend_lease to keep long work)`, {
      id: task.id,
      expiredAt: task.claim!.expiresAt,
    });
  }
}
