// Query behind task_wait: the tasks an implementer is waiting for (by default: those it can claim now).
import { z } from 'zod';
import { field } from '../core/inputs.js';
import { readyTasks } from '../tasks.js';
import { IssueId, type Task } from '../core/schema.js';
import type { State } from '../core/state.js';
import { claimExpired, reservedFor } from '../claims.js';

export const taskWaitInput = z.object({
  issue: IssueId.optional(),
  status: field.status.optional().describe('Default todo: tasks you can claim now'),
  limit: z.number().int().min(1).max(200).default(50),
});

export interface TaskRow {
  id: string;
  title: string;
  status: Task['status'];
  complexity: Task['complexity'];
  issue?: string;
  points?: number;
  owner?: string;
  reservedForYou?: true;
}

/** An expired claim reads as todo: anyone may claim the task again. */
function effectiveStatus(t: Task, now: number): Task['status'] {
  return claimExpired(t, now) ? 'todo' : t.status;
}

function row(t: Task, who: string, now: number): TaskRow {
  return {
    id: t.id,
    title: t.title,
    status: effectiveStatus(t, now),
    complexity: t.complexity,
    issue: t.issue,
    points: t.points,
    owner: claimExpired(t, now) ? undefined : t.owner,
    reservedForYou: reservedFor(t, now) === who ? true : undefined,
  };
}

/** Matching tasks, at most `limit`; todo means claimable by `who` (readyTasks order: best first). */
export function waitableTasks(state: State, who: string, now: number, input: z.output<typeof taskWaitInput>): TaskRow[] {
  let tasks: Task[];
  if (input.status === undefined || input.status === 'todo') tasks = readyTasks(state, who, now, input.issue);
  else {
    const items = input.issue === undefined ? state.tasks().items : state.issueTasks(input.issue);
    tasks = items.filter((t) => effectiveStatus(t, now) === input.status);
  }
  return tasks.slice(0, input.limit).map((t) => row(t, who, now));
}
