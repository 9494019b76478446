// Op lock.force_release (planner): delete exactly the named lease, never another lease on the same
// paths (S3), and record why in the commit and a system note.
import { z } from 'zod';
import { LockstepError } from '../../errors.js';
import { idSource } from '../core/ids.js';
import { isActive } from '../leases.js';
import { paths } from '../core/layout.js';
import { noteChange } from '../notes.js';
import { defineOp } from '../core/op.js';
import { LeaseId } from '../core/schema.js';
import { requirePlanner } from '../roles.js';

export const lockForceRelease = defineOp({
  name: 'lock.force_release',
  input: z.object({
    leaseId: LeaseId,
    reason: z.string().trim().min(1).max(2_000),
  }),
  run(state, input, ctx) {
    requirePlanner(ctx, 'force-release a lease');
    const lease = state.lease(input.leaseId);
    if (!lease) throw new LockstepError('LOCK_NOT_FOUND', `lease ${input.leaseId} does not exist (already released, or taken over); lock_list shows current leases`, { leaseId: input.leaseId });
    const shown = lease.paths.slice(0, 10).join(', ') + (lease.paths.length > 10 ? ', ...' : '');
    const text = `[LEASE RELEASED] ${lease.id} (${lease.owner}, ${shown}) by ${ctx.actor}: ${input.reason}`;
    const note = noteChange(state, ctx, idSource(ctx.entropy), { text, author: ctx.actor, kind: 'system', task: lease.task });
    return {
      changes: [{ path: paths.lease(lease.id), value: null }, note.change],
      result: { lease, wasExpired: !isActive(lease, ctx.now), note: note.note.id },
      event: { subject: `${lease.id} of ${lease.owner}`, entities: [lease.id], data: { owner: lease.owner, paths: lease.paths.slice(0, 20), reason: input.reason.slice(0, 500) } },
    };
  },
});
