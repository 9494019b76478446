// Lease queries shared by the lock ops: which leases are live now, and which paths overlap.
import type { Lease } from './schema.js';
import type { State } from './state.js';

export function isActive(lease: Lease, now: number): boolean {
  return Date.parse(lease.expiresAt) > now;
}

/** Same path, or one is a folder containing the other. */
export function pathsOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(b + '/') || b.startsWith(a + '/');
}

export function leasesCovering(state: State, path: string): Lease[] {
  return state.leases().items.filter((l) => l.paths.some((p) => pathsOverlap(p, path)));
}
