// File-lease tools: acquire (all or nothing, optionally waiting), release, heartbeat, force release, list.
import { useCases } from '../../app/use-cases.js';
import { EVERY_ROLE, tool } from '../tool.js';

export const lockTools = [
  tool(useCases.lockAcquire, {
    title: 'Lease files',
    description: 'Lease files, folders or globs before editing: all or none. Re-acquiring extends. LOCK_HELD names holders.',
    roles: ['implementer'],
    text: (r) => `${r.created ? `Leased ${r.lease.paths.join(', ')} as ${r.lease.id}` : `Extended ${r.extended.join(', ')}`} until ${r.lease.expiresAt}${r.created && r.extended.length ? `; extended ${r.extended.join(', ')}` : ''}`,
  }),
  tool(useCases.lockRelease, {
    title: 'Release leases',
    description: 'Release paths as you leased them, or a whole lease by leaseId.',
    roles: ['implementer'],
    annotations: { idempotentHint: false },
    text: (r) => `Released ${r.released.join(', ')} (${r.leaseIds.join(', ')})`,
  }),
  tool(useCases.lockHeartbeat, {
    title: 'Extend leases',
    description: 'Extend your live leases (rarely needed: your activity renews them). Expired: LEASE_EXPIRED.',
    roles: ['implementer'],
    text: (r) => r.leases.map((l) => `${l.id} until ${l.expiresAt}`).join('\n') || 'no live leases',
  }),
  tool(useCases.lockForceRelease, {
    title: 'Force-release a lease',
    description: "Delete one lease by id (e.g. a dead agent's), with a reason.",
    roles: ['planner'],
    annotations: { destructiveHint: true },
    text: (r) => `Released ${r.lease.id} of ${r.lease.owner} (${r.lease.paths.join(', ')})`,
  }),
  tool(useCases.lockList, {
    title: 'List leases',
    description: 'Active leases (includeExpired: all), by owner, or overlapping a path or glob pattern.',
    roles: EVERY_ROLE,
    annotations: { readOnlyHint: true },
    text: (r) => r.leases.map((l) => `${l.id} ${l.owner}${l.exclusive ? '' : ' (shared)'} ${l.paths.join(' ')} until ${l.expiresAt}`).join('\n') || 'no active leases',
  }),
];
