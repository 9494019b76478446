// Note and file-lease tools.
import type { z } from 'zod';
import { isDomainError, type DomainError } from '../../state/errors.js';
import { lockAcquire } from '../../state/ops/lock-acquire.js';
import { lockForceRelease } from '../../state/ops/lock-force-release.js';
import { lockHeartbeat } from '../../state/ops/lock-heartbeat.js';
import { lockRelease } from '../../state/ops/lock-release.js';
import { logAppend } from '../../state/ops/log-append.js';
import { noteAppend } from '../../state/ops/note-append.js';
import { lockList, lockListInput } from '../../state/queries/lock-list.js';
import { noteList, noteListInput } from '../../state/queries/note-list.js';
import { defineTool, EVERY_ROLE, type ToolCtx } from '../tool.js';
import { waitOptions } from '../wait.js';

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
  title: 'Lease files',
  description: 'Lease files, folders or globs before editing: all or none. Re-acquiring extends. LOCK_HELD names holders.',
  input: lockAcquire.input,
  roles: ['implementer'],
  annotations: {},
  async handler(args, ctx) {
    const start = Date.now();
    const r = args.waitSec ? await acquireWaiting(args, ctx) : await ctx.app.run(lockAcquire, args, ctx.who);
    const waitedMs = args.waitSec ? Date.now() - start : undefined;
    const what = r.created ? `Leased ${r.lease.paths.join(', ')} as ${r.lease.id}` : `Extended ${r.extended.join(', ')}`;
    return { structured: { ...r, waitedMs }, text: `${what} until ${r.lease.expiresAt}${r.created && r.extended.length ? `; extended ${r.extended.join(', ')}` : ''}` };
  },
});

/** Retry on LOCK_HELD, woken by state changes (not polling), up to waitSec capped by the server. */
async function acquireWaiting(args: z.output<typeof lockAcquire.input>, ctx: ToolCtx) {
  let held: DomainError | undefined;
  const attempt = async () => {
    try {
      return await ctx.app.run(lockAcquire, args, ctx.who);
    } catch (err) {
      if (!isDomainError(err) || err.code !== 'LOCK_HELD') throw err;
      held = err;
      return undefined;
    }
  };
  // The soonest a conflicting lease runs out: free then without any commit, so look again at that moment.
  const retryAt = () => {
    const conflicts = (held?.data?.conflicts ?? []) as { expiresAt?: string }[];
    const times = conflicts.map((c) => Date.parse(c.expiresAt ?? '')).filter((t) => Number.isFinite(t));
    return times.length ? Math.min(...times) + 1 : undefined;
  };
  const r = await ctx.app.waitUntil(attempt, { ...waitOptions(ctx, args.waitSec, `leases on ${args.path ?? args.paths?.[0]}`), retryAt });
  if (r.value === undefined) throw held!;
  return r.value;
}

export const lockReleaseTool = defineTool({
  name: 'lock_release',
  title: 'Release leases',
  description: 'Release paths as you leased them, or a whole lease by leaseId.',
  input: lockRelease.input,
  roles: ['implementer'],
  annotations: { idempotentHint: false },
  async handler(args, ctx) {
    const r = await ctx.app.run(lockRelease, args, ctx.who);
    return { structured: r, text: `Released ${r.released.join(', ')} (${r.leaseIds.join(', ')})` };
  },
});

export const lockHeartbeatTool = defineTool({
  name: 'lock_heartbeat',
  title: 'Extend leases',
  description: 'Extend your live leases (rarely needed: your activity renews them). Expired: LEASE_EXPIRED.',
  input: lockHeartbeat.input,
  roles: ['implementer'],
  annotations: {},
  async handler(args, ctx) {
    const r = await ctx.app.run(lockHeartbeat, args, ctx.who);
    return { structured: r, text: r.leases.map((l) => `${l.id} until ${l.expiresAt}`).join('\n') || 'no live leases' };
  },
});

export const lockForceReleaseTool = defineTool({
  name: 'lock_force_release',
  title: 'Force-release a lease',
  description: "Delete one lease by id (e.g. a dead agent's), with a reason.",
  input: lockForceRelease.input,
  roles: ['planner'],
  annotations: { destructiveHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.run(lockForceRelease, args, ctx.who);
    return { structured: r, text: `Released ${r.lease.id} of ${r.lease.owner} (${r.lease.paths.join(', ')})` };
  },
});

export const lockListTool = defineTool({
  name: 'lock_list',
  title: 'List leases',
  description: 'Active leases (includeExpired: all), by owner, or overlapping a path or glob pattern.',
  input: lockListInput,
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state, rc) => lockList(state, args, rc.now, rc.workTree));
    return { structured: r, text: r.leases.map((l) => `${l.id} ${l.owner}${l.exclusive ? '' : ' (shared)'} ${l.paths.join(' ')} until ${l.expiresAt}`).join('\n') || 'no active leases' };
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

export const noteLockTools = [noteAppendTool, noteListTool, logAppendTool, lockAcquireTool, lockReleaseTool, lockHeartbeatTool, lockForceReleaseTool, lockListTool];
