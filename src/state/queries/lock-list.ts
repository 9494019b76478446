// Query lock_list: active leases by default, filtered by owner or path.
import { z } from 'zod';
import { field } from '../inputs.js';
import { isActive, pathsOverlap } from '../leases.js';
import { normalizeLockPath } from '../lock-paths.js';
import { AgentName, type Lease } from '../schema.js';
import type { State } from '../state.js';

export const lockListInput = z.object({
  owner: AgentName.optional(),
  path: field.lockPath.optional(),
  includeExpired: z.boolean().default(false),
});

export function lockList(state: State, input: z.output<typeof lockListInput>, now: number, workTree: string | null) {
  const path = input.path === undefined ? undefined : normalizeLockPath(input.path, workTree);
  const listing = state.leases();
  const leases = listing.items
    .filter((l) => input.includeExpired || isActive(l, now))
    .filter((l) => input.owner === undefined || l.owner === input.owner)
    .filter((l) => path === undefined || l.paths.some((p) => pathsOverlap(p, path)))
    .sort((a, b) => (a.acquiredAt < b.acquiredAt ? -1 : 1))
    .map((l): Lease & { active: boolean } => ({ ...l, active: isActive(l, now) }));
  return { leases, corrupt: listing.corrupt };
}
