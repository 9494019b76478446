// The "ALL TASKS COMPLETE" system note, left in the same commit as the change that finished the last task.
import { noteChange } from './notes.js';
import type { Change, Ctx } from './op.js';
import type { Task } from './schema.js';
import { OPEN_STATUSES, type State } from './state.js';

export const ALL_COMPLETE_TEXT =
  "[SYSTEM] ALL TASKS COMPLETE! Planner: review the work and call project_status_set({ status: 'complete' }) if satisfied, or create more tasks.";

/**
 * The note to add when `updated` (tasks this op changes) finishes the last open task. Nothing when
 * none of them became done, or when some task is still open (counting the updated versions).
 */
export function allCompleteChange(state: State, ctx: Ctx, rng: () => number, updated: Task[]): Change | undefined {
  if (!updated.some((t) => t.status === 'done')) return undefined;
  let open = state.openTaskCount();
  for (const t of updated) {
    const before = state.task(t.id);
    if (before && OPEN_STATUSES.has(before.status)) open--;
    if (OPEN_STATUSES.has(t.status)) open++;
  }
  if (open > 0) return undefined;
  return noteChange(state, ctx, rng, { text: ALL_COMPLETE_TEXT, author: 'system', kind: 'system' }).change;
}
