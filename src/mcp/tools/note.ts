// Note tools: leave a note every agent reads, and read the latest ones.
import { useCases } from '../../app/use-cases.js';
import { EVERY_ROLE, tool } from '../tool.js';

export const noteTools = [
  tool(useCases.noteAppend, {
    title: 'Append a note',
    description: 'Leave a note every agent reads, optionally about a task.',
    roles: EVERY_ROLE,
    text: ({ note }) => `Noted ${note.id}`,
  }),
  tool(useCases.noteList, {
    title: 'Read notes',
    description: 'Latest notes, oldest first; filter by author, task, kind.',
    roles: EVERY_ROLE,
    annotations: { readOnlyHint: true },
    text: (r) => r.notes.map((n) => `${n.createdAt} ${n.author}: ${n.text}`).join('\n') || 'no notes',
  }),
];
