// Bench section `sync` (issue 17): the git remote as the referee, through real MCP stdio servers on
// separate clones ("machines"). Claim latency p50/p99 and ops/s in referee mode through a bare
// repository on a file path and through git's smart HTTP on 127.0.0.1 (git http-backend behind
// test/git-http-server.mjs), with one machine and with four; the same over HTTP without the git CLI
// (isomorphic-git's transport); and how long offline mode takes to converge once a stopped remote
// is back. The assertions are correctness only: every acknowledged claim is on the remote, once.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Lockstep } from '../src/app/lockstep.js';
import { AgentClient, CLI_PATH, ToolError } from '../src/client/agent-client.js';
import { ops } from '../src/state/ops/index.js';

type Report = (metric: string, value: string, target?: string) => void;

const HTTP_SERVER = path.join(import.meta.dirname, '..', 'test', 'git-http-server.mjs');
const STATE = 'refs/lockstep/state';
/** A PATH with no git on it: the servers fall back to isomorphic-git's HTTP transport. */
const NO_GIT = { PATH: '/nonexistent' };

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function lockstep(dir: string, ...args: string[]): string {
  return execFileSync(process.execPath, [CLI_PATH, ...args], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/** git's smart HTTP serving `root` on 127.0.0.1, in its own process; stop() makes the remote unreachable, start() brings it back on the same port. */
class HttpRemote {
  port = 0;
  private child: ChildProcess | undefined;
  constructor(private readonly root: string) {}

  async start(): Promise<void> {
    const c = spawn(process.execPath, [HTTP_SERVER, this.root, String(this.port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.child = c;
    this.port = await new Promise<number>((resolve, reject) => {
      c.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      c.once('exit', (code) => reject(new Error(`the HTTP git server exited with ${code}`)));
    });
  }

  async stop(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  }

  url(bare: string): string {
    return `http://127.0.0.1:${this.port}/${path.basename(bare)}`;
  }
}

interface World {
  root: string;
  bare: string;
  machines: string[];
}

/** A bare repository with one commit, and `n` clones of it through `url` (set up for sync by seedTasks). */
function world(root: string, n: number, url: (bare: string) => string): World {
  const bare = path.join(root, 'remote.git');
  git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  const seed = path.join(root, 'seed');
  git(root, 'init', '-q', '-b', 'main', seed);
  git(seed, 'config', 'user.email', 'seed@example.com');
  git(seed, 'config', 'user.name', 'Seed');
  fs.writeFileSync(path.join(seed, 'README.md'), '# shared\n');
  git(seed, 'add', '.');
  git(seed, 'commit', '-q', '-m', 'initial');
  git(seed, 'push', '-q', bare, 'main');
  const machines: string[] = [];
  for (let i = 0; i < n; i++) {
    const m = path.join(root, `m${i}`);
    git(root, 'clone', '-q', url(bare), m);
    git(m, 'config', 'user.email', `m${i}@example.com`);
    git(m, 'config', 'user.name', `Machine ${i}`);
    machines.push(m);
  }
  return { root, bare, machines };
}

/**
 * `count` tasks created on machine 0 in one process with no remote (setup, not measured), then
 * published by `lockstep sync --setup origin` there, which every other machine then runs to fetch them.
 */
async function seedTasks(w: World, count: number, prefix: string): Promise<string[]> {
  const app = new Lockstep({ dir: w.machines[0]!, gcEvery: 0, remote: null });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await app.run(ops.taskCreate, { title: `${prefix} ${i}`, complexity: 'simple' }, { agent: 'planner-1', role: 'planner' })).task.id);
  app.close();
  for (const m of w.machines) lockstep(m, 'sync', '--setup', 'origin');
  return ids;
}

/** Claims per server: a few unmeasured ones first (JIT, first fetch), then the measured ones. */
const WARM = 5;

interface ClaimRun {
  latencies: number[];
  seconds: number;
  /** Claims that lost 200 push rounds in a row (REMOTE_UNREACHABLE, taken back) before one got through. */
  starved: number;
}

/**
 * One referee-mode server per machine (`--remote origin`), each claiming its own tasks as fast as
 * it can; all machines at once, so their pushes race at the remote (a refused push is a fetch, a
 * re-run on the remote tip and another push). Every acknowledged claim must be on the remote, once.
 */
async function claimRace(w: World, perMachine: number, env: Record<string, string> = {}): Promise<ClaimRun> {
  const n = w.machines.length;
  const ids = await seedTasks(w, n * (perMachine + WARM), 'claim');
  const clients = await Promise.all(
    w.machines.map((m, i) => AgentClient.start({ repo: m, role: 'implementer', agent: `impl-${i}`, extraArgs: ['--remote', 'origin'], env })),
  );
  try {
    const mine = (i: number) => ids.slice(i * (perMachine + WARM), (i + 1) * (perMachine + WARM));
    await Promise.all(clients.map(async (c, i) => {
      for (const id of mine(i).slice(0, WARM)) await c.call('task_claim', { id });
    }));
    const latencies: number[] = [];
    let starved = 0;
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (c, i) => {
        for (const id of mine(i).slice(WARM)) {
          const s = performance.now();
          // A machine whose pushes keep losing to the others gives up after 200 rounds (the op is
          // taken back): counted, and called again, as its agent is told to.
          for (let tries = 0; ; tries++) {
            try {
              await c.call('task_claim', { id });
              break;
            } catch (err) {
              if (!(err instanceof ToolError && err.code === 'REMOTE_UNREACHABLE' && err.data?.rounds !== undefined) || tries >= 5) throw err;
              starved++;
            }
          }
          latencies.push(performance.now() - s);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    // Each acknowledged claim is on the remote exactly once, by its claimer.
    const claims = git(w.bare, 'log', '--first-parent', '--format=%s', STATE).split('\n').filter((s) => s.startsWith('task.claim '));
    assert.equal(claims.length, ids.length, 'one claim commit on the remote per acknowledged claim');
    for (const [i] of clients.entries()) for (const id of mine(i)) assert.ok(claims.includes(`task.claim ${id} by impl-${i}`), `${id} claimed by impl-${i} on the remote`);
    return { latencies: latencies.sort((a, b) => a - b), seconds, starved };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

function reportClaims(report: Report, label: string, r: ClaimRun, machines: number): void {
  const total = r.latencies.length;
  report(
    `(sync) task_claim, referee mode, ${label}, ${machines} machine${machines > 1 ? 's' : ''} x 1 server`,
    `p50 ${ms(pct(r.latencies, 50))}, p99 ${ms(pct(r.latencies, 99))}, max ${ms(r.latencies.at(-1)!)}; ${(total / r.seconds).toFixed(1)} ops/s aggregate (${total} claims${r.starved ? `; ${r.starved} answered REMOTE_UNREACHABLE after 200 lost push rounds and were called again` : ''})`,
  );
}

/**
 * Offline mode (`--remote-mode offline`): four machines work while the HTTP remote is stopped:
 * each claims its own tasks, and all claim one shared task and lease one shared path (three of each
 * must lose). Measured from the server's restart until every clone's tip is the remote's and every
 * provisional op is either on the remote or recorded there as a sync.conflict.
 */
async function offlineConverge(report: Report, root: string, perMachine: number): Promise<void> {
  const http = new HttpRemote(root);
  await http.start();
  const clients: AgentClient[] = [];
  try {
    const w = world(root, 4, (b) => http.url(b));
    const ids = await seedTasks(w, 4 * perMachine + 1, 'offline');
    const shared = ids.at(-1)!;
    for (const [i, m] of w.machines.entries()) {
      clients.push(await AgentClient.start({ repo: m, role: 'implementer', agent: `off-${i}`, extraArgs: ['--remote', 'origin', '--remote-mode', 'offline', '--remote-timeout-sec', '2'] }));
    }
    // Online first: each server has fetched and pushed once.
    await Promise.all(clients.map(async (c, i) => {
      await c.call('lock_acquire', { path: `src/warm-${i}.ts` });
      await c.call('lock_release', { path: `src/warm-${i}.ts` });
    }));
    await http.stop();
    const acked: { agent: string; op: string; task?: string; lease?: string }[] = [];
    const provisional = (r: { provisional?: boolean }) => assert.equal(r.provisional, true, 'committed here while the remote is away');
    await Promise.all(
      clients.map(async (c, i) => {
        const agent = `off-${i}`;
        for (const id of ids.slice(i * perMachine, (i + 1) * perMachine)) {
          provisional(await c.call('task_claim', { id }));
          acked.push({ agent, op: 'task.claim', task: id });
        }
        provisional(await c.call('task_claim', { id: shared }));
        acked.push({ agent, op: 'task.claim', task: shared });
        const l = await c.call<{ provisional?: boolean; lease: { id: string } }>('lock_acquire', { path: 'src/shared.ts' });
        provisional(l);
        acked.push({ agent, op: 'lock.acquire', lease: l.lease.id });
      }),
    );
    await http.start();
    const back = performance.now();
    const tip = (r: string) => git(r, 'rev-parse', STATE);
    let done = false;
    let conflicts = 0;
    while (!done && performance.now() - back < 60_000) {
      await sleep(50);
      const remote = tip(w.bare);
      if (!w.machines.every((m) => tip(m) === remote)) continue;
      const hist = git(w.bare, 'log', '--first-parent', '--format=%s%x00%(trailers:key=Lockstep-Entity,valueonly,separator=%x20)%x00%(trailers:key=Lockstep-Input,valueonly)', STATE)
        .split('\n')
        .map((l) => l.split('\x00') as [string, string, string]);
      const notes = hist.filter(([s]) => s.startsWith('sync.conflict')).map(([, , input]) => JSON.parse(input) as { agent: string; op: string; task?: string });
      const published = (a: (typeof acked)[number]) =>
        a.op === 'task.claim' ? hist.some(([s]) => s === `task.claim ${a.task} by ${a.agent}`) : hist.some(([s, ent]) => s.startsWith('lock.acquire') && ent.split(' ').includes(a.lease!));
      const recorded = (a: (typeof acked)[number]) => notes.some((n) => n.agent === a.agent && n.op === a.op && (a.task === undefined || n.task === a.task));
      done = acked.every((a) => published(a) || recorded(a));
      conflicts = notes.length;
    }
    const convergeMs = performance.now() - back;
    assert.ok(done, 'offline mode converged within 60 s of the remote coming back');
    assert.equal(conflicts, 6, 'three losers of the shared claim and three of the shared lease, each recorded');
    report(
      `(sync) offline mode: 4 machines x ${perMachine + 2} provisional ops while the HTTP remote was down`,
      `converged ${ms(convergeMs)} after it came back (all tips equal; ${acked.length - 6} published, 6 recorded as sync.conflict; background sync every 2 s)`,
    );
  } finally {
    for (const c of clients) await c.close();
    await http.stop();
  }
}

export async function syncBench(report: Report, quick: boolean): Promise<void> {
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-sync-')));
    dirs.push(d);
    return d;
  };
  const started = performance.now();
  const one = quick ? 20 : 80;
  const four = quick ? 10 : 40;
  try {
    for (const machines of [1, 4]) {
      const root = tmp();
      const w = world(root, machines, (b) => b);
      reportClaims(report, 'file remote', await claimRace(w, machines === 1 ? one : four), machines);
    }
    for (const [machines, env, label] of [
      [1, {}, 'smart HTTP remote'],
      [4, {}, 'smart HTTP remote'],
      [1, NO_GIT, 'smart HTTP, no git CLI (isomorphic-git)'],
    ] as const) {
      const root = tmp();
      const http = new HttpRemote(root);
      await http.start();
      try {
        const w = world(root, machines, (b) => http.url(b));
        reportClaims(report, label, await claimRace(w, machines === 1 ? one : four, env), machines);
      } finally {
        await http.stop();
      }
    }
    await offlineConverge(report, tmp(), quick ? 3 : 8);
    process.stderr.write(`  (sync section took ${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  } finally {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}
