// Op lock.release: give back a leased path (or a whole lease). Only the holder can release.
import { z } from 'zod';
import { DomainError } from '../errors.js';
import { field, sameAgent } from '../inputs.js';
import { isActive, leasesCovering } from '../leases.js';
import { paths } from '../layout.js';
import { normalizeLockPath } from '../lock-paths.js';
import { defineOp, type Change } from '../op.js';
import { LeaseId, type Lease } from '../schema.js';

export const lockRelease = defineOp({
  name: 'lock.release',
  input: z
    .object({
      path: field.lockPath.optional(),
      leaseId: LeaseId.optional().describe('Instead of path'),
      owner: field.owner,
    })
    .refine((v) => (v.path === undefined) !== (v.leaseId === undefined), { message: 'give exactly one of path or leaseId' }),
  run(state, input, ctx) {
    const owner = sameAgent(input.owner, ctx.actor, 'owner');
    let lease: Lease | undefined;
    let path: string | undefined;
    if (input.leaseId !== undefined) {
      lease = state.lease(input.leaseId);
      if (!lease) throw new DomainError('LOCK_NOT_FOUND', `lease ${input.leaseId} does not exist (already released?)`, { leaseId: input.leaseId });
    } else {
      path = normalizeLockPath(input.path!, ctx.workTree);
      const exact = leasesCovering(state, path).filter((l) => l.paths.includes(path!));
      lease = exact.find((l) => l.owner === owner) ?? exact.find((l) => isActive(l, ctx.now));
      if (!lease) throw new DomainError('LOCK_NOT_FOUND', `no lease holds ${path}; lock_list shows current leases`, { path });
    }
    if (lease.owner !== owner) {
      throw new DomainError('NOT_OWNER', `lease ${lease.id} belongs to ${lease.owner}, not ${owner}`, { leaseId: lease.id, holder: lease.owner });
    }
    const rest = path === undefined ? [] : lease.paths.filter((p) => p !== path);
    const change: Change = rest.length ? { path: paths.lease(lease.id), value: { ...lease, paths: rest } } : { path: paths.lease(lease.id), value: null };
    const released = path === undefined ? lease.paths : [path];
    return {
      changes: [change],
      result: { leaseId: lease.id, released, wasExpired: !isActive(lease, ctx.now) },
      event: { subject: `${lease.id} ${released.join(' ')}`.slice(0, 200), entities: [lease.id], data: { paths: released.slice(0, 20) } },
    };
  },
});
