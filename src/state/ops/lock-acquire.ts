// Op lock.acquire: lease files, folders or globs for the caller, all or nothing in one commit.
// Paths one of your live leases already covers extend that lease in place (never moved between
// leases); the rest go into one new lease; expired leases on them are taken over in the same commit.
import { z } from 'zod';
import { LockstepError } from '../../errors.js';
import { patternsOverlap } from '../globs.js';
import { idSource, mintId } from '../core/ids.js';
import { field, sameAgent } from '../core/inputs.js';
import { isActive, leaseConflicts, liveLeasesOf, patternIncludes, requestedPaths, type LeaseConflict } from '../leases.js';
import { paths } from '../core/layout.js';
import { defineOp, type Change } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import type { Lease } from '../core/schema.js';
import { getTask } from '../tasks.js';

export interface TakenOver {
  leaseId: string;
  owner: string;
  paths: string[];
}

function lockHeld(conflicts: LeaseConflict[]): LockstepError {
  const c = conflicts[0]!;
  const more = conflicts.length > 1 ? `; ${conflicts.length - 1} more conflict(s) in data.conflicts` : '';
  return new LockstepError(
    'LOCK_HELD',
    `${c.path} overlaps ${c.heldPath} leased by ${c.holder} (${c.leaseId}${c.task ? `, task ${c.task}` : ''}) until ${c.expiresAt}${more}; nothing was leased. Retry with waitSec, work on something else, or ask the holder`,
    { conflicts, holder: c.holder, leaseId: c.leaseId, task: c.task, expiresAt: c.expiresAt, path: c.path, heldPath: c.heldPath },
  );
}

export const lockAcquire = defineOp({
  name: 'lock.acquire',
  input: z.object({
    path: field.lockPath.optional().describe('File, folder or glob'),
    paths: z.array(z.string().min(1).max(4096)).max(100).optional(),
    owner: field.owner,
    ttlSec: field.ttlSec.optional(),
    waitSec: field.timeoutSec.optional().describe('Wait for conflicting leases (capped)'),
    task: field.taskId.optional(),
    reason: z.string().max(2_000).optional(),
    exclusive: z.boolean().default(true).describe('false = shared with other shared leases'),
  }),
  run(state, input, ctx) {
    const owner = sameAgent(input.owner, ctx.actor, 'owner');
    const wanted = requestedPaths(input, ctx.workTree);
    if (input.task) getTask(state, input.task);
    // Every conflict first: one refusal changes nothing, not even your own leases (S1).
    const conflicts = leaseConflicts(state, owner, wanted, input.exclusive, ctx.now);
    if (conflicts.length) throw lockHeld(conflicts);

    const now = isoTime(ctx.now);
    // A shared lease of yours does not cover an exclusive request: that path gets a new exclusive lease.
    const mine = liveLeasesOf(state, owner, ctx.now).filter((l) => l.exclusive || !input.exclusive);
    const extended = new Map<string, Lease>();
    const fresh: string[] = [];
    for (const p of wanted) {
      const holder = mine.find((l) => l.paths.includes(p)) ?? mine.find((l) => l.paths.some((q) => patternIncludes(q, p)));
      if (!holder) fresh.push(p);
      else if (!extended.has(holder.id)) {
        const ttlSec = input.ttlSec ?? holder.ttlSec;
        const expiresAt = isoTime(Math.max(Date.parse(holder.expiresAt), ctx.now + ttlSec * 1000));
        extended.set(holder.id, { ...holder, ttlSec, heartbeatAt: now, expiresAt, reason: input.reason ?? holder.reason, task: holder.task ?? input.task });
      }
    }

    const changes: Change[] = [...extended.values()].map((l) => ({ path: paths.lease(l.id), value: l }));
    let created: Lease | undefined;
    const tookOver: TakenOver[] = [];
    if (fresh.length) {
      // Expired leases on the new paths are taken over: deleted in this commit, so history shows it.
      for (const l of state.leases().items) {
        if (isActive(l, ctx.now) || !l.paths.some((q) => fresh.some((p) => patternsOverlap(q, p)))) continue;
        tookOver.push({ leaseId: l.id, owner: l.owner, paths: l.paths });
        changes.push({ path: paths.lease(l.id), value: null });
      }
      const ttlSec = input.ttlSec ?? state.meta().settings.lockTtlSec;
      const id = mintId(idSource(ctx.entropy), 'L', (candidate) => state.exists(paths.lease(candidate)));
      created = { id, owner, paths: fresh, exclusive: input.exclusive, task: input.task, reason: input.reason, acquiredAt: now, heartbeatAt: now, expiresAt: isoTime(ctx.now + ttlSec * 1000), ttlSec };
      changes.push({ path: paths.lease(id), value: created });
    }
    const lease = created ?? [...extended.values()][0]!;
    const extendedIds = [...extended.keys()];
    return {
      changes,
      result: { lease, created: created !== undefined, extended: extendedIds, tookOver },
      event: {
        subject: `${lease.id} ${wanted.join(' ')}`.slice(0, 200),
        entities: [...(created ? [created.id] : []), ...extendedIds, ...tookOver.map((t) => t.leaseId)],
        data: {
          paths: wanted.slice(0, 20),
          ...(input.exclusive ? {} : { exclusive: false }),
          ...(extendedIds.length ? { extended: extendedIds } : {}),
          ...(tookOver.length ? { tookOver: tookOver.map((t) => ({ ...t, paths: t.paths.slice(0, 20) })) } : {}),
        },
      },
    };
  },
});
