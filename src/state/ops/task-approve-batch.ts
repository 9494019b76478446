// Op task.approve_batch: approve many tasks in review in one commit; a task that cannot be approved is reported, not fatal.
import { z } from 'zod';
import { allCompleteChange } from '../tasks.js';
import { isLockstepError } from '../../errors.js';
import { idSource } from '../core/ids.js';
import { field } from '../core/inputs.js';
import { paths } from '../core/layout.js';
import { defineOp, type Change } from '../core/op.js';
import type { Task } from '../core/schema.js';
import { approved, approvedNote, taskInReview } from '../review.js';
import { requirePlanner } from '../roles.js';

interface BatchItem {
  id: string;
  approved: boolean;
  title?: string;
  error?: { code: string; message: string };
}

export const taskApproveBatch = defineOp({
  name: 'task.approve_batch',
  input: z.object({
    ids: z.array(field.taskId).min(1).max(100),
    feedback: z.string().trim().min(1).max(20_000).optional(),
  }),
  run(state, input, ctx) {
    requirePlanner(ctx, 'approve tasks');
    const rng = idSource(ctx.entropy);
    const changes: Change[] = [];
    const done: Task[] = [];
    const results: BatchItem[] = [];
    for (const id of new Set(input.ids)) {
      let task: Task;
      try {
        task = taskInReview(state, id);
      } catch (err) {
        // Only domain refusals are per-item results; anything else (a corrupt file) fails the call.
        if (!isLockstepError(err) || err.code === 'STATE_CORRUPT') throw err;
        results.push({ id, approved: false, error: { code: err.code, message: err.message } });
        continue;
      }
      const next = approved(task, { feedback: input.feedback }, ctx);
      done.push(next);
      results.push({ id, approved: true, title: task.title });
      changes.push({ path: paths.task(id), value: next });
      changes.push(approvedNote(state, ctx, rng, task, { feedback: input.feedback }));
    }
    const complete = allCompleteChange(state, ctx, rng, done);
    if (complete) changes.push(complete);
    const ids = done.map((t) => t.id);
    return {
      changes,
      result: { total: results.length, approved: ids.length, failed: results.length - ids.length, results, allComplete: complete !== undefined },
      event: ids.length ? { subject: ids.join(' '), entities: ids, data: { status: 'done', allComplete: complete !== undefined || undefined } } : undefined,
    };
  },
});
