// log_append: a structured event with a small payload in the state history (note_list kind log).
import { useCases } from '../../app/use-cases.js';
import { tool } from '../tool.js';

export const logTools = [
  tool(useCases.logAppend, {
    title: 'Log an event',
    description: 'Record an event + small JSON payload in the state history (note_list kind log).',
    roles: ['implementer', 'reviewer'],
    text: ({ note }) => `Logged ${note.event} (${note.id})`,
  }),
];
