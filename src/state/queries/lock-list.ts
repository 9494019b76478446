// Query lock_list: active leases by default, filtered by owner and by overlap with a path or pattern.
import { z } from 'zod';
import { patternsOverlap } from '../globs.js';
import { isActive, normalizeLockPath } from '../leases.js';
import { AgentName, type Lease } from '../core/schema.js';
import type { State } from '../core/state.js';

export const lockListInput = z.object({
  owner: AgentName.optional(),
  path: z.string().min(1).max(4096).optional(),
  pattern: z.string().min(1).max(4096).optional(),
  includeExpired: z.boolean().default(false),
});

export function lockList(state: State, input: z.output<typeof lockListInput>, now: number, workTree: string | null) {
  const filters = [input.path, input.pattern].filter((p) => p !== undefined).map((p) => normalizeLockPath(p, workTree));
  const listing = state.leases();
  const leases = listing.items
    .filter((l) => input.includeExpired || isActive(l, now))
    .filter((l) => input.owner === undefined || l.owner === input.owner)
    .filter((l) => filters.every((f) => l.paths.some((p) => patternsOverlap(p, f))))
    .sort((a, b) => (a.acquiredAt < b.acquiredAt ? -1 : a.acquiredAt > b.acquiredAt ? 1 : 0))
    .map((l): Lease & { active: boolean } => ({ ...l, active: isActive(l, now) }));
  return { leases, corrupt: listing.corrupt };
}
