// Op task.reset: a planner puts a task back to a pristine todo for the next claimer. Its history
// stays in git (S16: nothing is rewritten); only this task's leases and extra docs go.
import { z } from 'zod';
import { released } from '../claims.js';
import { field } from '../core/inputs.js';
import { paths } from '../core/layout.js';
import { defineOp, type Change } from '../core/op.js';
import type { Task } from '../core/schema.js';
import { requirePlanner } from '../roles.js';
import { getTask } from '../tasks.js';

const input = z.object({
  task: field.taskId,
  reason: z.string().trim().max(2_000).optional(),
});

export interface TaskResetResult {
  task: Task;
  changed: boolean;
  releasedLeases: string[];
  deletedDocs: string[];
}

export const taskReset = defineOp<typeof input, TaskResetResult>({
  name: 'task.reset',
  input,
  run(state, input, ctx) {
    requirePlanner(ctx, 'reset tasks');
    const task = getTask(state, input.task);
    const next = released(task, ctx);
    const changes: Change[] = [];
    // Ids are unique across issues, so matching the task id alone never touches another issue's work (S16).
    const releasedLeases = state.leases().items.filter((l) => l.task === task.id).map((l) => l.id);
    for (const id of releasedLeases) changes.push({ path: paths.lease(id), value: null });
    // The spec doc is the task's definition: it stays; work notes of the previous claimer go.
    const folder = paths.docFolder('task', task.id);
    const spec = task.specDoc ? `${folder}/${task.specDoc.replace(/\.md$/, '')}.md` : undefined;
    const deletedDocs = state.filePaths(folder).filter((p) => p !== spec);
    for (const p of deletedDocs) changes.push({ path: p, value: null });
    const same = JSON.stringify({ ...next, updatedAt: task.updatedAt }) === JSON.stringify(task);
    if (same && changes.length === 0) return { changes: [], result: { task, changed: false, releasedLeases, deletedDocs } };
    changes.unshift({ path: paths.task(task.id), value: next });
    return {
      changes,
      result: { task: next, changed: true, releasedLeases, deletedDocs },
      event: {
        subject: `${task.id} -> todo`,
        entities: task.issue ? [task.id, task.issue] : [task.id],
        data: { reason: input.reason, from: task.status, owner: task.owner, releasedLeases: releasedLeases.length || undefined },
      },
    };
  },
});
