// Replays the lease history of refs/lockstep/state and checks the lease invariants, independently of
// the server's own rules (its glob code is not used here: a bug shared by both would hide itself):
// - at every commit, no two leases of different owners covering a common concrete path, at least one
//   exclusive, with intersecting lifetimes [acquiredAt, expiresAt);
// - no live lease is removed by anyone but its owner or an explicit release (force release, resets,
//   merges, a claim takeover): a takeover before expiry is a theft;
// - every acquisition and release the agents were told succeeded is in the history.
// Used by the stress run (bench/stress.ts) and its test.
import { execFileSync } from 'node:child_process';
import { decodeFile } from '../src/state/core/codec.js';
import type { Lease } from '../src/state/core/schema.js';

export interface LeaseView {
  id: string;
  owner: string;
  paths: string[];
  exclusive: boolean;
  acquiredAt: string;
  expiresAt: string;
}

export interface Violation {
  /** The first commit whose leases/ tree holds both leases in this state. */
  commit: string;
  a: LeaseView;
  b: LeaseView;
  /** The overlapping patterns: one of a's, one of b's. */
  pathA: string;
  pathB: string;
}

/** A live lease of one owner removed by another agent's commit that had no right to. */
export interface Theft {
  commit: string;
  op: string;
  actor: string;
  /** The op's clock (Lockstep-Time), before the lease's expiry. */
  at: string;
  lease: LeaseView;
}

export interface ReplayOptions {
  /**
   * The concrete paths overlap is decided on: two patterns conflict when both cover one of them.
   * Default: every plain path leased in the history, and a file below each.
   */
  universe?: string[];
  /** What the agents were told succeeded: these lease ids must appear, and the released ones be gone at the tip. */
  acknowledged?: { created?: string[]; released?: string[] };
}

export interface ReplayResult {
  commits: number;
  /** Distinct lease file versions read. */
  leaseVersions: number;
  /** Most leases in one commit's tree (expired ones included). */
  maxLeases: number;
  /** Every distinct violating pair once, with the first commit that shows it. */
  violations: Violation[];
  /** Lease files that failed to decode (corrupt state is a failure too). */
  corrupt: { commit: string; path: string; reason: string }[];
  thefts: Theft[];
  /** Acknowledged acquisitions the history never shows, and acknowledged releases still leased at the tip. */
  missing: string[];
}

/**
 * Ops that may remove another agent's live lease: an explicit release, a reset, a merge, a claim
 * taking over an expired task, or finishing the task a lease is tied to.
 */
const RELEASING_OPS = new Set(['lock.force_release', 'session.reset', 'task.reset', 'implementer.reset', 'worktree.merge_record', 'task.claim', 'task.next', 'task.approve', 'task.approve_batch', 'task.update']);

const GLOB = /[*?]/;

/**
 * The pattern covers the concrete path, by the documented rule (README, Locks): a plain path covers
 * itself and everything below it; a glob (`*` within a folder, `?` one character, `**` any depth,
 * `**\/` possibly no folder) covers what it matches and everything below a match. A regular
 * expression, on purpose nothing like the server's automaton.
 */
export function coversPath(pattern: string, path: string): boolean {
  if (!GLOB.test(pattern)) return path === pattern || path.startsWith(`${pattern}/`);
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      while (pattern[i + 1] === '*') i++;
      if (pattern[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}(?:/.*)?$`).test(path);
}

/** Every plain path of these leases, and one file below each (so two folder patterns meet somewhere). */
export function defaultUniverse(leases: Iterable<LeaseView>): string[] {
  const out = new Set<string>();
  for (const l of leases) for (const p of l.paths) if (!GLOB.test(p)) out.add(p).add(`${p}/_`);
  return [...out];
}

function view(l: Lease): LeaseView {
  return { id: l.id, owner: l.owner, paths: [...l.paths], exclusive: l.exclusive !== false, acquiredAt: l.acquiredAt, expiresAt: l.expiresAt };
}

/** The overlapping pattern pair if a and b conflict by the invariant; undefined when they may coexist. */
export function leaseConflict(a: LeaseView, b: LeaseView, universe: readonly string[]): { pathA: string; pathB: string; witness: string } | undefined {
  if (a.owner === b.owner) return undefined;
  if (!a.exclusive && !b.exclusive) return undefined;
  // Half-open lifetimes: a lease that expires at t is free for a taker whose now is t.
  const overlapInTime = Date.parse(a.acquiredAt) < Date.parse(b.expiresAt) && Date.parse(b.acquiredAt) < Date.parse(a.expiresAt);
  if (!overlapInTime) return undefined;
  for (const witness of universe) {
    const pathA = a.paths.find((p) => coversPath(p, witness));
    if (pathA === undefined) continue;
    const pathB = b.paths.find((p) => coversPath(p, witness));
    if (pathB !== undefined) return { pathA, pathB, witness };
  }
  return undefined;
}

/** Every conflicting pair among the leases of one tree (pure; for tests and the replay). */
export function leaseConflicts(leases: LeaseView[], universe = defaultUniverse(leases)): { a: LeaseView; b: LeaseView; pathA: string; pathB: string }[] {
  const out = [];
  for (let i = 0; i < leases.length; i++) {
    for (let j = i + 1; j < leases.length; j++) {
      const hit = leaseConflict(leases[i]!, leases[j]!, universe);
      if (hit) out.push({ a: leases[i]!, b: leases[j]!, ...hit });
    }
  }
  return out;
}

interface BatchObject {
  /** The requested line (`<commit>:leases` or an object id). */
  request: string;
  type: string;
  body: Buffer | null;
}

/** Read many objects with one `git cat-file --batch` (a missing object gives body null). */
function catFileBatch(repo: string, requests: string[]): BatchObject[] {
  if (requests.length === 0) return [];
  const out = execFileSync('git', ['cat-file', '--batch'], { cwd: repo, input: requests.join('\n') + '\n', maxBuffer: 2 ** 31 - 1 });
  const objects: BatchObject[] = [];
  let pos = 0;
  for (const request of requests) {
    const eol = out.indexOf(0x0a, pos);
    const header = out.subarray(pos, eol).toString('utf8');
    pos = eol + 1;
    if (header.endsWith(' missing')) {
      objects.push({ request, type: 'missing', body: null });
      continue;
    }
    const [, type, size] = header.split(' ');
    const n = Number(size);
    objects.push({ request, type: type!, body: out.subarray(pos, pos + n) });
    pos += n + 1; // the object, then a newline
  }
  return objects;
}

/** Entries of a raw (binary) tree object: `<mode> <name>\0<hash>`. */
function treeEntries(body: Buffer, hashBytes: number): { mode: string; name: string; id: string }[] {
  const out = [];
  let pos = 0;
  while (pos < body.length) {
    const nul = body.indexOf(0, pos);
    const [mode, name] = body.subarray(pos, nul).toString('utf8').split(/ (.*)/s);
    const id = body.subarray(nul + 1, nul + 1 + hashBytes).toString('hex');
    out.push({ mode: mode!, name: name!, id });
    pos = nul + 1 + hashBytes;
  }
  return out;
}

/** One line per commit of `ref`, oldest first, along first parents (the line the ref moved along). */
function commitLog(repo: string, ref: string): { commit: string; op: string; actor: string; at: number }[] {
  const fmt = '%H%x1f%(trailers:key=Lockstep-Op,valueonly,separator=)%x1f%(trailers:key=Lockstep-Actor,valueonly,separator=)%x1f%(trailers:key=Lockstep-Time,valueonly,separator=)%x1f%at%x1e';
  const out = execFileSync('git', ['log', '--first-parent', '--reverse', `--format=${fmt}`, ref], { cwd: repo, encoding: 'utf8', maxBuffer: 2 ** 30 });
  return out
    .split('\x1e')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => {
      const [commit, op, actor, time, seconds] = r.split('\x1f');
      // A commit without our trailers (plain git) is "external", timed by its whole-second date.
      return { commit: commit!, op: op || 'external', actor: actor ?? '', at: time ? Date.parse(time) : Number(seconds) * 1000 };
    });
}

/**
 * Check the lease invariants over every commit of `ref`, oldest first. Reads each distinct leases/
 * tree and lease blob once, and checks each distinct pair of lease versions once.
 */
export function replayLeases(repo: string, opts: ReplayOptions = {}, ref = 'refs/lockstep/state'): ReplayResult {
  const log = commitLog(repo, ref);
  const result: ReplayResult = { commits: log.length, leaseVersions: 0, maxLeases: 0, violations: [], corrupt: [], thefts: [], missing: [] };
  if (log.length === 0) return result;
  const hashBytes = log[0]!.commit.length / 2;

  const trees = catFileBatch(repo, log.map((c) => `${c.commit}:leases`));
  // Per commit: its lease files (name, blob id); every distinct blob is decoded once below.
  const perCommit: { files: { name: string; id: string }[] }[] = [];
  const blobNames = new Map<string, string>();
  for (const t of trees) {
    if (t.body === null) {
      perCommit.push({ files: [] }); // no leases/ folder at this commit
      continue;
    }
    if (t.type !== 'tree') throw new Error(`${t.request} is a ${t.type}, expected the leases/ folder`);
    const files = treeEntries(t.body, hashBytes).map((e) => {
      if (e.mode.startsWith('4')) throw new Error(`${t.request}/${e.name} is a folder; the replay reads a flat leases/ only`);
      return { name: e.name, id: e.id };
    });
    for (const f of files) if (!blobNames.has(f.id)) blobNames.set(f.id, f.name);
    perCommit.push({ files });
  }

  const decoded = new Map<string, { ok: true; lease: LeaseView } | { ok: false; reason: string }>();
  for (const obj of catFileBatch(repo, [...blobNames.keys()])) {
    if (obj.body === null) throw new Error(`lease blob ${obj.request} is missing from the repository`);
    const d = decodeFile(`leases/${blobNames.get(obj.request)}`, obj.body.toString('utf8'));
    decoded.set(obj.request, d.ok ? { ok: true, lease: view(d.value as Lease) } : { ok: false, reason: d.reason });
  }
  result.leaseVersions = blobNames.size;
  const universe = opts.universe ?? defaultUniverse([...decoded.values()].flatMap((d) => (d.ok ? [d.lease] : [])));

  const pairSeen = new Map<string, boolean>();
  const seenIds = new Set<string>();
  let previous = new Map<string, LeaseView>();
  for (const [n, { files }] of perCommit.entries()) {
    const { commit, op, actor, at } = log[n]!;
    result.maxLeases = Math.max(result.maxLeases, files.length);
    const leases: { blob: string; lease: LeaseView }[] = [];
    for (const f of files) {
      const d = decoded.get(f.id)!;
      if (!d.ok) {
        result.corrupt.push({ commit, path: `leases/${f.name}`, reason: d.reason });
        continue;
      }
      leases.push({ blob: f.id, lease: d.lease });
      seenIds.add(d.lease.id);
    }
    const current = new Map(leases.map((l) => [l.lease.id, l.lease]));
    // A lease gone in this commit: fine for its owner, an explicit release, or once it had expired.
    for (const [id, gone] of previous) {
      if (current.has(id) || actor === gone.owner || RELEASING_OPS.has(op)) continue;
      if (at < Date.parse(gone.expiresAt)) result.thefts.push({ commit, op, actor, at: new Date(at).toISOString(), lease: gone });
    }
    previous = current;
    for (let i = 0; i < leases.length; i++) {
      for (let j = i + 1; j < leases.length; j++) {
        const x = leases[i]!;
        const y = leases[j]!;
        const key = x.blob < y.blob ? `${x.blob}|${y.blob}` : `${y.blob}|${x.blob}`;
        if (pairSeen.has(key)) continue;
        const hit = leaseConflict(x.lease, y.lease, universe);
        pairSeen.set(key, hit !== undefined);
        if (hit) result.violations.push({ commit, a: x.lease, b: y.lease, pathA: hit.pathA, pathB: hit.pathB });
      }
    }
  }
  for (const id of opts.acknowledged?.created ?? []) if (!seenIds.has(id)) result.missing.push(`${id}: acquired, but no commit of the history holds it`);
  for (const id of opts.acknowledged?.released ?? []) if (previous.has(id)) result.missing.push(`${id}: released, but still leased at the tip`);
  return result;
}
