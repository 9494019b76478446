// `npm run stress`: N `lockstep server` processes contend for overlapping leases on the same 20 paths
// for S seconds, then the state history is replayed (bench/lease-replay.ts) to show that no two agents
// ever held conflicting leases and that nothing deadlocked. Exits 1 on any violation or error.
//   node --import tsx bench/stress.ts [--seconds 30] [--processes 8] [--keep]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentClient, ToolError } from '../src/client/agent-client.js';
import { replayLeases, type ReplayResult } from './lease-replay.js';

export interface StressOptions {
  processes?: number;
  seconds?: number;
  /** Range of ttlSec for each acquire (the server's minimum is 5). */
  ttlSec?: [number, number];
  /** Chance that a plain-file lease is left unreleased (its holder's activity keeps renewing it). */
  leaveChance?: number;
  /**
   * Chance that an agent stalls after leasing plain files: no call at all until the lease has
   * expired (others take it over), then a stale lock_heartbeat that must be refused (S2).
   */
  stallChance?: number;
  /** Repository to use (default: a fresh temp repository, removed afterwards unless keep). */
  repo?: string;
  keep?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface StressReport {
  repo: string;
  processes: number;
  seconds: number;
  attempts: number;
  acquisitions: number;
  /** Acquisitions that only extended leases the caller already held. */
  extendedOnly: number;
  refusals: number;
  /** Acquires that asked to wait (waitSec > 0), and how many of them got their leases. */
  waitAttempts: number;
  waited: number;
  /** Expired leases of others taken over by an acquire. */
  tookOver: number;
  releases: number;
  /** Leases left unreleased on purpose (renewed by their holder's activity, or taken over once it stops). */
  leftUnreleased: number;
  /** Agents that stalled past their lease's expiry; their stale heartbeats, by refusal code. */
  stalls: number;
  staleHeartbeats: Record<string, number>;
  /** Releases/heartbeats of a lease that had expired by then (LOCK_NOT_FOUND / LEASE_EXPIRED after its TTL). */
  lateRefusals: number;
  heartbeats: number;
  /** Latencies of acquires that did not wait (ms). */
  acquireP50: number;
  acquireP99: number;
  /** The slowest single tool call (ms) and what it was. */
  slowestOpMs: number;
  slowestOp: string;
  /** Any error other than LOCK_HELD and the late refusals above. */
  errors: string[];
  /** Agents whose loop did not finish within the bound after the deadline (deadlock). */
  unfinished: string[];
  replay: ReplayResult;
  replayMs: number;
}

const FILES = Array.from({ length: 20 }, (_, i) => `src/f${String(i).padStart(2, '0')}.ts`);
/** Folder and glob patterns, with weights: the wide ones rarely. */
const PATTERNS: [string, number][] = [
  ['src/f0*', 4],
  ['src/f1?.ts', 4],
  ['src/**/f1*.ts', 2],
  ['src/**', 1],
  ['src', 1],
];
/** The concrete paths the replay decides overlap on: every file the workload names, and some deeper ones its globs reach. */
const UNIVERSE = [...FILES, 'src', 'src/f0x/deep.ts', 'src/sub/f1x.ts', 'src/sub/other.ts', 'src/f1a.ts'];
/** A call that has not returned this long after its own wait bound is a deadlock. */
const SLACK_MS = 20_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const randInt = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

function pick<T>(xs: T[]): T {
  return xs[Math.floor(Math.random() * xs.length)]!;
}

function pickPattern(): string {
  const total = PATTERNS.reduce((s, [, w]) => s + w, 0);
  let r = Math.random() * total;
  for (const [p, w] of PATTERNS) if ((r -= w) < 0) return p;
  return PATTERNS[0]![0];
}

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! : 0;
}

interface Acquired {
  lease: { id: string; expiresAt: string };
  created?: boolean;
  extended?: boolean | string[];
  tookOver?: unknown[];
}

/** Keep the tail of a server's stderr, to show when something fails. */
function drain(c: AgentClient): () => string {
  let tail = '';
  c.transport.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  });
  return () => tail;
}

export async function runStress(opts: StressOptions = {}): Promise<StressReport> {
  const processes = opts.processes ?? 8;
  const seconds = opts.seconds ?? 30;
  const [ttlLo, ttlHi] = opts.ttlSec ?? [5, 10];
  const leaveChance = opts.leaveChance ?? 0.01;
  const stallChance = opts.stallChance ?? 0.004;
  const log = opts.log ?? (() => {});
  const repo = opts.repo ?? fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-stress-')));
  if (!opts.repo) execFileSync('git', ['init', '-q', '-b', 'main', repo]);

  const names = Array.from({ length: processes }, (_, i) => `stress-${i + 1}`);
  const clients = await Promise.all(names.map((agent) => AgentClient.start({ repo, role: 'implementer', agent, stderr: 'pipe' })));
  const tails = clients.map(drain);
  log(`stress: ${processes} processes, ${seconds} s, repo ${repo}`);

  const r: Omit<StressReport, 'replay' | 'replayMs' | 'acquireP50' | 'acquireP99'> = {
    repo,
    processes,
    seconds,
    attempts: 0,
    acquisitions: 0,
    extendedOnly: 0,
    refusals: 0,
    waitAttempts: 0,
    waited: 0,
    tookOver: 0,
    releases: 0,
    leftUnreleased: 0,
    stalls: 0,
    staleHeartbeats: {},
    lateRefusals: 0,
    heartbeats: 0,
    slowestOpMs: 0,
    slowestOp: '',
    errors: [],
    unfinished: [],
  };
  const latencies: number[] = [];
  // What the agents were told succeeded; the replay must find every one in the history.
  const acknowledged = { created: [] as string[], released: [] as string[] };

  /** One tool call with its own deadlock bound; the slowest call is reported. */
  const timed = async <T>(c: AgentClient, who: string, tool: string, args: Record<string, unknown>, waitSec = 0): Promise<T> => {
    const t = performance.now();
    try {
      return await c.call<T>(tool, args, waitSec * 1000 + SLACK_MS);
    } finally {
      const ms = performance.now() - t;
      if (ms > r.slowestOpMs) {
        r.slowestOpMs = ms;
        r.slowestOp = `${who} ${tool} ${JSON.stringify(args)}`;
      }
    }
  };

  const request = (): { args: Record<string, unknown>; ttlSec: number; waitSec: number; plainFiles: boolean } => {
    const ttlSec = randInt(ttlLo, ttlHi);
    const chosen = new Set<string>();
    const n = randInt(1, 3);
    while (chosen.size < n) chosen.add(Math.random() < 0.06 ? pickPattern() : pick(FILES));
    const paths = [...chosen];
    const waitSec = Math.random() < 0.3 ? 1 : 0;
    const exclusive = Math.random() >= 0.25;
    return { args: { paths, ttlSec, waitSec, exclusive }, ttlSec, waitSec, plainFiles: paths.every((p) => FILES.includes(p)) };
  };

  /** A lease that had outlived its TTL may be refused (expired, or already taken over); before that it is a bug. */
  const expiredBy = (err: unknown, acquiredAt: number, ttlSec: number) =>
    err instanceof ToolError && (err.code === 'LEASE_EXPIRED' || err.code === 'LOCK_NOT_FOUND') && performance.now() - acquiredAt >= ttlSec * 1000;

  const loop = async (c: AgentClient, who: string, deadline: number) => {
    while (performance.now() < deadline) {
      const { args, ttlSec, waitSec, plainFiles } = request();
      r.attempts++;
      if (waitSec) r.waitAttempts++;
      const t = performance.now();
      let got: Acquired;
      try {
        got = await timed<Acquired>(c, who, 'lock_acquire', args, waitSec);
      } catch (err) {
        if (err instanceof ToolError && err.code === 'LOCK_HELD') r.refusals++;
        else r.errors.push(`${who} lock_acquire ${JSON.stringify(args)}: ${String(err)}`);
        continue;
      }
      const ms = performance.now() - t;
      r.acquisitions++;
      if (got.created === true) acknowledged.created.push(got.lease.id);
      if (waitSec) r.waited++;
      else latencies.push(ms);
      if (got.created === false || got.extended === true) r.extendedOnly++;
      r.tookOver += got.tookOver?.length ?? 0;
      const ours = [got.lease.id, ...(Array.isArray(got.extended) ? got.extended : [])].filter((id, i, a) => a.indexOf(id) === i);
      await sleep(randInt(1, 5)); // "editing"
      // A stall needs time to end inside the run: the lease's TTL plus a margin.
      if (plainFiles && Math.random() < stallChance && deadline - performance.now() > (ttlSec + 4) * 1000) {
        r.leftUnreleased++;
        r.stalls++;
        await sleep(Date.parse(got.lease.expiresAt) - Date.now() + 1_500);
        try {
          await timed(c, who, 'lock_heartbeat', { leaseId: got.lease.id });
          r.errors.push(`${who} S2: lock_heartbeat revived ${got.lease.id}, which expired at ${got.lease.expiresAt}`);
        } catch (err) {
          if (expiredBy(err, t, ttlSec)) r.staleHeartbeats[(err as ToolError).code] = (r.staleHeartbeats[(err as ToolError).code] ?? 0) + 1;
          else r.errors.push(`${who} stale lock_heartbeat ${got.lease.id}: ${String(err)}`);
        }
        continue;
      }
      if (plainFiles && Math.random() < leaveChance) {
        r.leftUnreleased++; // kept alive by this agent's later calls, or taken over after a stall
        continue;
      }
      if (Math.random() < 0.1) {
        try {
          await timed(c, who, 'lock_heartbeat', { leaseId: got.lease.id });
          r.heartbeats++;
        } catch (err) {
          if (expiredBy(err, t, ttlSec)) r.lateRefusals++;
          else r.errors.push(`${who} lock_heartbeat ${got.lease.id}: ${String(err)}`);
        }
      }
      for (const leaseId of ours) {
        try {
          await timed(c, who, 'lock_release', { leaseId });
          r.releases++;
          acknowledged.released.push(leaseId);
        } catch (err) {
          if (expiredBy(err, t, ttlSec)) r.lateRefusals++;
          else r.errors.push(`${who} lock_release ${leaseId}: ${String(err)}`);
        }
      }
    }
  };

  const start = performance.now();
  const deadline = start + seconds * 1000;
  const finished = new Set<string>();
  const bound = 1_000 + SLACK_MS + 5_000; // the longest wait a request asks for, plus slack
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(
      clients.map(async (c, i) => {
        await loop(c, names[i]!, deadline);
        finished.add(names[i]!);
      }),
    ),
    new Promise((resolve) => (timer = setTimeout(resolve, seconds * 1000 + bound))),
  ]);
  clearTimeout(timer);
  const elapsed = (performance.now() - start) / 1000;
  r.unfinished = names.filter((n) => !finished.has(n));
  if (r.errors.length || r.unfinished.length) {
    clients.forEach((_, i) => {
      const tail = tails[i]!().trim();
      if (tail) log(`--- ${names[i]} stderr ---\n${tail}`);
    });
  }
  await Promise.all(clients.map((c) => c.close()));

  const t0 = performance.now();
  const replay = replayLeases(repo, { universe: UNIVERSE, acknowledged });
  const replayMs = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  if (!opts.repo && !opts.keep) fs.rmSync(repo, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  return { ...r, seconds: elapsed, acquireP50: pct(latencies, 50), acquireP99: pct(latencies, 99), replay, replayMs };
}

/** The run failed: a violation, a corrupt lease file, an unexpected error, a deadlock, or no progress. */
export function stressFailures(s: StressReport): string[] {
  const out: string[] = [];
  for (const v of s.replay.violations) {
    out.push(
      `violation at ${v.commit.slice(0, 12)}: ${v.a.id} (${v.a.owner}, ${v.pathA}, ${v.a.exclusive ? 'exclusive' : 'shared'}, ${v.a.acquiredAt}..${v.a.expiresAt}) ` +
        `vs ${v.b.id} (${v.b.owner}, ${v.pathB}, ${v.b.exclusive ? 'exclusive' : 'shared'}, ${v.b.acquiredAt}..${v.b.expiresAt})`,
    );
  }
  for (const t of s.replay.thefts) out.push(`theft at ${t.commit.slice(0, 12)}: ${t.op} by ${t.actor} at ${t.at} removed ${t.lease.id} of ${t.lease.owner} (${t.lease.paths.join(' ')}), live until ${t.lease.expiresAt}`);
  for (const m of s.replay.missing) out.push(`lost: ${m}`);
  for (const c of s.replay.corrupt) out.push(`corrupt ${c.path} at ${c.commit.slice(0, 12)}: ${c.reason}`);
  out.push(...s.errors.slice(0, 20));
  if (s.errors.length > 20) out.push(`... and ${s.errors.length - 20} more errors`);
  for (const n of s.unfinished) out.push(`deadlock: ${n} did not finish its loop`);
  if (s.acquisitions === 0) out.push('no acquisitions at all');
  return out;
}

export function stressSummary(s: StressReport): string {
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const lines: [string, string][] = [
    ['processes', String(s.processes)],
    ['seconds', s.seconds.toFixed(1)],
    ['attempts', String(s.attempts)],
    ['acquisitions', `${s.acquisitions} (${s.extendedOnly} only extended own leases, ${s.waited} of ${s.waitAttempts} with waitSec, ${s.tookOver} expired leases taken over)`],
    ['acquisitions/s', (s.acquisitions / s.seconds).toFixed(1)],
    ['refusals (LOCK_HELD)', `${s.refusals} (${(s.refusals / s.seconds).toFixed(1)}/s)`],
    ['acquire latency p50 / p99', `${ms(s.acquireP50)} / ${ms(s.acquireP99)} (acquires with waitSec 0)`],
    ['releases / heartbeats', `${s.releases} / ${s.heartbeats}; ${s.leftUnreleased} leases left unreleased; ${s.lateRefusals} refused after expiry`],
    ['stalled agents', `${s.stalls}; stale heartbeats refused: ${JSON.stringify(s.staleHeartbeats)} (a success would be S2)`],
    ['slowest call', `${ms(s.slowestOpMs)}: ${s.slowestOp.slice(0, 160)}`],
    ['commits replayed', `${s.replay.commits} (${(s.replay.commits / s.seconds).toFixed(1)}/s; ${s.replay.leaseVersions} lease versions, up to ${s.replay.maxLeases} leases at once; ${ms(s.replayMs)})`],
    ['violations', `${s.replay.violations.length} conflicting holders, ${s.replay.thefts.length} live leases taken, ${s.replay.missing.length} acknowledged ops missing`],
    ['errors / deadlocked', `${s.errors.length} / ${s.unfinished.length}`],
  ];
  const w = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const num = (flag: string, dflt: number) => {
    const i = argv.indexOf(flag);
    const v = i >= 0 ? Number(argv[i + 1]) : dflt;
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${flag} needs a positive number`);
    return v;
  };
  const report = await runStress({
    processes: num('--processes', 8),
    seconds: num('--seconds', 30),
    keep: argv.includes('--keep'),
    log: (line) => process.stderr.write(line + '\n'),
  });
  console.log(stressSummary(report));
  const failures = stressFailures(report);
  if (failures.length === 0) return;
  console.log(`\nFAILED:\n${failures.join('\n')}`);
  if (!argv.includes('--keep')) console.log('(rerun with --keep to inspect the repository)');
  process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
