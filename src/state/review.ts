// The planner's verdict on a task in review (task.approve, task.approve_batch, task.request_changes),
// the review record it leaves, and what a waiting submitter sees once the verdict is in.
import { z } from 'zod';
import { claimExpired, claimLeaseMs, reservedFor } from './claims.js';
import { LockstepError } from '../errors.js';
import { noteChange } from './notes.js';
import type { Change } from './core/op.js';
import { type Ctx, isoTime } from './core/ctx.js';
import { getTask } from './tasks.js';
import { FeedbackDetail, Score, type Task } from './core/schema.js';
import type { State } from './core/state.js';

type Detail = z.infer<typeof FeedbackDetail>;
export type ReviewRecord = Task['reviews'][number];

/** Review fields both verdict ops accept (besides feedback). */
export const verdictInput = {
  score: Score.optional(),
  details: z
    .array(
      z.object({
        dimension: z.string().trim().min(1).max(100).describe('e.g. correctness, tests, style'),
        severity: z.enum(['info', 'minor', 'major', 'critical']),
        content: z.string().trim().min(1).max(5_000),
        file: z.string().min(1).max(1_000).optional(),
        lines: z.string().min(1).max(100).optional().describe('e.g. 10-24'),
        suggestion: z.string().min(1).max(5_000).optional(),
      }),
    )
    .max(50)
    .optional(),
  summary: z.string().trim().min(1).max(20_000).optional(),
  reviewedRefs: z.array(z.string().min(1).max(1_000)).max(100).optional(),
};

export interface Verdict {
  feedback?: string;
  score?: 1 | 2 | 5;
  details?: Detail[];
  summary?: string;
  reviewedRefs?: string[];
}

/** The task, which must be in review (S9: a todo, expired or done task gets no verdict). */
export function taskInReview(state: State, id: string): Task {
  const task = getTask(state, id);
  if (task.status !== 'review') {
    throw new LockstepError('INVALID_TRANSITION', `task ${id} is ${task.status}, not in review; only submitted tasks get a verdict`, { id, from: task.status });
  }
  return task;
}

/**
 * The task with this round's verdict. Score, details, summary and refs are this round's only (an
 * earlier round's are not inherited); the review record is appended to the task's score history.
 */
function withVerdict(task: Task, verdict: 'approved' | 'changes_requested', v: Verdict, ctx: Ctx): Task {
  const now = isoTime(ctx.now);
  const review = {
    ...task.review,
    verdict,
    feedback: v.feedback,
    score: v.score,
    details: v.details?.length ? v.details : undefined,
    summary: v.summary,
    reviewedRefs: v.reviewedRefs?.length ? v.reviewedRefs : undefined,
    reviewedBy: ctx.actor,
    reviewedAt: now,
  };
  const worker = task.owner ?? task.submission?.by;
  const reviews = worker === undefined ? task.reviews : [...task.reviews, { worker, verdict, score: v.score, points: task.points ?? 0, by: ctx.actor, at: now }];
  return { ...task, review, reviews, updatedAt: now };
}

export function approved(task: Task, v: Verdict, ctx: Ctx): Task {
  return { ...withVerdict(task, 'approved', { ...v, feedback: v.feedback ?? 'Approved' }, ctx), status: 'done' };
}

/** The `[APPROVED]` system note left beside each approval. */
export function approvedNote(state: State, ctx: Ctx, rng: () => number, task: Task, v: Verdict): Change {
  const score = v.score === undefined ? '' : ` Score ${v.score}.`;
  const text = `[APPROVED] Task "${task.title}" (${task.id}) approved by ${ctx.actor}.${score}${v.feedback ? ` Feedback: ${v.feedback}` : ''}`;
  return noteChange(state, ctx, rng, { text, author: ctx.actor, kind: 'system', task: task.id }).change;
}

/** Back to in_progress with the feedback; an issue task's claim lease restarts, so the owner has a full lease to fix it. */
export function changesRequested(state: State, task: Task, v: Verdict & { feedback: string }, ctx: Ctx): Task {
  const next: Task = { ...withVerdict(task, 'changes_requested', v, ctx), status: 'in_progress' };
  const ttl = claimLeaseMs(state, task);
  if (ttl !== undefined && task.owner !== undefined) {
    next.claim = { ...(task.claim ?? { by: task.owner, at: isoTime(ctx.now) }), expiresAt: isoTime(ctx.now + ttl) };
  }
  return next;
}

/** The task `worker` holds a live, still claimable reservation on, if any (a worker holds at most one). */
export function liveReservation(state: State, worker: string, now: number): Task | undefined {
  return state.tasks().items.find((t) => reservedFor(t, now) === worker && (t.status === 'todo' || claimExpired(t, now)));
}

export type NextStep = { type: 'claim_task'; task: { id: string; title: string; points: number; complexity: Task['complexity'] }; reservedUntil: string } | { type: 'end' };

export function claimStep(task: Task): NextStep {
  return { type: 'claim_task', task: { id: task.id, title: task.title, points: task.points ?? 0, complexity: task.complexity }, reservedUntil: task.reservation!.until };
}

export interface ReviewOutcome {
  /** approved, changes_requested, or null when the task left review another way (reset, canceled). */
  verdict: 'approved' | 'changes_requested' | null;
  score?: number;
  feedback?: string;
  details?: Detail[];
  summary?: string;
  /** After an approval: the task reserved for the submitter, or the end (as task_approve tells the planner); null otherwise. */
  next: NextStep | null;
  task: Task;
}

/** What the submitter of `id` learns once it has left review; undefined while it is still in review. */
export function reviewOutcome(state: State, id: string, worker: string, now: number): ReviewOutcome | undefined {
  const task = getTask(state, id);
  if (task.status === 'review') return undefined;
  const r = task.review;
  const verdict = r?.verdict !== undefined && (task.status === 'done' || task.status === 'in_progress' || task.status === 'blocked') ? r.verdict : null;
  const reserved = verdict === 'approved' ? liveReservation(state, worker, now) : undefined;
  return { verdict, score: r?.score, feedback: r?.feedback, details: r?.details, summary: r?.summary, next: verdict === 'approved' ? (reserved ? claimStep(reserved) : { type: 'end' }) : null, task };
}
