// Op task.next: claim the best ready task for the caller in one commit (one winner per task under races).
import { z } from 'zod';
import { field, sameAgent } from '../inputs.js';
import { paths } from '../layout.js';
import { defineOp } from '../op.js';
import type { Task } from '../schema.js';
import type { State } from '../state.js';
import { CLAIM_INSTRUCTIONS, claimedBy, openDependencies } from './task-claim.js';

/**
 * Ready todo tasks, best first: tasks that unblock the most open work, then the oldest. A task is
 * ready when every dependency is done.
 */
export function readyTasks(state: State): Task[] {
  const items = state.tasks().items;
  const unblocks = new Map<string, number>();
  for (const t of items) {
    if (t.status === 'done' || t.status === 'canceled') continue;
    for (const dep of t.dependsOn) unblocks.set(dep, (unblocks.get(dep) ?? 0) + 1);
  }
  return items
    .filter((t) => t.status === 'todo' && openDependencies(state, t).length === 0)
    .sort((a, b) => (unblocks.get(b.id) ?? 0) - (unblocks.get(a.id) ?? 0) || (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
}

export interface TaskNextResult {
  claimed: boolean;
  task: Task | null;
  instruction?: string;
  hint?: string;
}

export const taskNext = defineOp<z.ZodObject<{ owner: typeof field.owner }>, TaskNextResult>({
  name: 'task.next',
  input: z.object({ owner: field.owner }),
  run(state, input, ctx) {
    const owner = sameAgent(input.owner, ctx.actor, 'owner');
    const [task] = readyTasks(state);
    if (!task) {
      const waiting = state.tasks().items.filter((t) => t.status === 'todo').length;
      const hint = waiting
        ? `No task is ready: ${waiting} todo task(s) wait on dependencies. Call events_wait and try again when something changes.`
        : 'No todo tasks. Call events_wait and try again when the planner adds work.';
      return { changes: [], result: { claimed: false, task: null, hint } };
    }
    const claimed = claimedBy(task, owner, ctx);
    return {
      changes: [{ path: paths.task(task.id), value: claimed }],
      result: { claimed: true, task: claimed, instruction: CLAIM_INSTRUCTIONS[task.complexity] },
      event: { subject: task.id, entities: [task.id], data: { owner } },
    };
  },
});
