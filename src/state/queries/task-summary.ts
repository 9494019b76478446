// Query task_summary: counts by status, completion, and what the planner should look at next.
import { TASK_STATUSES, type TaskStatus } from '../core/schema.js';
import type { State } from '../core/state.js';

/** How many readable tasks have each status (status_get and task_summary). */
export function countByStatus(state: State): Record<TaskStatus, number> {
  const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const t of state.tasks().items) counts[t.status]++;
  return counts;
}

export function taskSummary(state: State) {
  const summary = countByStatus(state);
  const items = state.tasks().items;
  const counted = items.length - summary.canceled;
  const completionPercent = counted === 0 ? 0 : Math.round((summary.done / counted) * 100);
  let hint: string;
  if (counted === 0) hint = 'No tasks yet.';
  else if (summary.review > 0) hint = `${summary.review} task(s) pending review: task_approve or task_request_changes.`;
  else if (summary.done === counted) hint = 'All tasks complete!';
  else if (summary.blocked > 0) hint = `${summary.blocked} task(s) blocked: check discussion_inbox.`;
  else hint = `${counted - summary.done} task(s) still open.`;
  return { summary: { total: items.length, ...summary }, completionPercent, projectStatus: state.meta().projectStatus, hint, corrupt: state.tasks().corrupt };
}
