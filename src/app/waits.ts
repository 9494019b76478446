// Every blocking use case (DESIGN 6), all on app.waitUntil / app.waitEvents: woken by the state ref
// changing, capped by timeoutSec (server default and maximum), progress while waiting, and a timeout
// is a result with a cursor, so calling again loses nothing.
import { z } from 'zod';
import { isLockstepError, LockstepError } from '../errors.js';
import { requireLiveClaim } from '../state/claims.js';
import { field } from '../state/core/inputs.js';
import { IssueId, type Delivery, type Task } from '../state/core/schema.js';
import { effectiveDelivery, isPending } from '../state/deliveries.js';
import { replyOf, type TaskMessage } from '../state/messages.js';
import { deliveryClaim, type DeliveryClaimResult } from '../state/ops/delivery-claim.js';
import { deliverySubmit } from '../state/ops/delivery-submit.js';
import { lockAcquire } from '../state/ops/lock-acquire.js';
import { signalClaim } from '../state/ops/signal-claim.js';
import { taskAsk as taskAskOp } from '../state/ops/task-ask.js';
import { taskSubmitForReview as submitOp, type SubmitResult } from '../state/ops/task-submit-for-review.js';
import { issueList, MAX_ISSUE_PAGE, type IssueRow } from '../state/queries/issue-list.js';
import { taskWaitInput, waitableTasks, type TaskRow } from '../state/queries/task-wait.js';
import { reviewOutcome, type ReviewOutcome } from '../state/review.js';
import { pickSignal, signalCandidates, type Signal } from '../state/signals.js';
import { getTask } from '../state/tasks.js';
import type { StateEvent } from '../store/events.js';

export type { StateEvent };
import { useCase, type App, type Caller, type WaitOptions } from './use-case.js';

/** timeoutSec (server default when omitted) capped by the server maximum, with progress reports. */
export function waitOptions(app: App, caller: Caller, timeoutSec: number | undefined, what: string): WaitOptions & { timeoutSec: number } {
  const sec = Math.min(timeoutSec ?? app.waits.defaultSec, app.waits.maxSec);
  return {
    timeoutSec: sec,
    timeoutMs: sec * 1000,
    signal: caller.signal,
    onProgress: (ms) => caller.progress?.(Math.round(ms / 1000), `waiting for ${what} (${Math.round(ms / 1000)} s)`),
  };
}

export type SubmitWaitResult =
  | (SubmitResult & { timedOut?: undefined; verdict?: undefined })
  | { timedOut: true; cursor: string | null; hint: string; task: Task; alreadySubmitted?: boolean; verdict?: undefined }
  | (ReviewOutcome & { alreadySubmitted?: boolean; timedOut?: undefined });

/** task.submit_for_review, and with wait: true the verdict (a retry waits on the same submission). */
export const taskSubmitForReview = useCase({
  name: submitOp.name,
  input: submitOp.input.extend({ wait: z.boolean().optional(), timeoutSec: field.timeoutSec.optional() }),
  async run(app, { wait, timeoutSec, ...submit }, caller): Promise<SubmitWaitResult> {
    const r = await app.transact(submitOp, submit, caller.who);
    if (!wait) return r;
    const id = r.task.id;
    const worker = r.task.owner ?? caller.who.agent;
    const w = await app.waitUntil(() => app.read((state, rc) => reviewOutcome(state, id, worker, rc.now)), waitOptions(app, caller, timeoutSec, `the review of ${id}`));
    // A timeout is a result (S12): the submission stands, and the same call resumes the wait.
    if (!w.value) return { timedOut: true, cursor: w.cursor, hint: 'call again with the same arguments to keep waiting', task: r.task, alreadySubmitted: r.alreadySubmitted };
    return { ...w.value, alreadySubmitted: r.alreadySubmitted };
  },
});

export type AskResult =
  | { answered: false; timedOut: true; messageId: string; cursor: string | null; hint: string }
  | { answered: true; question: TaskMessage; reply: TaskMessage; status: Task['status'] };

/** task.ask: ask about your task and block until task_reply answers it (a retry waits on the same question). */
export const taskAsk = useCase({
  name: taskAskOp.name,
  input: taskAskOp.input.extend({ timeoutSec: field.timeoutSec.optional() }),
  async run(app, { timeoutSec, ...input }, caller): Promise<AskResult> {
    const asked = await app.transact(taskAskOp, input, caller.who);
    const id = asked.question.id;
    const r = await app.waitUntil(
      () =>
        app.read((state, rc) => {
          const task = getTask(state, input.task);
          const reply = replyOf(task, id);
          if (reply) return { reply, task };
          // Reset or expired while waiting: no reply will ever unblock this claim.
          requireLiveClaim(task, caller.who.agent, rc.now);
          return undefined;
        }),
      waitOptions(app, caller, timeoutSec, `a reply to ${id}`),
    );
    if (!r.value) return { answered: false, timedOut: true, messageId: id, cursor: r.cursor, hint: 'call task_ask again with the same content to keep waiting' };
    return { answered: true, question: asked.question, reply: r.value.reply, status: r.value.task.status };
  },
});

/** lock.acquire, and with waitSec: retried on LOCK_HELD, woken by commits and by the blocking lease's expiry. */
export const lockAcquireWaiting = useCase({
  name: lockAcquire.name,
  input: lockAcquire.input,
  async run(app, input, caller) {
    if (!input.waitSec) return { ...(await app.transact(lockAcquire, input, caller.who)), waitedMs: undefined };
    const start = Date.now();
    let held: LockstepError | undefined;
    const attempt = async () => {
      try {
        return await app.transact(lockAcquire, input, caller.who);
      } catch (err) {
        if (!isLockstepError(err, 'LOCK_HELD')) throw err;
        held = err;
        return undefined;
      }
    };
    // The soonest a conflicting lease runs out: free then without any commit, so look again at that moment.
    const retryAt = () => {
      const conflicts = (held?.data?.conflicts ?? []) as { expiresAt?: string }[];
      const times = conflicts.map((c) => Date.parse(c.expiresAt ?? '')).filter((t) => Number.isFinite(t));
      return times.length ? Math.min(...times) + 1 : undefined;
    };
    const r = await app.waitUntil(attempt, { ...waitOptions(app, caller, input.waitSec, `leases on ${input.path ?? input.paths?.[0]}`), retryAt });
    if (r.value === undefined) throw held!;
    return { ...r.value, waitedMs: Date.now() - start };
  },
});

const cursorField = z.string().regex(/^[0-9a-f]{40}$/, 'a cursor is a 40-hex commit id from a previous call');

/** Events by op (exact, or a prefix ending in "."), entity and actor. */
export function eventFilter(filter: { ops?: string[]; entity?: string; actor?: string; excludeActor?: string }): (e: StateEvent) => boolean {
  return (e) =>
    (!filter.ops?.length || filter.ops.some((o) => e.op === o || (o.endsWith('.') && e.op.startsWith(o)))) &&
    (filter.entity === undefined || e.entities.includes(filter.entity)) &&
    (filter.actor === undefined || e.actor === filter.actor) &&
    (filter.excludeActor === undefined || e.actor !== filter.excludeActor);
}

export type EventsWaitResult =
  | { events: StateEvent[]; cursor: string | null; timedOut: boolean; hasMore: boolean; timeoutSec: number; signal?: undefined }
  | { signal: Signal; timedOut: false; cursor: string | null }
  | { timedOut: true; cursor: string | null; timeoutSec: number; signal?: undefined; events?: undefined };

/**
 * events.wait: state events after a cursor; or, for a planner with signals: true, the next
 * unhandled question, blocker or submission, held for that planner alone.
 */
export const eventsWait = useCase({
  name: 'events.wait',
  input: z.object({
    cursor: cursorField.optional().describe('From your last call'),
    timeoutSec: z.number().min(0).max(3600).optional(),
    ops: z.array(z.string().max(100)).max(20).optional().describe('e.g. task.claim, or a prefix: task.'),
    entity: z.string().max(100).optional(),
    excludeSelf: z.boolean().default(false),
    limit: z.number().int().min(1).max(500).default(50),
    signals: z.boolean().default(false).describe('Planner: claim the next question/blocker/submission'),
    issue: IssueId.optional(),
  }),
  async run(app, input, caller): Promise<EventsWaitResult> {
    if (input.signals) return waitSignal(app, caller, input.issue, input.timeoutSec);
    const wait = waitOptions(app, caller, input.timeoutSec, 'state events');
    const r = await app.waitEvents({
      cursor: input.cursor,
      timeoutMs: wait.timeoutMs,
      limit: input.limit,
      keep: eventFilter({ ops: input.ops, entity: input.entity, excludeActor: input.excludeSelf ? caller.who.agent : undefined }),
      signal: caller.signal,
      onProgress: wait.onProgress,
    });
    return { ...r, timeoutSec: wait.timeoutSec };
  },
});

/** Hold the next signal for this planner, waiting for one. A cheap read first, so idle planners do not take the state lock on every ref change. */
async function waitSignal(app: App, caller: Caller, issue: string | undefined, timeoutSec: number | undefined): Promise<EventsWaitResult> {
  const { who } = caller;
  if (who.role !== 'planner' && who.role !== 'all') throw new LockstepError('ROLE_FORBIDDEN', 'only a planner takes signals; call events_wait without signals', { role: who.role });
  const wait = waitOptions(app, caller, timeoutSec, 'a signal');
  const r = await app.waitUntil(async () => {
    const any = await app.read((state, rc) => pickSignal(signalCandidates(state), who.agent, rc.now, issue) !== undefined);
    return any ? (await app.transact(signalClaim, { issue }, who)).signal : undefined;
  }, wait);
  if (!r.value) return { timedOut: true, cursor: r.cursor, timeoutSec: wait.timeoutSec };
  return { signal: r.value, timedOut: false, cursor: r.cursor };
}

/** task.wait: the tasks you can claim now (or of a status), waiting until one exists. */
export const taskWait = useCase({
  name: 'task.wait',
  input: taskWaitInput.extend({ timeoutSec: field.timeoutSec.optional() }),
  async run(app, { timeoutSec, ...input }, caller): Promise<{ tasks: TaskRow[]; timedOut: boolean; cursor: string | null }> {
    const r = await app.waitUntil(
      () =>
        app.read((state, rc) => {
          const rows = waitableTasks(state, caller.who.agent, rc.now, input);
          return rows.length ? rows : undefined;
        }),
      waitOptions(app, caller, timeoutSec, 'tasks'),
    );
    return { tasks: r.value ?? [], timedOut: r.timedOut, cursor: r.cursor };
  },
});

/** issue.wait: issues with a status (open = open or in progress), now or as soon as one appears; oldest first. */
export const issueWait = useCase({
  name: 'issue.wait',
  input: z.object({
    status: z.enum(['open', 'in_progress', 'done', 'canceled']).default('open'),
    timeoutSec: field.timeoutSec.optional(),
    limit: z.number().int().min(1).max(MAX_ISSUE_PAGE).default(50),
  }),
  async run(app, input, caller): Promise<{ issues: IssueRow[]; timedOut: boolean; cursor: string | null }> {
    const status = input.status === 'open' ? 'active' : input.status;
    const query = { status, offset: 0, limit: input.limit, sortBy: 'createdAt', order: 'asc' } as const;
    const r = await app.waitUntil(async () => {
      const found = await app.read((state, rc) => issueList(state, query, rc.now));
      return found.issues.length ? found.issues : undefined;
    }, waitOptions(app, caller, input.timeoutSec, `${input.status} issues`));
    return { issues: r.value ?? [], timedOut: r.timedOut, cursor: r.cursor };
  },
});

export type DeliverWaitResult =
  | (Awaited<ReturnType<typeof deliverySubmit.run>>['result'] & { timedOut?: undefined; verdict?: undefined })
  | { timedOut: true; delivery: Delivery; cursor: string | null; alreadyPending: boolean; verdict?: undefined }
  | { delivery: Delivery; verdict: Delivery['status']; alreadyPending: boolean; timedOut?: undefined };

/** delivery.submit, and with wait: true the reviewer's verdict (a retry returns the pending delivery). */
export const deliverySubmitWaiting = useCase({
  name: deliverySubmit.name,
  input: deliverySubmit.input.extend({ wait: z.boolean().optional(), timeoutSec: field.timeoutSec.optional() }),
  async run(app, { wait, timeoutSec, ...input }, caller): Promise<DeliverWaitResult> {
    const r = await app.transact(deliverySubmit, input, caller.who);
    if (!wait) return r;
    const id = r.delivery.id;
    const w = await app.waitUntil(async () => {
      const d = await app.read((state) => state.delivery(id));
      return d && !isPending(d) ? d : undefined;
    }, waitOptions(app, caller, timeoutSec, `the review of ${id}`));
    if (w.timedOut || !w.value) {
      // As it stands now (effective): a hold that ran out shows open again.
      const now = await app.read((state, rc) => {
        const d = state.delivery(id);
        return d ? effectiveDelivery(d, rc.now) : undefined;
      });
      return { timedOut: true, delivery: now ?? r.delivery, cursor: w.cursor, alreadyPending: r.alreadyPending };
    }
    return { delivery: w.value, verdict: w.value.status, alreadyPending: r.alreadyPending };
  },
});

/** delivery.wait: block until a delivery waits for review, then claim exactly one for you (oldest first). */
export const deliveryWait = useCase({
  name: 'delivery.wait',
  input: z.object({ timeoutSec: field.timeoutSec.optional(), issue: IssueId.optional() }),
  async run(app, input, caller): Promise<(DeliveryClaimResult & { timedOut: false; cursor: string | null }) | { delivery: null; timedOut: true; cursor: string | null }> {
    const w = await app.waitUntil(async () => {
      const r = await app.transact(deliveryClaim, { issue: input.issue }, caller.who);
      return r.delivery ? r : undefined;
    }, waitOptions(app, caller, input.timeoutSec, 'a delivery'));
    if (!w.value) return { delivery: null, timedOut: true, cursor: w.cursor };
    return { ...w.value, timedOut: false, cursor: w.cursor };
  },
});
