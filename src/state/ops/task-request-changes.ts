// Op task.request_changes: the planner sends a task in review back to its owner with feedback. The
// same commit releases every reservation held for that worker (S24: a rejected review reserves nothing).
import { z } from 'zod';
import { reservedFor } from '../claims.js';
import { idSource } from '../core/ids.js';
import { field } from '../core/inputs.js';
import { paths } from '../core/layout.js';
import { noteChange } from '../notes.js';
import { defineOp, type Change } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import { changesRequested, taskInReview, verdictInput } from '../review.js';
import type { Task } from '../core/schema.js';
import { requirePlanner } from '../roles.js';

export const taskRequestChanges = defineOp({
  name: 'task.request_changes',
  input: z.object({ id: field.taskId, feedback: z.string().trim().min(1).max(20_000).describe('What must change'), ...verdictInput }),
  run(state, input, ctx) {
    requirePlanner(ctx, 'request changes');
    const task = taskInReview(state, input.id);
    const next = changesRequested(state, task, input, ctx);
    const text = `[CHANGES REQUESTED] Task "${task.title}" (${task.id}) needs changes: ${input.feedback}`;
    const changes: Change[] = [
      { path: paths.task(task.id), value: next },
      noteChange(state, ctx, idSource(ctx.entropy), { text, author: ctx.actor, kind: 'system', task: task.id }).change,
    ];
    const released: string[] = [];
    if (task.owner !== undefined) {
      for (const t of state.tasks().items) {
        if (t.id === task.id || reservedFor(t, ctx.now) !== task.owner) continue;
        const free: Task = { ...t, updatedAt: isoTime(ctx.now) };
        delete free.reservation;
        changes.push({ path: paths.task(t.id), value: free });
        released.push(t.id);
      }
    }
    return {
      changes,
      result: { task: next, releasedReservations: released, instruction: `Sent back to ${task.owner ?? 'its owner'} (in_progress). They fix it and submit again.` },
      event: {
        subject: `${task.id} -> in_progress`,
        entities: [task.id, ...(task.issue ? [task.issue] : []), ...released],
        data: { status: 'in_progress', verdict: 'changes_requested', score: input.score, released: released.length ? released : undefined },
      },
    };
  },
});
