// Planner signals: unhandled work derived from the state (an open question or blocker, a task in
// review). Nothing is queued: a signal vanishes when it is handled, so it cannot be handled twice
// (S19). A planner takes one with a hold stored on the message or submission (survives restarts).
import { pendingQuestions } from './messages.js';
import type { Hold as HoldSchema, Task } from './core/schema.js';
import type { Fold, State } from './core/state.js';
import type { z } from 'zod';

export type Hold = z.infer<typeof HoldSchema>;

/** Where a signal comes from; small, so the per-subtree memo of candidates stays cheap. */
export interface SignalCandidate {
  type: 'question' | 'blocker' | 'submission';
  task: string;
  issue?: string;
  messageId?: string;
  /** When the work arrived: the question's time, or the submission's. */
  at: string;
  hold?: Hold;
  /** A question only counts while its asker's claim is live. */
  claimExpiresAt?: string;
}

/** What events_wait hands a planner. */
export interface Signal {
  type: SignalCandidate['type'];
  task: string;
  title: string;
  issue?: string;
  messageId?: string;
  from: string;
  content?: string;
  refs?: string[];
  summary?: string;
  notes?: string;
  artifacts?: Record<string, unknown>;
  at: string;
  holdUntil: string;
  /** What handles it. */
  next: string;
}

/** The time a submission arrived, as signals order it. */
export function submittedAt(task: Task): string {
  return task.submission?.at ?? task.review?.requestedAt ?? task.updatedAt;
}

/** A task's signals whatever the time; expiry and holds are checked against `now` afterwards. */
export function taskSignalCandidates(task: Task): SignalCandidate[] {
  const out: SignalCandidate[] = [];
  if (task.status === 'in_progress' || task.status === 'blocked') {
    for (const m of pendingQuestions(task)) {
      out.push({ type: m.kind as 'question' | 'blocker', task: task.id, issue: task.issue, messageId: m.id, at: m.at, hold: m.hold, claimExpiresAt: task.claim?.expiresAt });
    }
  } else if (task.status === 'review') {
    out.push({ type: 'submission', task: task.id, issue: task.issue, at: submittedAt(task), hold: task.submission?.hold });
  }
  return out;
}

/** Every task's candidate signals, memoised per unchanged subtree by the store (O(changed path) per commit). */
export const SIGNAL_CANDIDATES: Fold<SignalCandidate[]> = {
  leaf: (_path, d) => (d.ok && d.kind === 'task' ? taskSignalCandidates(d.value as Task) : []),
  combine: (parts) => (parts.length === 1 ? parts[0]! : parts.flat()),
};

function live(c: SignalCandidate, now: number): boolean {
  return c.claimExpiresAt === undefined || Date.parse(c.claimExpiresAt) > now;
}

function heldBy(c: SignalCandidate, now: number): string | undefined {
  return c.hold && Date.parse(c.hold.until) > now ? c.hold.by : undefined;
}

/**
 * The signal `actor` should handle next: its own live holds first (a restarted planner gets its
 * signals back), then the oldest not held by another planner. Undefined when there is none.
 */
/** Candidate planner signals of every task, whatever the time (pickSignal filters by time and holds). */
export function signalCandidates(state: State): SignalCandidate[] {
  return state.fold('tasks', SIGNAL_CANDIDATES);
}

export function pickSignal(candidates: readonly SignalCandidate[], actor: string, now: number, issue?: string): SignalCandidate | undefined {
  let best: SignalCandidate | undefined;
  let bestMine = false;
  for (const c of candidates) {
    if (issue !== undefined && c.issue !== issue) continue;
    if (!live(c, now)) continue;
    const holder = heldBy(c, now);
    if (holder !== undefined && holder !== actor) continue;
    const mine = holder === actor;
    if (best === undefined || (mine && !bestMine) || (mine === bestMine && older(c, best))) {
      best = c;
      bestMine = mine;
    }
  }
  return best;
}

function older(a: SignalCandidate, b: SignalCandidate): boolean {
  if (a.at !== b.at) return a.at < b.at;
  if (a.task !== b.task) return a.task < b.task;
  return (a.messageId ?? '') < (b.messageId ?? '');
}

/** The signal as a planner sees it, read from the (held) task. */
export function signalOf(task: Task, c: SignalCandidate, holdUntil: string): Signal {
  const base = { type: c.type, task: task.id, title: task.title, issue: task.issue, at: c.at, holdUntil };
  if (c.type !== 'submission') {
    const m = task.messages.find((x) => x.id === c.messageId)!;
    return { ...base, messageId: m.id, from: m.from, content: m.content, refs: m.refs, next: `task_reply {task: ${task.id}, messageId: ${m.id}}` };
  }
  const s = task.submission;
  const artifacts = s ? { changedFiles: s.changedFiles, testCases: s.testCases, testResult: s.testResult, testOutput: s.testOutput, diff: s.diff, links: s.links } : undefined;
  return {
    ...base,
    from: s?.by ?? task.owner ?? task.createdBy,
    summary: s?.summary,
    notes: task.review?.notes,
    artifacts,
    next: `task_approve or task_request_changes {id: ${task.id}}`,
  };
}
