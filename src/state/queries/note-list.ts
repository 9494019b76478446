// Query note_list: the last N notes in chronological order (log_append entries only when asked for), under the reply limit.
import { z } from 'zod';
import { field } from '../core/inputs.js';
import { fitPage } from '../core/limits.js';
import { AgentName } from '../core/schema.js';
import { oldestFirst, type State } from '../core/state.js';

export const noteListInput = z.object({
  limit: field.limit.default(50),
  author: AgentName.optional(),
  task: field.taskId.optional(),
  kind: z.enum(['note', 'system', 'log']).optional(),
});

export function noteList(state: State, input: z.output<typeof noteListInput>) {
  const listing = state.notes();
  const all = listing.items
    .filter((n) => input.author === undefined || n.author === input.author)
    .filter((n) => input.task === undefined || n.task === input.task)
    .filter((n) => (input.kind === undefined ? n.kind !== 'log' : n.kind === input.kind))
    .sort(oldestFirst);
  // The newest first into the page, so what the reply limit leaves out are the oldest.
  const { page, oversized } = fitPage(all.slice(Math.max(0, all.length - input.limit)).reverse(), (n) => n.id);
  return { notes: page.reverse(), total: all.length, corrupt: listing.corrupt, oversized };
}
