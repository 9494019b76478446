// Docs library tools: write, read and list markdown docs (shared, per issue, per task).
import { docWrite } from '../../state/ops/doc-write.js';
import { docList, docListInput, docRead, docReadInput } from '../../state/queries/doc-list.js';
import { defineTool, EVERY_ROLE } from '../tool.js';

export const docWriteTool = defineTool({
  name: 'doc_write',
  title: 'Write a doc',
  description: 'Write a markdown doc (<= 1 MiB). shared/issue: planner; task: its owner or a planner.',
  input: docWrite.input,
  roles: ['planner', 'implementer'],
  annotations: { idempotentHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.run(docWrite, args, ctx.who);
    return { structured: { ...r }, text: r.changed ? `Wrote ${r.path} (${r.bytes} bytes)` : `${r.path} unchanged` };
  },
});

export const docReadTool = defineTool({
  name: 'doc_read',
  title: 'Read a doc',
  description: 'Read a doc by a name from doc_list. scope issue needs issue; task needs task.',
  input: docReadInput,
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state) => docRead(state, args));
    return { structured: { ...r }, text: r.content };
  },
});

export const docListTool = defineTool({
  name: 'doc_list',
  title: 'List docs',
  description: 'Doc names (a/b in sub-folders) of shared docs, an issue or a task; each reads back as is.',
  input: docListInput,
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state) => docList(state, args));
    return { structured: { ...r }, text: r.names.length ? `${r.names.length} doc(s) in ${r.folder}:\n${r.names.join('\n')}` : `no docs in ${r.folder}` };
  },
});

export const docTools = [docWriteTool, docReadTool, docListTool];
