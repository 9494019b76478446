// File-lease rules shared by the lock ops, queries and activity: which leases are live, which
// overlap or conflict, which of your leases already covers a path, and what a conflict reports.
import { DomainError } from './errors.js';
import { isGlob, patternCovers, patternsOverlap } from './globs.js';
import { normalizeLockPath } from './lock-paths.js';
import type { Lease } from './schema.js';
import type { State } from './state.js';

export function isActive(lease: Lease, now: number): boolean {
  return Date.parse(lease.expiresAt) > now;
}

/** Leases with some pattern overlapping `pattern` (live or not). */
export function leasesCovering(state: State, pattern: string): Lease[] {
  return state.leases().items.filter((l) => l.paths.some((p) => patternsOverlap(p, pattern)));
}

/**
 * `held` leases everything `wanted` names: the same pattern, a plain folder above it, or (for a
 * plain wanted path) a glob matching it. Two different globs never count, which is only cautious.
 */
export function patternIncludes(held: string, wanted: string): boolean {
  if (held === wanted) return true;
  if (!isGlob(held)) return wanted.startsWith(held + '/');
  return !isGlob(wanted) && patternCovers(held, wanted);
}

/** One overlap between a requested path and a live lease of someone else that it may not share. */
export interface LeaseConflict {
  path: string;
  heldPath: string;
  holder: string;
  leaseId: string;
  task: string | undefined;
  expiresAt: string;
  exclusive: boolean;
}

/** Conflicts are capped so a LOCK_HELD error stays small. */
export const MAX_CONFLICTS = 50;

/**
 * Every conflict of `owner` wanting `wanted` (exclusive or shared) now: live leases of other owners
 * that overlap a wanted path, where either side is exclusive. Shared + shared never conflict.
 */
export function leaseConflicts(state: State, owner: string, wanted: readonly string[], exclusive: boolean, now: number): LeaseConflict[] {
  const out: LeaseConflict[] = [];
  const others = state.leases().items.filter((l) => l.owner !== owner && isActive(l, now) && (exclusive || l.exclusive));
  for (const path of wanted) {
    for (const l of others) {
      const heldPath = l.paths.find((p) => patternsOverlap(p, path));
      if (heldPath === undefined) continue;
      out.push({ path, heldPath, holder: l.owner, leaseId: l.id, task: l.task, expiresAt: l.expiresAt, exclusive: l.exclusive });
      if (out.length >= MAX_CONFLICTS) return out;
    }
  }
  return out;
}

/** Live leases of one agent, oldest first. */
export function liveLeasesOf(state: State, owner: string, now: number): Lease[] {
  return state
    .leases()
    .items.filter((l) => l.owner === owner && isActive(l, now))
    .sort((a, b) => (a.acquiredAt < b.acquiredAt ? -1 : a.acquiredAt > b.acquiredAt ? 1 : 0));
}

/** The paths of a lock call (`path` and `paths` merged), normalised, each once, in the order given. */
export function requestedPaths(input: { path?: string | undefined; paths?: string[] | undefined }, workTree: string | null): string[] {
  const given = [...(input.path === undefined ? [] : [input.path]), ...(input.paths ?? [])];
  if (given.length === 0) throw new DomainError('INVALID_INPUT', 'give path or paths (at least one file, folder or glob)', { field: 'path' });
  return [...new Set(given.map((p) => normalizeLockPath(p, workTree)))];
}
