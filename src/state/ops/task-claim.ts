// Op task.claim: take a todo task whose dependencies are done. Exactly one claimer wins (the store serialises).
import { z } from 'zod';
import { field, sameAgent } from '../core/inputs.js';
import { defineOp } from '../core/op.js';
import { claimInstruction, claimRefusal, claimTask, getTask } from '../tasks.js';

export const taskClaim = defineOp({
  name: 'task.claim',
  input: z.object({ id: field.taskId, owner: field.owner }),
  run(state, input, ctx) {
    const owner = sameAgent(input.owner, ctx.actor, 'owner');
    const task = getTask(state, input.id);
    const refusal = claimRefusal(state, task, owner, ctx.now);
    if (refusal) throw refusal;
    const c = claimTask(state, task, owner, ctx);
    return {
      changes: c.changes,
      result: { task: c.task, instruction: claimInstruction(task), expiredFrom: c.expiredFrom },
      event: { subject: task.id, entities: task.issue ? [task.id, task.issue] : [task.id], data: { owner, expiredFrom: c.expiredFrom } },
    };
  },
});
