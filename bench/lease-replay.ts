// Replays the lease history of refs/lockstep/state and checks the lease invariant at every commit:
// no two leases of different owners whose patterns overlap, at least one exclusive, with intersecting
// lifetimes [acquiredAt, expiresAt). Used by the stress run (bench/stress.ts) and its test.
import { execFileSync } from 'node:child_process';
import { decodeFile } from '../src/state/codec.js';
import { patternsOverlap } from '../src/state/globs.js';
import type { Lease } from '../src/state/schema.js';

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
}

function view(l: Lease): LeaseView {
  return { id: l.id, owner: l.owner, paths: [...l.paths], exclusive: l.exclusive !== false, acquiredAt: l.acquiredAt, expiresAt: l.expiresAt };
}

/** The overlapping pattern pair if a and b conflict by the invariant; undefined when they may coexist. */
export function leaseConflict(a: LeaseView, b: LeaseView): { pathA: string; pathB: string } | undefined {
  if (a.owner === b.owner) return undefined;
  if (!a.exclusive && !b.exclusive) return undefined;
  // Half-open lifetimes: a lease that expires at t is free for a taker whose now is t.
  const overlapInTime = Date.parse(a.acquiredAt) < Date.parse(b.expiresAt) && Date.parse(b.acquiredAt) < Date.parse(a.expiresAt);
  if (!overlapInTime) return undefined;
  for (const pathA of a.paths) for (const pathB of b.paths) if (patternsOverlap(pathA, pathB)) return { pathA, pathB };
  return undefined;
}

/** Every conflicting pair among the leases of one tree (pure; for tests and the replay). */
export function leaseConflicts(leases: LeaseView[]): { a: LeaseView; b: LeaseView; pathA: string; pathB: string }[] {
  const out = [];
  for (let i = 0; i < leases.length; i++) {
    for (let j = i + 1; j < leases.length; j++) {
      const hit = leaseConflict(leases[i]!, leases[j]!);
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

/**
 * Check the lease invariant at every commit of `ref`, oldest first. Reads each distinct leases/ tree
 * and lease blob once, and checks each distinct pair of lease versions once.
 */
export function replayLeases(repo: string, ref = 'refs/lockstep/state'): ReplayResult {
  const log = execFileSync('git', ['log', '--reverse', '--format=%H', ref], { cwd: repo, encoding: 'utf8', maxBuffer: 2 ** 30 }).trim();
  const commits = log ? log.split('\n') : [];
  const result: ReplayResult = { commits: commits.length, leaseVersions: 0, maxLeases: 0, violations: [], corrupt: [] };
  if (commits.length === 0) return result;
  const hashBytes = commits[0]!.length / 2;

  const trees = catFileBatch(repo, commits.map((c) => `${c}:leases`));
  // Per commit: its lease files (name, blob id); every distinct blob is decoded once below.
  const perCommit: { commit: string; files: { name: string; id: string }[] }[] = [];
  const blobNames = new Map<string, string>();
  for (let i = 0; i < commits.length; i++) {
    const t = trees[i]!;
    if (t.body === null) {
      perCommit.push({ commit: commits[i]!, files: [] }); // no leases/ folder at this commit
      continue;
    }
    if (t.type !== 'tree') throw new Error(`${t.request} is a ${t.type}, expected the leases/ folder`);
    const files = treeEntries(t.body, hashBytes).map((e) => {
      if (e.mode.startsWith('4')) throw new Error(`${t.request}/${e.name} is a folder; the replay reads a flat leases/ only`);
      return { name: e.name, id: e.id };
    });
    for (const f of files) if (!blobNames.has(f.id)) blobNames.set(f.id, f.name);
    perCommit.push({ commit: commits[i]!, files });
  }

  const decoded = new Map<string, { ok: true; lease: LeaseView } | { ok: false; reason: string }>();
  for (const obj of catFileBatch(repo, [...blobNames.keys()])) {
    if (obj.body === null) throw new Error(`lease blob ${obj.request} is missing from the repository`);
    const d = decodeFile(`leases/${blobNames.get(obj.request)}`, obj.body.toString('utf8'));
    decoded.set(obj.request, d.ok ? { ok: true, lease: view(d.value as Lease) } : { ok: false, reason: d.reason });
  }
  result.leaseVersions = blobNames.size;

  const pairSeen = new Map<string, boolean>();
  for (const { commit, files } of perCommit) {
    result.maxLeases = Math.max(result.maxLeases, files.length);
    const leases: { blob: string; lease: LeaseView }[] = [];
    for (const f of files) {
      const d = decoded.get(f.id)!;
      if (!d.ok) {
        result.corrupt.push({ commit, path: `leases/${f.name}`, reason: d.reason });
        continue;
      }
      leases.push({ blob: f.id, lease: d.lease });
    }
    for (let i = 0; i < leases.length; i++) {
      for (let j = i + 1; j < leases.length; j++) {
        const x = leases[i]!;
        const y = leases[j]!;
        const key = x.blob < y.blob ? `${x.blob}|${y.blob}` : `${y.blob}|${x.blob}`;
        if (pairSeen.has(key)) continue;
        const hit = leaseConflict(x.lease, y.lease);
        pairSeen.set(key, hit !== undefined);
        if (hit) result.violations.push({ commit, a: x.lease, b: y.lease, ...hit });
      }
    }
  }
  return result;
}
