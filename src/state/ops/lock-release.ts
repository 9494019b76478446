// Op lock.release: give back leased paths (each as it was leased) or a whole lease by id. Only the
// holder can release; any refusal releases nothing.
import { z } from 'zod';
import { LockstepError } from '../../errors.js';
import { field, sameAgent } from '../core/inputs.js';
import { isActive, leasesCovering, requestedPaths } from '../leases.js';
import { paths } from '../core/layout.js';
import { defineOp, type Change } from '../core/op.js';
import { LeaseId, type Lease } from '../core/schema.js';

export const lockRelease = defineOp({
  name: 'lock.release',
  input: z
    .object({
      path: field.lockPath.optional(),
      paths: z.array(z.string().min(1).max(4096)).max(100).optional(),
      leaseId: LeaseId.optional().describe('Instead of paths: the whole lease'),
      owner: field.owner,
    })
    .refine((v) => (v.path === undefined && v.paths === undefined) !== (v.leaseId === undefined), { message: 'give path/paths or leaseId, not both' }),
  run(state, input, ctx) {
    const owner = sameAgent(input.owner, ctx.actor, 'owner');
    // Lease id -> the paths released from it; a lease left with no path is deleted.
    const releasing = new Map<string, { lease: Lease; paths: string[] }>();
    if (input.leaseId !== undefined) {
      const lease = state.lease(input.leaseId);
      if (!lease) throw new LockstepError('LOCK_NOT_FOUND', `lease ${input.leaseId} does not exist (released, or expired and taken over); lock_list shows current leases`, { leaseId: input.leaseId });
      releasing.set(lease.id, { lease, paths: lease.paths });
    } else {
      for (const path of requestedPaths(input, ctx.workTree)) {
        const exact = leasesCovering(state, path).filter((l) => l.paths.includes(path));
        const lease = exact.find((l) => l.owner === owner && isActive(l, ctx.now)) ?? exact.find((l) => l.owner === owner) ?? exact.find((l) => isActive(l, ctx.now));
        if (!lease) throw new LockstepError('LOCK_NOT_FOUND', `no lease holds exactly ${path}; release a pattern as it was leased (lock_list shows leases)`, { path });
        const entry = releasing.get(lease.id) ?? { lease, paths: [] };
        entry.paths.push(path);
        releasing.set(lease.id, entry);
      }
    }
    for (const { lease } of releasing.values()) {
      if (lease.owner !== owner) throw new LockstepError('NOT_OWNER', `lease ${lease.id} belongs to ${lease.owner}, not ${owner}`, { leaseId: lease.id, holder: lease.owner });
    }
    const changes: Change[] = [];
    for (const { lease, paths: gone } of releasing.values()) {
      const rest = lease.paths.filter((p) => !gone.includes(p));
      changes.push({ path: paths.lease(lease.id), value: rest.length ? { ...lease, paths: rest } : null });
    }
    const entries = [...releasing.values()];
    const released = entries.flatMap((e) => e.paths);
    const leaseIds = entries.map((e) => e.lease.id);
    return {
      changes,
      result: { leaseId: leaseIds[0]!, leaseIds, released, wasExpired: entries.every((e) => !isActive(e.lease, ctx.now)) },
      event: { subject: `${leaseIds.join(',')} ${released.join(' ')}`.slice(0, 200), entities: leaseIds, data: { paths: released.slice(0, 20) } },
    };
  },
});
