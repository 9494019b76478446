// Op lock.acquire: lease a file or folder path for the caller. Re-acquiring your own lease extends it.
import { z } from 'zod';
import { DomainError } from '../errors.js';
import { idSource, mintId } from '../ids.js';
import { field, sameAgent } from '../inputs.js';
import { isActive, leasesCovering, pathsOverlap } from '../leases.js';
import { paths } from '../layout.js';
import { normalizeLockPath } from '../lock-paths.js';
import { defineOp, isoTime, type Change } from '../op.js';
import type { Lease } from '../schema.js';
import { getTask } from './task-claim.js';

export const lockAcquire = defineOp({
  name: 'lock.acquire',
  input: z.object({
    path: field.lockPath,
    owner: field.owner,
    ttlSec: field.ttlSec.optional().describe('Default 900'),
    task: field.taskId.optional(),
    reason: z.string().max(2_000).optional().describe('Shown to anyone blocked'),
  }),
  run(state, input, ctx) {
    const owner = sameAgent(input.owner, ctx.actor, 'owner');
    const path = normalizeLockPath(input.path, ctx.workTree);
    if (input.task) getTask(state, input.task);
    const ttlSec = input.ttlSec ?? state.meta().settings.lockTtlSec;
    const now = isoTime(ctx.now);
    const expiresAt = isoTime(ctx.now + ttlSec * 1000);
    const covering = leasesCovering(state, path);
    const live = covering.filter((l) => isActive(l, ctx.now));
    const other = live.find((l) => l.owner !== owner);
    if (other) {
      throw new DomainError('LOCK_HELD', `${path} is leased by ${other.owner} (${other.id}${other.task ? `, task ${other.task}` : ''}) until ${other.expiresAt}`, {
        path,
        holder: other.owner,
        leaseId: other.id,
        task: other.task,
        expiresAt: other.expiresAt,
        heldPath: other.paths.find((p) => pathsOverlap(p, path)),
      });
    }
    const mine = live.find((l) => l.paths.includes(path));
    if (mine) {
      const extended: Lease = { ...mine, ttlSec, heartbeatAt: now, expiresAt, reason: input.reason ?? mine.reason, task: input.task ?? mine.task };
      return {
        changes: [{ path: paths.lease(mine.id), value: extended }],
        result: { lease: extended, extended: true, tookOver: [] as { leaseId: string; owner: string }[] },
        event: { subject: `${mine.id} ${path} extended`, entities: [mine.id] },
      };
    }
    // Expired leases on this path are taken over: removed in the same commit, so history shows it.
    const expired = covering.filter((l) => !isActive(l, ctx.now));
    const changes: Change[] = expired.map((l) => ({ path: paths.lease(l.id), value: null }));
    const id = mintId(idSource(ctx.entropy), 'L', (candidate) => state.exists(paths.lease(candidate)));
    const lease: Lease = {
      id,
      owner,
      paths: [path],
      exclusive: true,
      task: input.task,
      reason: input.reason,
      acquiredAt: now,
      heartbeatAt: now,
      expiresAt,
      ttlSec,
    };
    changes.push({ path: paths.lease(id), value: lease });
    const tookOver = expired.map((l) => ({ leaseId: l.id, owner: l.owner }));
    return {
      changes,
      result: { lease, extended: false, tookOver },
      event: {
        subject: `${id} ${path}`,
        entities: [id, ...expired.map((l) => l.id)],
        data: tookOver.length ? { path, tookOver } : { path },
      },
    };
  },
});
