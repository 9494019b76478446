// Query note_list: the last N notes in chronological order.
import { z } from 'zod';
import { field } from '../inputs.js';
import { AgentName } from '../schema.js';
import type { State } from '../state.js';

export const noteListInput = z.object({
  limit: field.limit.default(50).describe('The most recent N notes, oldest first'),
  author: AgentName.optional(),
  task: field.taskId.optional(),
});

export function noteList(state: State, input: z.output<typeof noteListInput>) {
  const listing = state.notes();
  const all = listing.items
    .filter((n) => input.author === undefined || n.author === input.author)
    .filter((n) => input.task === undefined || n.task === input.task)
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
  return { notes: all.slice(Math.max(0, all.length - input.limit)), total: all.length, corrupt: listing.corrupt };
}
