// Issues as ops see them: lookup, lazy lease expiry that live work keeps off, and the open check.
import { LockstepError } from '../errors.js';
import { claimExpired } from './claims.js';
import { isPending } from './deliveries.js';
import type { Change } from './core/op.js';
import { type Ctx, isoTime } from './core/ctx.js';
import { paths } from './core/layout.js';
import type { Issue } from './core/schema.js';
import type { State } from './core/state.js';

export function getIssue(state: State, id: string): Issue {
  const issue = state.issue(id);
  if (!issue) throw new LockstepError('ISSUE_NOT_FOUND', `issue ${id} does not exist; issue_list shows the ids`, { id });
  return issue;
}

/** Someone is working on the issue: a task in review or claimed with a live lease, or a delivery awaiting acceptance. */
export function hasLiveWork(state: State, issueId: string, now: number): boolean {
  if (state.issueTasks(issueId).some((t) => t.status === 'review' || ((t.status === 'in_progress' || t.status === 'blocked') && !claimExpired(t, now)))) return true;
  return state.deliveries().items.some((d) => d.issue === issueId && isPending(d));
}

/**
 * An open issue whose lease ran out with nobody working on it counts as canceled (swarm's expiry,
 * without cancelling an issue under its workers, S14). Nothing is written until someone acts on it.
 */
export function issueExpired(state: State, issue: Issue, now: number): boolean {
  if (issue.status !== 'open' && issue.status !== 'in_progress') return false;
  if (!issue.leaseExpiresAt || Date.parse(issue.leaseExpiresAt) > now) return false;
  return !hasLiveWork(state, issue.id, now);
}

/** The issue as readers should see it: an expired one shows status canceled and expired: true. */
export function effectiveIssue(state: State, issue: Issue, now: number): Issue & { expired?: true } {
  return issueExpired(state, issue, now) ? { ...issue, status: 'canceled', expired: true } : issue;
}

/** Why the issue takes no work now (done, canceled, or expired), or undefined while it is open or in progress. */
export function issueClosed(state: State, issue: Issue, now: number): { status: Issue['status']; expired: boolean; why: string } | undefined {
  if (issueExpired(state, issue, now)) return { status: 'canceled', expired: true, why: `expired at ${issue.leaseExpiresAt} with no live work` };
  if (issue.status !== 'open' && issue.status !== 'in_progress') return { status: issue.status, expired: false, why: issue.status };
  return undefined;
}

/** The issue, which must be open or in progress (not done, canceled or expired). */
export function requireOpenIssue(state: State, id: string, now: number): Issue {
  const issue = getIssue(state, id);
  const closed = issueClosed(state, issue, now);
  if (closed) throw new LockstepError('ISSUE_CLOSED', `issue ${id} is ${closed.why}; the planner can issue_reopen it`, { id, status: closed.status, expired: closed.expired });
  return issue;
}

/**
 * The issue's lease renewed to now + TTL once past half-life (activity keeps an issue alive), or
 * nothing when not due or not open. The store adds it to commits that touch the issue's tasks.
 */
export function issueRenewal(state: State, issueId: string, ctx: Ctx): Change | undefined {
  // From the listing: a corrupt issue file must not fail every op on its tasks.
  const issue = state.issues().items.find((i) => i.id === issueId);
  if (!issue || issue.status === 'done' || issue.status === 'canceled' || !issue.leaseExpiresAt) return undefined;
  const ttl = state.meta().settings.issueLeaseSec * 1000;
  if (Date.parse(issue.leaseExpiresAt) - ctx.now > ttl / 2) return undefined;
  return { path: paths.issue(issue.id), value: { ...issue, leaseExpiresAt: isoTime(ctx.now + ttl) } satisfies Issue };
}
