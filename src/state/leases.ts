// File-lease rules shared by the lock ops, queries, activity and the pre-commit guard: lease paths
// normalised, which leases are live, which overlap or conflict, which of your leases already covers
// a path, and what a conflict reports.
import { LockstepError } from '../errors.js';
import { isGlob, patternCovers, patternsOverlap } from './globs.js';
import type { Lease } from './core/schema.js';
import type { State } from './core/state.js';

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
  if (given.length === 0) throw new LockstepError('INVALID_INPUT', 'give path or paths (at least one file, folder or glob)', { field: 'path' });
  return [...new Set(given.map((p) => normalizeLockPath(p, workTree)))];
}

// Lease path normalisation: `./src/a.ts`, `src//a.ts` and `<root>/src/a.ts` are one path.

function invalidPath(path: string, why: string): LockstepError {
  return new LockstepError('INVALID_INPUT', `lock path ${JSON.stringify(path.slice(0, 200))} ${why}`, { path: path.slice(0, 200) });
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:\//.test(p);
}

/**
 * Canonical repo-relative form, or INVALID_INPUT for paths that leave the repository. Absolute paths
 * are accepted when they lie inside `root` (the caller's working tree).
 */
export function normalizeLockPath(path: string, root: string | null): string {
  if (path.length === 0 || path.length > 4096) throw invalidPath(path, 'must be 1 to 4096 characters');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(path)) throw invalidPath(path, 'contains control characters');
  let p = path.replace(/\\/g, '/');
  if (isAbsolute(p)) {
    const r = root?.replace(/\\/g, '/').replace(/\/+$/, '');
    if (!r || (p !== r && !p.startsWith(r + '/'))) throw invalidPath(path, 'is outside the repository; use a path relative to the repository root');
    p = p.slice(r.length);
  }
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) throw invalidPath(path, 'leaves the repository');
      out.pop();
      continue;
    }
    out.push(seg);
  }
  if (out.length === 0) throw invalidPath(path, 'names the repository root; lock a file or folder inside it');
  if (out[0] === '.git') throw invalidPath(path, 'is inside .git');
  return out.join('/');
}

// The pre-commit guard's question.

export interface GuardBlock {
  /** The staged path. */
  path: string;
  holder: string;
  leaseId: string;
  task?: string;
  expiresAt: string;
  /** The holder's lease pattern that covers the path. */
  pattern: string;
}

/** Every (staged path, lease) pair where a live exclusive lease of another owner covers the path. */
export function guardBlocks(state: State, staged: string[], agent: string, now: number): GuardBlock[] {
  const live = state.leases().items.filter((l) => l.exclusive !== false && l.owner !== agent && isActive(l, now));
  const out: GuardBlock[] = [];
  if (live.length === 0) return out;
  for (const p of staged) {
    for (const lease of live) {
      const pattern = lease.paths.find((lp) => patternCovers(lp, p));
      if (pattern !== undefined) out.push({ path: p, holder: lease.owner, leaseId: lease.id, task: lease.task, expiresAt: lease.expiresAt, pattern });
    }
  }
  return out;
}
