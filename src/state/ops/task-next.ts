// Op task.next: claim the best ready task for the caller in one commit (one winner per task under races).
import { z } from 'zod';
import { field, sameAgent } from '../core/inputs.js';
import { defineOp } from '../core/op.js';
import { IssueId, type Task } from '../core/schema.js';
import { claimInstruction, claimTask, readyTasks } from '../tasks.js';


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
      result: { claimed: true, task: c.task, instruction: claimInstruction(task), expiredFrom: c.expiredFrom },
      event: { subject: task.id, entities: task.issue ? [task.id, task.issue] : [task.id], data: { owner, expiredFrom: c.expiredFrom } },
    };
  },
});
