// Op task.submit_for_review: the owner hands an in-progress task to the planner for review, with notes
// and/or structured artifacts. Idempotent (S12): a retry never creates a second submission.
import { z } from 'zod';
import { requireLiveClaim } from '../claims.js';
import { LockstepError } from '../../errors.js';
import { idSource } from '../core/ids.js';
import { field, sameAgent } from '../core/inputs.js';
import { paths } from '../core/layout.js';
import { noteChange } from '../notes.js';
import { defineOp } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import type { Task } from '../core/schema.js';
import { getTask } from '../tasks.js';

const input = z.object({
  id: field.taskId,
  owner: field.owner,
  reviewNotes: z.string().trim().min(1).max(20_000).optional().describe('What changed, how tested'),
  artifacts: z
    .object({
      summary: z.string().trim().min(1).max(20_000).optional(),
      changedFiles: z.array(z.string().min(1).max(1_000)).max(1_000).optional().describe('Repo-relative paths'),
      testCases: z.array(z.string().trim().min(1).max(2_000)).max(500).optional(),
      testResult: z.enum(['passed', 'failed']).optional(),
      testOutput: z.string().max(100_000).optional(),
      diff: z.string().max(200_000).optional(),
      links: z.array(z.string().trim().min(1).max(2_000)).max(100).optional(),
    })
    .optional(),
});

export interface SubmitResult {
  task: Task;
  /** The same submission was already made: nothing changed (a retry). */
  alreadySubmitted?: boolean;
  instruction: string;
}

function invalidPath(path: string, why: string): LockstepError {
  return new LockstepError('INVALID_INPUT', `changed file ${JSON.stringify(path.slice(0, 200))} ${why}; give paths relative to the repository root`, { path: path.slice(0, 200) });
}

/** A changed file as a repo-relative path: `./a//b` is `a/b`; `..` and absolute paths outside the repository are refused. */
export function changedFilePath(path: string, root: string | null): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(path)) throw invalidPath(path, 'contains control characters');
  let p = path.trim().replace(/\\/g, '/');
  if (p.startsWith('/') || /^[A-Za-z]:\//.test(p)) {
    const r = root?.replace(/\\/g, '/').replace(/\/+$/, '');
    if (!r || !p.startsWith(r + '/')) throw invalidPath(path, 'is outside the repository');
    p = p.slice(r.length);
  }
  const segments = p.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw invalidPath(path, 'has a ".." segment');
  if (segments.length === 0) throw invalidPath(path, 'names no file');
  return segments.join('/');
}

/** The content of a submission, to recognise a retry of the same one. */
function content(s: Task['submission'], notes: string | undefined): string {
  return JSON.stringify([notes, s?.summary, s?.changedFiles, s?.testCases, s?.testResult, s?.testOutput, s?.diff, s?.links]);
}

export const taskSubmitForReview = defineOp<typeof input, SubmitResult>({
  name: 'task.submit_for_review',
  input,
  run(state, input, ctx) {
    const owner = sameAgent(input.owner, ctx.actor, 'owner');
    const summary = input.artifacts?.summary ?? input.reviewNotes;
    if (summary === undefined) throw new LockstepError('INVALID_INPUT', 'say what you did: give reviewNotes or artifacts.summary', { id: input.id });
    const task = getTask(state, input.id);
    requireLiveClaim(task, owner, ctx.now);
    const now = isoTime(ctx.now);
    const a = input.artifacts;
    const submission: NonNullable<Task['submission']> = {
      at: now,
      by: owner,
      summary,
      changedFiles: [...new Set((a?.changedFiles ?? []).map((f) => changedFilePath(f, ctx.workTree)))],
      testCases: a?.testCases ?? [],
      testResult: a?.testResult,
      testOutput: a?.testOutput,
      diff: a?.diff,
      links: a?.links ?? [],
    };
    const notes = input.reviewNotes ?? summary;
    // The owner check passed; a task submitted before submissions were recorded has none.
    const mine = (task.submission?.by ?? owner) === owner;
    // Retries (S12): still in review, already approved, or the very same submission already sent back.
    const retry =
      (task.status === 'review' && mine) ||
      (task.status === 'done' && mine && task.review?.verdict === 'approved') ||
      (task.status === 'in_progress' && mine && task.review?.verdict === 'changes_requested' && content(task.submission, task.review.notes) === content(submission, notes));
    if (retry) {
      const instruction =
        task.status === 'review'
          ? 'Already submitted and still in review; nothing changed.'
          : `This submission was already reviewed (${task.review?.verdict}); nothing changed.${task.status === 'in_progress' ? ' Fix what the feedback asks, then submit again describing the fix.' : ''}`;
      return { changes: [], result: { task, alreadySubmitted: true, instruction } };
    }
    if (task.status === 'blocked') {
      throw new LockstepError('INVALID_TRANSITION', `task ${task.id} is blocked on an open question; wait for the planner's reply (task_ask) before submitting`, {
        id: task.id,
        from: task.status,
        to: 'review',
      });
    }
    if (task.status !== 'in_progress') {
      throw new LockstepError('INVALID_TRANSITION', `task ${task.id} is ${task.status}; only an in_progress task can be submitted for review`, {
        id: task.id,
        from: task.status,
        to: 'review',
      });
    }
    const next: Task = { ...task, status: 'review', submission, review: { notes, requestedAt: now }, updatedAt: now };
    const text = `[REVIEW] Task "${task.title}" (${task.id}) submitted for review by ${owner}. Planner: use task_approve or task_request_changes.`;
    const note = noteChange(state, ctx, idSource(ctx.entropy), { text, author: owner, kind: 'system', task: task.id });
    return {
      changes: [{ path: paths.task(task.id), value: next }, note.change],
      result: { task: next, instruction: 'Submitted. Take the next task (task_next) while the planner reviews; if changes are requested the task comes back in_progress with feedback.' },
      event: { subject: `${task.id} -> review`, entities: task.issue ? [task.id, task.issue] : [task.id], data: { status: 'review' } },
    };
  },
});
