// Docs library tools: write, read and list markdown docs (shared, per issue, per task).
import { useCases } from '../../app/use-cases.js';
import { EVERY_ROLE, tool } from '../tool.js';

export const docTools = [
  tool(useCases.docWrite, {
    title: 'Write a doc',
    description: 'Write a markdown doc (<= 1 MiB). shared/issue: planner; task: its owner or a planner.',
    roles: ['planner', 'implementer'],
    annotations: { idempotentHint: true },
    text: (r) => (r.changed ? `Wrote ${r.path} (${r.bytes} bytes)` : `${r.path} unchanged`),
  }),
  tool(useCases.docRead, {
    title: 'Read a doc',
    description: 'Read a doc named by doc_list; scope issue needs issue, task needs task.',
    roles: EVERY_ROLE,
    annotations: { readOnlyHint: true },
    text: (r) => (r.truncated ? `${r.content}\n[truncated: ${r.nextOffset} of ${r.length} characters; doc_read with offset ${r.nextOffset} reads on]` : r.content),
  }),
  tool(useCases.docList, {
    title: 'List docs',
    description: 'Doc names (a/b in sub-folders) of shared docs, an issue or a task.',
    roles: EVERY_ROLE,
    annotations: { readOnlyHint: true },
    text: (r) => (r.names.length ? `${r.names.length} doc(s) in ${r.folder}:\n${r.names.join('\n')}` : `no docs in ${r.folder}`),
  }),
];
