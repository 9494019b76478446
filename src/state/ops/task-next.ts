// Op task.next: claim the best ready task for the caller in one commit (one winner per task under races).
import { z } from 'zod';
import { reservedFor } from '../claims.js';
import { field, sameAgent } from '../inputs.js';
import { defineOp } from '../op.js';
import { IssueId, type Task } from '../schema.js';
import { oldestFirst, type State } from '../state.js';
import { CLAIM_INSTRUCTIONS, claimRefusal, claimTask } from './task-claim.js';

/**
 * Tasks `who` could claim now, best first: one reserved for `who`, then those that unblock the most
 * open work, then the oldest. Ready = todo (or an expired claim), dependencies done, not reserved
 * for someone else, issue open.
 */
export function readyTasks(state: State, who: string, now: number, issue?: string, doneNow?: string): Task[] {
  const items = issue === undefined ? state.tasks().items : state.issueTasks(issue);
  const unblocks = new Map<string, number>();
  for (const t of items) {
    if (t.status === 'done' || t.status === 'canceled') continue;
    for (const dep of t.dependsOn) unblocks.set(dep, (unblocks.get(dep) ?? 0) + 1);
  }
  const mine = (t: Task) => (reservedFor(t, now) === who ? 1 : 0);
  return items
    .filter((t) => (t.status === 'todo' || t.status === 'in_progress' || t.status === 'blocked') && claimRefusal(state, t, who, now, doneNow) === undefined)
    .sort((a, b) => mine(b) - mine(a) || (unblocks.get(b.id) ?? 0) - (unblocks.get(a.id) ?? 0) || oldestFirst(a, b));
}

export interface TaskNextResult {
  claimed: boolean;
  task: Task | null;
  instruction?: string;
  hint?: string;
  expiredFrom?: string;
}

const input = z.object({ owner: field.owner, issue: IssueId.optional().describe('Only tasks of this issue') });

export const taskNext = defineOp<typeof input, TaskNextResult>({
  name: 'task.next',
  input,
  run(state, input, ctx) {
    const owner = sameAgent(input.owner, ctx.actor, 'owner');
    const [task] = readyTasks(state, owner, ctx.now, input.issue);
    if (!task) {
      const items = input.issue === undefined ? state.tasks().items : state.issueTasks(input.issue);
      const waiting = items.filter((t) => t.status === 'todo').length;
      const hint = waiting
        ? `No task is ready for you: ${waiting} todo task(s) wait on dependencies, a closed issue or another worker's reservation. Call events_wait and try again when something changes.`
        : 'No todo tasks. Call events_wait and try again when the planner adds work.';
      return { changes: [], result: { claimed: false, task: null, hint } };
    }
    const c = claimTask(state, task, owner, ctx);
    return {
      changes: c.changes,
      result: { claimed: true, task: c.task, instruction: CLAIM_INSTRUCTIONS[task.complexity], expiredFrom: c.expiredFrom },
      event: { subject: task.id, entities: task.issue ? [task.id, task.issue] : [task.id], data: { owner, expiredFrom: c.expiredFrom } },
    };
  },
});
