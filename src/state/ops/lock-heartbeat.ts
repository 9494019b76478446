// Op lock.heartbeat: push the caller's live leases out (one by id, or all of them). Never revives
// an expired lease (S2) and by default extends by the lease's own TTL, not a fixed one (S4).
import { z } from 'zod';
import { LockstepError } from '../../errors.js';
import { field } from '../core/inputs.js';
import { isActive, liveLeasesOf } from '../leases.js';
import { paths } from '../core/layout.js';
import { defineOp } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import { LeaseId, type Lease } from '../core/schema.js';

export const lockHeartbeat = defineOp({
  name: 'lock.heartbeat',
  input: z.object({
    leaseId: LeaseId.optional().describe('Default: all your live leases'),
    extendSec: field.ttlSec.optional().describe("Default: the lease's ttlSec"),
  }),
  run(state, input, ctx) {
    let leases: Lease[];
    if (input.leaseId !== undefined) {
      const lease = state.lease(input.leaseId);
      if (!lease) {
        throw new LockstepError('LOCK_NOT_FOUND', `lease ${input.leaseId} does not exist: it was released, or it expired and was taken over; lock_acquire the paths again`, { leaseId: input.leaseId });
      }
      if (lease.owner !== ctx.actor) throw new LockstepError('NOT_OWNER', `lease ${lease.id} belongs to ${lease.owner}, not ${ctx.actor}`, { leaseId: lease.id, holder: lease.owner });
      if (!isActive(lease, ctx.now)) {
        throw new LockstepError('LEASE_EXPIRED', `lease ${lease.id} expired at ${lease.expiresAt}; others may hold its paths now: lock_acquire them again`, { leaseId: lease.id, expiresAt: lease.expiresAt });
      }
      leases = [lease];
    } else {
      leases = liveLeasesOf(state, ctx.actor, ctx.now);
    }
    const now = isoTime(ctx.now);
    // Never shortens: a small extendSec on a long lease leaves its expiry as it is.
    const extended = leases.map((l): Lease => ({ ...l, heartbeatAt: now, expiresAt: isoTime(Math.max(Date.parse(l.expiresAt), ctx.now + (input.extendSec ?? l.ttlSec) * 1000)) }));
    return {
      changes: extended.map((l) => ({ path: paths.lease(l.id), value: l })),
      result: { leases: extended },
      event: { subject: extended.map((l) => l.id).join(' ').slice(0, 200), entities: extended.map((l) => l.id) },
    };
  },
});
