// Query task_list: filter, order (oldest first), paginate; done tasks hidden unless asked for.
import { z } from 'zod';
import { field } from '../core/inputs.js';
import { AgentName, IssueId, type Task } from '../core/schema.js';
import { fitPage, summarised } from '../core/limits.js';
import { oldestFirst, type CorruptFile, type State } from '../core/state.js';

export const taskListInput = z.object({
  status: field.status.optional(),
  owner: AgentName.optional(),
  tag: z.string().max(100).optional(),
  issue: IssueId.optional(),
  includeDone: z.boolean().default(false),
  limit: field.limit.default(50),
  offset: field.offset.default(0),
});

export interface TaskListResult {
  tasks: Task[];
  total: number;
  offset: number;
  hasMore: boolean;
  doneCount: number;
  corrupt: CorruptFile[];
  /** Tasks too big to list in full (usually a hand edit): listed with their small fields, big metadata replaced by a marker. */
  oversized: string[];
  hint?: string;
}

/** An oversized task as listed: its small fields, and big metadata replaced by a marker. */
function summary(t: Task, bytes: number): Task {
  const out = summarised(t, bytes);
  if (t.metadata !== undefined && out.metadata === undefined) out.metadata = { oversized: `left out (the task is ${bytes} bytes); task_update with smaller metadata fixes it` };
  return out;
}

const sorted = new WeakMap<Task[], Task[]>();

/** Tasks oldest first; memoised per listing, which is per snapshot. */
function byCreation(items: Task[]): Task[] {
  let out = sorted.get(items);
  if (!out) {
    out = [...items].sort(oldestFirst);
    sorted.set(items, out);
  }
  return out;
}

export function taskList(state: State, input: z.output<typeof taskListInput>): TaskListResult {
  const listing = state.tasks();
  const finished = (t: Task) => t.status === 'done' || t.status === 'canceled';
  let doneCount = 0;
  // An issue's tasks come already sorted (oldest first) from one pass over the tasks.
  const items = input.issue === undefined ? byCreation(listing.items) : state.issueTasks(input.issue);
  const matches = items.filter((t) => {
    if (finished(t)) doneCount++;
    if (input.status !== undefined) {
      if (t.status !== input.status) return false;
    } else if (!input.includeDone && finished(t)) return false;
    if (input.owner !== undefined && t.owner !== input.owner) return false;
    if (input.tag !== undefined && !t.tags.includes(input.tag)) return false;
    return true;
  });
  // Whatever the state holds (hand edits included), the page stays under the reply limit.
  const { page, oversized } = fitPage(matches.slice(input.offset, input.offset + input.limit), (t) => t.id, summary);
  const meta = state.meta();
  let hint: string | undefined;
  if (meta.projectStatus === 'stopped') hint = 'PROJECT STOPPED - cease work immediately';
  else if (meta.projectStatus === 'complete') hint = 'PROJECT COMPLETE - no more work needed';
  else if (input.status === undefined && !input.includeDone && doneCount > 0) hint = `${doneCount} done task(s) hidden; pass includeDone to see them`;
  return {
    tasks: page,
    total: matches.length,
    offset: input.offset,
    hasMore: input.offset + page.length < matches.length,
    doneCount,
    corrupt: listing.corrupt,
    oversized,
    hint,
  };
}
