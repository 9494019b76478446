// Op task.extend_lease: the owner keeps a long-running issue task's claim alive (never revives an expired one).
import { z } from 'zod';
import { claimLeaseMs, requireLiveClaim } from '../claims.js';
import { LockstepError } from '../../errors.js';
import { field } from '../core/inputs.js';
import { paths } from '../core/layout.js';
import { requireWorkingStatus } from '../messages.js';
import { defineOp } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import type { Task } from '../core/schema.js';
import { getTask } from '../tasks.js';

const input = z.object({
  task: field.taskId,
  extendSec: z.number().int().min(60).max(86_400).optional().describe('From now; default the task lease'),
});

export interface TaskExtendLeaseResult {
  task: Task;
  expiresAt: string;
  extended: boolean;
}

export const taskExtendLease = defineOp<typeof input, TaskExtendLeaseResult>({
  name: 'task.extend_lease',
  input,
  run(state, input, ctx) {
    const task = getTask(state, input.task);
    requireLiveClaim(task, ctx.actor, ctx.now);
    if (claimLeaseMs(state, task) === undefined || !task.claim?.expiresAt) {
      throw new LockstepError('INVALID_INPUT', `task ${task.id} is a project task: it has no claim lease to extend (only issue tasks do)`, { id: task.id });
    }
    requireWorkingStatus(task, 'have its lease extended');
    const extendMs = (input.extendSec ?? state.meta().settings.taskLeaseSec) * 1000;
    const current = Date.parse(task.claim.expiresAt);
    // Never shortens: an earlier, longer extension stays.
    const until = Math.max(current, ctx.now + extendMs);
    if (until === current) return { changes: [], result: { task, expiresAt: task.claim.expiresAt, extended: false } };
    const expiresAt = isoTime(until);
    const next: Task = { ...task, claim: { ...task.claim, expiresAt } };
    return {
      changes: [{ path: paths.task(task.id), value: next }],
      result: { task: next, expiresAt, extended: true },
      event: { subject: `${task.id} lease until ${expiresAt}`, entities: task.issue ? [task.id, task.issue] : [task.id], data: { expiresAt } },
    };
  },
});
