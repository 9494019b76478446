// Note and file-lease tools.
import { lockAcquire } from '../../state/ops/lock-acquire.js';
import { lockRelease } from '../../state/ops/lock-release.js';
import { logAppend } from '../../state/ops/log-append.js';
import { noteAppend } from '../../state/ops/note-append.js';
import { lockList, lockListInput } from '../../state/queries/lock-list.js';
import { noteList, noteListInput } from '../../state/queries/note-list.js';
import { defineTool, EVERY_ROLE } from '../tool.js';

export const noteAppendTool = defineTool({
  name: 'note_append',
  title: 'Append a note',
  description: 'Leave a note every agent reads, optionally about a task.',
  input: noteAppend.input,
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
  description: 'Latest notes, oldest first; filter by author, task, kind.',
  input: noteListInput,
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
  description: 'Lease a file or folder before editing. Re-acquiring extends yours; expired leases are taken over. Errors: LOCK_HELD (holder, task, expiry).',
  input: lockAcquire.input,
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
  description: 'Release a path you leased, or a whole lease by leaseId. Errors: LOCK_NOT_FOUND, NOT_OWNER.',
  input: lockRelease.input,
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
  description: 'Active leases (includeExpired for all), by owner or overlapping path.',
  input: lockListInput,
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state, rc) => lockList(state, args, rc.now, rc.workTree));
    return { structured: r, text: r.leases.map((l) => `${l.id} ${l.owner} ${l.paths.join(' ')} until ${l.expiresAt}`).join('\n') || 'no active leases' };
  },
});

export const logAppendTool = defineTool({
  name: 'log_append',
  title: 'Log an event',
  description: 'Record an event + small JSON payload in the state history (note_list kind log).',
  input: logAppend.input,
  roles: ['implementer', 'reviewer'],
  annotations: {},
  async handler(args, ctx) {
    const { note } = await ctx.app.run(logAppend, args, ctx.who);
    return { structured: { note }, text: `Logged ${note.event} (${note.id})` };
  },
});

export const noteLockTools = [noteAppendTool, noteListTool, logAppendTool, lockAcquireTool, lockReleaseTool, lockListTool];
