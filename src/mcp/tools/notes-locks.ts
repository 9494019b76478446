// Note and file-lease tools.
import { z } from 'zod';
import { lockAcquire } from '../../state/ops/lock-acquire.js';
import { lockRelease } from '../../state/ops/lock-release.js';
import { noteAppend } from '../../state/ops/note-append.js';
import { lockList, lockListInput } from '../../state/queries/lock-list.js';
import { noteList, noteListInput } from '../../state/queries/note-list.js';
import { defineTool, EVERY_ROLE, obj, out } from '../tool.js';

export const noteAppendTool = defineTool({
  name: 'note_append',
  title: 'Append a note',
  description: 'Leave a note every agent can read (progress, decisions, hand-offs). Optionally about a task.',
  input: noteAppend.input,
  output: out({ note: obj }),
  roles: EVERY_ROLE,
  annotations: {},
  async handler(args, ctx) {
    const { note } = await ctx.app.run(noteAppend, args, ctx.who);
    return { structured: { note }, text: `Noted ${note.id}` };
  },
});

export const noteListTool = defineTool({
  name: 'note_list',
  title: 'Read notes',
  description: 'The most recent notes, oldest first; filter by author or task.',
  input: noteListInput,
  output: out({ notes: z.array(obj), total: z.number() }),
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state) => noteList(state, args));
    return { structured: r, text: r.notes.map((n) => `${n.createdAt} ${n.author}: ${n.text}`).join('\n') || 'no notes' };
  },
});

export const lockAcquireTool = defineTool({
  name: 'lock_acquire',
  title: 'Lease a file',
  description:
    'Lease a file or folder before editing it, so no one else edits it meanwhile. Your own lease on the same path is extended. Expired leases are taken over. Errors: LOCK_HELD (data names holder, task, expiry).',
  input: lockAcquire.input,
  output: out({ lease: obj, extended: z.boolean() }),
  roles: ['implementer'],
  annotations: {},
  async handler(args, ctx) {
    const r = await ctx.app.run(lockAcquire, args, ctx.who);
    return { structured: r, text: `${r.extended ? 'Extended' : 'Leased'} ${r.lease.paths.join(', ')} as ${r.lease.id} until ${r.lease.expiresAt}` };
  },
});

export const lockReleaseTool = defineTool({
  name: 'lock_release',
  title: 'Release a lease',
  description: 'Give back a path you leased (or a whole lease by leaseId). Errors: LOCK_NOT_FOUND, NOT_OWNER.',
  input: lockRelease.input,
  output: out({ leaseId: z.string(), released: z.array(z.string()) }),
  roles: ['implementer'],
  annotations: { idempotentHint: false },
  async handler(args, ctx) {
    const r = await ctx.app.run(lockRelease, args, ctx.who);
    return { structured: r, text: `Released ${r.released.join(', ')} (${r.leaseId})` };
  },
});

export const lockListTool = defineTool({
  name: 'lock_list',
  title: 'List leases',
  description: 'Active file leases (all with includeExpired), by owner or overlapping a path.',
  input: lockListInput,
  output: out({ leases: z.array(obj) }),
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state, rc) => lockList(state, args, rc.now, rc.workTree));
    return { structured: r, text: r.leases.map((l) => `${l.id} ${l.owner} ${l.paths.join(' ')} until ${l.expiresAt}`).join('\n') || 'no active leases' };
  },
});

export const noteLockTools = [noteAppendTool, noteListTool, lockAcquireTool, lockReleaseTool, lockListTool];
