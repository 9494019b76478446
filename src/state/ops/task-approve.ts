// Op task.approve: the planner accepts a task in review; it becomes done. With reserveNext, the same
// commit reserves the worker's next task (difficulty policy), bound to the worker's name.
import { z } from 'zod';
import { allCompleteChange } from '../tasks.js';
import { chooseNext, type Tier } from '../difficulty.js';
import { idSource } from '../core/ids.js';
import { field } from '../core/inputs.js';
import { paths } from '../core/layout.js';
import { defineOp, type Change } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import { approved, approvedNote, claimStep, liveReservation, taskInReview, verdictInput, type NextStep } from '../review.js';
import type { Task } from '../core/schema.js';
import { requirePlanner } from '../roles.js';

const input = z.object({
  id: field.taskId,
  feedback: z.string().trim().min(1).max(20_000).optional(),
  ...verdictInput,
  reserveNext: z.boolean().optional(),
});

export interface ApproveResult {
  task: Task;
  allComplete: boolean;
  /** With reserveNext: the task reserved for the worker (or the one it already holds), or end. */
  /** The worker's next step: the task reserved for it, or the end (what its waiting submit learns too). */
  next: NextStep;
  tier?: Tier;
  workerPoints?: number;
  consecutiveLowScores?: number;
}

export const taskApprove = defineOp<typeof input, ApproveResult>({
  name: 'task.approve',
  input,
  run(state, input, ctx) {
    requirePlanner(ctx, 'approve tasks');
    const task = taskInReview(state, input.id);
    const next = approved(task, input, ctx);
    const rng = idSource(ctx.entropy);
    const changes: Change[] = [{ path: paths.task(task.id), value: next }, approvedNote(state, ctx, rng, task, input)];
    const complete = allCompleteChange(state, ctx, rng, [next]);
    if (complete) changes.push(complete);
    const result: Omit<ApproveResult, 'next'> & { next?: NextStep } = { task: next, allComplete: complete !== undefined };
    const entities = task.issue ? [task.id, task.issue] : [task.id];
    const worker = task.owner;
    let reservedNow: string | undefined;
    if (input.reserveNext && worker !== undefined) {
      const choice = chooseNext(state, worker, next, ctx.now);
      result.tier = choice.tier;
      result.workerPoints = choice.workerPoints;
      result.consecutiveLowScores = choice.consecutiveLowScores;
      // One reservation per worker: approving again (or retrying) returns the one it holds.
      const held = liveReservation(state, worker, ctx.now);
      if (held) result.next = claimStep(held);
      else if (choice.task) {
        const reserved: Task = {
          ...choice.task,
          reservation: { for: worker, until: isoTime(ctx.now + state.meta().settings.reservationSec * 1000), by: ctx.actor, after: task.id },
          updatedAt: isoTime(ctx.now),
        };
        changes.push({ path: paths.task(reserved.id), value: reserved });
        entities.push(reserved.id);
        reservedNow = reserved.id;
        result.next = claimStep(reserved);
      } else result.next = { type: 'end' };
    }
    // The worker's next step, the same that its waiting submit learns: a task held for it, or the end.
    if (result.next === undefined) {
      const held = worker === undefined ? undefined : liveReservation(state, worker, ctx.now);
      result.next = held ? claimStep(held) : { type: 'end' };
    }
    return {
      changes,
      result: { ...result, next: result.next } satisfies ApproveResult,
      event: {
        subject: `${task.id} -> done`,
        entities,
        data: { status: 'done', score: input.score, allComplete: complete !== undefined || undefined, reserved: reservedNow, for: reservedNow ? worker : undefined },
      },
    };
  },
});
