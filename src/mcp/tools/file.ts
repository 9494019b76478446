// file_read, file_write: the agent's files (relative paths start at the repository root; never .git).
import { useCases } from '../../app/use-cases.js';
import type { ReadResult } from '../../app/host.js';
import { EVERY_ROLE, tool } from '../tool.js';

export const readText = (r: ReadResult) => (r.truncated ? `${r.content}\n[truncated: call again with offset ${r.nextOffset} to read on]` : r.content);

export const fileTools = [
  tool(useCases.fileRead, {
    title: 'Read a file',
    description: 'Read a file.',
    roles: EVERY_ROLE,
    annotations: { readOnlyHint: true },
    text: readText,
  }),
  tool(useCases.fileWrite, {
    title: 'Write a file',
    description: 'Write or append to a file (not .git).',
    roles: ['implementer'],
    annotations: { destructiveHint: true },
    text: (r) => `Wrote ${r.bytes} bytes to ${r.path}`,
  }),
];
