// Query task_get: one task as a claimer sees it now: its open dependencies, and whether its claim expired.
import { z } from 'zod';
import { claimExpired } from '../claims.js';
import { field } from '../core/inputs.js';
import type { Task } from '../core/schema.js';
import type { State } from '../core/state.js';
import { getTask, openDependencies } from '../tasks.js';

export const taskGetInput = z.object({ id: field.taskId });

export interface TaskGetResult {
  task: Task;
  waitingOn: string[];
  /** The stored status stays until someone takes the task over; this says it is free already. */
  claimExpired?: true;
}

export function taskGet(state: State, input: z.output<typeof taskGetInput>, now: number): TaskGetResult {
  const task = getTask(state, input.id);
  return { task, waitingOn: openDependencies(state, task), ...(claimExpired(task, now) ? { claimExpired: true as const } : {}) };
}
