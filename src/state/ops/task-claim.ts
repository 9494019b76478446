// Op task.claim: take a todo task whose dependencies are done. Exactly one claimer wins (the store serialises).
import { z } from 'zod';
import { DomainError } from '../errors.js';
import { field, sameAgent } from '../inputs.js';
import { paths } from '../layout.js';
import { defineOp, isoTime, type Ctx } from '../op.js';
import type { Task } from '../schema.js';
import type { State } from '../state.js';

export const CLAIM_INSTRUCTIONS: Record<Task['complexity'], string> = {
  simple: 'Simple task: implement it, then set status done with task_update.',
  medium: 'Medium task: implement it, then submit it for review.',
  complex: 'Complex task: discuss your approach with the planner before changing code, then submit for review.',
  critical: 'Critical task: get the planner to approve your approach BEFORE starting, then submit for review.',
};

/** Dependencies that are not done yet; a task is ready only when this is empty. */
export function openDependencies(state: State, task: Task): string[] {
  return task.dependsOn.filter((dep) => state.task(dep)?.status !== 'done');
}

export function getTask(state: State, id: string): Task {
  const task = state.task(id);
  if (!task) throw new DomainError('TASK_NOT_FOUND', `task ${id} does not exist; task_list shows the ids`, { id });
  return task;
}

/** The task as `owner` holds it after a claim (task.claim and task.next). */
export function claimedBy(task: Task, owner: string, ctx: Ctx): Task {
  const now = isoTime(ctx.now);
  return { ...task, status: 'in_progress', owner, claim: { by: owner, at: now }, updatedAt: now };
}

export const taskClaim = defineOp({
  name: 'task.claim',
  input: z.object({ id: field.taskId, owner: field.owner }),
  run(state, input, ctx) {
    const owner = sameAgent(input.owner, ctx.actor, 'owner');
    const task = getTask(state, input.id);
    if (task.status !== 'todo') {
      const who = task.owner ? ` by ${task.owner}` : '';
      throw new DomainError('TASK_NOT_CLAIMABLE', `task ${task.id} is ${task.status}${who}; only todo tasks can be claimed`, {
        id: task.id,
        status: task.status,
        owner: task.owner,
      });
    }
    const waiting = openDependencies(state, task);
    if (waiting.length > 0) {
      throw new DomainError('TASK_NOT_CLAIMABLE', `task ${task.id} waits for ${waiting.join(', ')} to be done`, { id: task.id, waitingOn: waiting });
    }
    const claimed = claimedBy(task, owner, ctx);
    return {
      changes: [{ path: paths.task(task.id), value: claimed }],
      result: { task: claimed, instruction: CLAIM_INSTRUCTIONS[task.complexity] },
      event: { subject: task.id, entities: [task.id], data: { owner } },
    };
  },
});
