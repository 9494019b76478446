// `npm run bench`: the performance budget of DESIGN 9 and issue 2, measured through real MCP stdio
// servers on real repositories, printed as one table. Benchmarks print numbers; they never fail on
// time. The one assertion is correctness: zero lost updates under 8-process contention.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Lockstep } from '../src/app/lockstep.js';
import { AgentClient } from '../src/client/agent-client.js';
import { listTools } from '../src/mcp/list.js';
import { ops } from '../src/state/ops/index.js';
import { cachePath } from '../src/store/persist.js';
import { dashboardBench } from './dashboard.js';
import { peerBench } from './peer.js';
import { syscallsPerCommit } from './syscalls.js';
import { runStress, stressFailures, stressSummary } from './stress.js';
import { syncBench } from './sync.js';

const quick = process.argv.includes('--quick');
/** `--only a,b` runs just those sections (p, sys, a, b, c, d, e, stress, disk, tools, wt, dash, sync). */
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const want = (section: string) => !only || only.includes(section);
const rows: [string, string, string][] = [];
const cleanups: string[] = [];

function report(metric: string, value: string, target = '') {
  rows.push([metric, value, target]);
  process.stderr.write(`  ${metric}: ${value}${target ? `   (target ${target})` : ''}\n`);
}

function repo(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-')));
  cleanups.push(dir);
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  return dir;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

function median(xs: number[]): number {
  return pct([...xs].sort((a, b) => a - b), 50);
}

const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
const planner = { agent: 'planner-1', role: 'planner' as const };

/**
 * Let earlier work finish before measuring: a `git gc --auto` that a server started in the
 * background (it removes gc.pid when done), and the disk writeback.
 */
function settle(): void {
  const until = Date.now() + 120_000;
  while (cleanups.some((d) => fs.existsSync(path.join(d, '.git', 'gc.pid'))) && Date.now() < until) execFileSync('sleep', ['0.2']);
  execFileSync('sync');
}

/** The bench's own MCP client is JIT-compiled on first use; warm it on a throwaway server, unreported. */
async function warmHarness(): Promise<void> {
  const c = await AgentClient.start({ repo: repo(), role: 'implementer', agent: 'warm-up', extraArgs: ['--gc-every', '0'] });
  for (let i = 0; i < (quick ? 300 : 1500); i++) await c.call(i % 2 ? 'lock_release' : 'lock_acquire', { path: 'src/a.ts' });
  await c.close();
}

/**
 * (a) One agent's lease acquire+release cycle through real MCP stdio; median of 5 rounds. The
 * target row defers maintenance (--gc-every 0): at this rate (about 1,000 commits a second) a
 * background `git gc --auto` runs every few seconds, which an agent (a few ops per second) sees
 * every ten minutes or so; the last row shows the rate with it.
 */
async function lockCycle(fsync: boolean, gc: boolean): Promise<void> {
  const dir = repo();
  const c = await AgentClient.start({ repo: dir, role: 'implementer', agent: 'impl-1', extraArgs: [...(fsync ? ['--fsync'] : []), ...(gc ? [] : ['--gc-every', '0'])] });
  const cycle = async () => {
    await c.call('lock_acquire', { path: 'src/a.ts' });
    await c.call('lock_release', { path: 'src/a.ts' });
  };
  // Warm up this harness's own MCP client too (JIT): agents' MCP clients are long-running.
  for (let i = 0; i < (quick ? 200 : 1000); i++) await cycle();
  const n = quick ? 100 : 300;
  const rates: number[] = [];
  for (let round = 0; round < 5; round++) {
    settle();
    const t = performance.now();
    for (let i = 0; i < n; i++) await cycle();
    rates.push((2 * n) / ((performance.now() - t) / 1000));
    if (process.env.BENCH_ROUNDS) process.stderr.write(`    round ${round}: ${Math.round(rates[rates.length - 1]!)} calls/s\n`);
  }
  await c.close();
  rates.sort((a, b) => a - b);
  const calls = median(rates);
  report(
    `(a) lock acquire+release via MCP stdio${fsync ? ', fsync on' : ''}${gc ? ', git gc --auto every 1000 commits' : ''}`,
    `${Math.round(calls)} calls/s (rounds ${Math.round(rates[0]!)}-${Math.round(rates[rates.length - 1]!)}; no peer measured in this run, so no ratio)`,
    fsync || gc ? '' : '>= 600 calls/s',
  );
}

/** (b) 8 processes x 200 claims/updates on one repository. */
async function contention(): Promise<void> {
  const dir = repo();
  const procs = 8;
  const perProc = quick ? 50 : 100; // claims; as many updates again
  const app = new Lockstep({ dir, gcEvery: 0 });
  const ids: string[][] = [];
  for (let p = 0; p < procs; p++) {
    ids.push([]);
    for (let i = 0; i < perProc; i++) ids[p]!.push((await app.run(ops.taskCreate, { title: `p${p} t${i}`, complexity: 'simple' }, planner)).task.id);
  }
  const before = Number(git(dir, 'rev-list', '--count', 'refs/lockstep/state'));
  settle();
  const clients = await Promise.all(Array.from({ length: procs }, (_, p) => AgentClient.start({ repo: dir, role: 'implementer', agent: `impl-${p + 1}` })));
  const latencies: number[] = [];
  const timed = async (c: AgentClient, tool: string, args: Record<string, unknown>) => {
    const t = performance.now();
    await c.call(tool, args);
    latencies.push(performance.now() - t);
  };
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c, p) => {
      for (const id of ids[p]!) {
        await timed(c, 'task_claim', { id });
        await timed(c, 'task_update', { id, status: 'done' });
      }
    }),
  );
  const sec = (performance.now() - t0) / 1000;
  await Promise.all(clients.map((c) => c.close()));
  // Zero lost updates: every task done by its claimer, and exactly one commit per operation.
  const tasks = await app.read((state) => state.tasks().items);
  for (let p = 0; p < procs; p++) {
    for (const id of ids[p]!) {
      const t = tasks.find((x) => x.id === id)!;
      assert.equal(t.status, 'done', `lost update on ${id}`);
      assert.equal(t.owner, `impl-${p + 1}`, `lost update on ${id}`);
    }
  }
  const commits = Number(git(dir, 'rev-list', '--count', 'refs/lockstep/state')) - before;
  assert.equal(commits, latencies.length, 'one commit per operation');
  git(dir, 'fsck', '--strict', '--no-progress');
  app.close();
  const sorted = [...latencies].sort((a, b) => a - b);
  report(`(b) ${procs} processes x ${perProc * 2} claims/updates`, `${Math.round(latencies.length / sec)} ops/s aggregate`, '>= 250 ops/s');
  report('(b) per-op latency p50 / p99', `${ms(pct(sorted, 50))} / ${ms(pct(sorted, 99))}`, 'p99 < 250 ms');
  report('(b) lost updates', `0 of ${latencies.length} (asserted; fsck --strict clean)`, '0');
}

/** (c) One mutation and task_list with 10,000 tasks in the state, warm and after a fresh start. */
async function bigState(): Promise<void> {
  const dir = repo();
  const n = quick ? 2000 : 10_000;
  const app = new Lockstep({ dir, gcEvery: 0 }); // setup only; gc runs explicitly below
  const t = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await app.run(ops.taskCreate, { title: `task number ${i}`, description: 'A task of the 10k-task benchmark, with a sentence of text.', tags: ['bench'], complexity: 'simple' }, planner)).task.id);
  const createMs = (performance.now() - t) / n;
  app.close();
  report(`(c) task_create (in-process) while growing to ${n} tasks`, `${ms(createMs)} per commit`);
  settle();

  const c = await AgentClient.start({ repo: dir, role: 'all', agent: 'bench-1' });
  await c.call('task_list');
  const list: number[] = [];
  for (let i = 0; i < 30; i++) {
    const s = performance.now();
    await c.call('task_list');
    list.push(performance.now() - s);
  }
  const mut: number[] = [];
  for (let i = 0; i < 50; i++) {
    const s = performance.now();
    await c.call('task_update', { id: ids[i]!, title: `renamed ${i}` });
    mut.push(performance.now() - s);
  }
  // A list right after a write: the snapshot changed, the sorted listing is rebuilt once.
  const afterWrite: number[] = [];
  for (let i = 0; i < 10; i++) {
    await c.call('task_update', { id: ids[100 + i]!, title: `again ${i}` });
    const s = performance.now();
    await c.call('task_list');
    afterWrite.push(performance.now() - s);
  }
  await c.close();
  report(`(c) one mutation (task_update) with ${n} tasks, via MCP`, `${ms(median(mut))} median`, '< 10 ms');
  report(`(c) task_list (first 50) with ${n} tasks, warm`, `${ms(median(list))} median; ${ms(median(afterWrite))} right after a write`, '< 50 ms');

  const cold = async (label: string) => {
    const s = performance.now();
    const fresh = await AgentClient.start({ repo: dir, role: 'all', agent: 'bench-2' });
    const first = performance.now();
    await fresh.call('task_list');
    const end = performance.now();
    await fresh.close();
    report(`(c) cold start: spawn -> first task_list, ${label}`, `${ms(end - s)} (process+MCP init ${ms(first - s)})`, '< 1.5 s');
  };
  await cold('persisted snapshot');
  fs.rmSync(cachePath({ commonDir: path.join(dir, '.git') } as never), { force: true });
  await cold('no snapshot (parse every file)');
  settle();
  git(dir, 'gc', '--quiet');
  fs.rmSync(cachePath({ commonDir: path.join(dir, '.git') } as never), { force: true });
  await cold('no snapshot, all objects packed');
}

/** (d) Wake-up latency of a blocked events_wait when another process commits. */
async function wakeUp(): Promise<void> {
  const dir = repo();
  const app = new Lockstep({ dir, gcEvery: 0 });
  await app.run(ops.noteAppend, { text: 'start' }, planner);
  const waiter = await AgentClient.start({ repo: dir, role: 'planner', agent: 'planner-2' });
  const lat: number[] = [];
  let cursor = app.tip();
  for (let i = 0; i < (quick ? 20 : 50); i++) {
    const woke = waiter.call<{ cursor: string }>('events_wait', { cursor, timeoutSec: 10 });
    await new Promise((r) => setTimeout(r, 30)); // let it block
    await app.run(ops.noteAppend, { text: `n${i}` }, planner);
    const committed = performance.now(); // the ref has been renamed into place
    cursor = (await woke).cursor;
    lat.push(performance.now() - committed);
  }
  await waiter.close();
  app.close();
  const sorted = [...lat].sort((a, b) => a - b);
  report('(d) events_wait wake-up after another process commits', `p50 ${ms(pct(sorted, 50))}, p99 ${ms(pct(sorted, 99))}`, 'p50 < 30 ms');
}

/**
 * A question's round trip across three processes' worth of commits: a worker's blocking task_ask,
 * the planner's events_wait signal (a hold commit), task_reply, and the ask returning the answer.
 */
async function questionRoundTrip(): Promise<void> {
  const dir = repo();
  const lead = await AgentClient.start({ repo: dir, role: 'planner', agent: 'lead-1' });
  const worker = await AgentClient.start({ repo: dir, role: 'implementer', agent: 'worker-1' });
  await lead.call('coordination_init', { role: 'planner' });
  await worker.call('coordination_init', { role: 'implementer' });
  const { task } = await lead.call<{ task: { id: string } }>('task_create', { title: 'qa', complexity: 'medium' });
  await worker.call('task_claim', { id: task.id });
  let answering = true;
  const answerLoop = (async () => {
    while (answering) {
      const r = await lead.call<{ signal?: { task: string; messageId: string } }>('events_wait', { signals: true, timeoutSec: 5 });
      if (r.signal) await lead.call('task_reply', { task: r.signal.task, messageId: r.signal.messageId, content: 'yes' });
    }
  })();
  const lat: number[] = [];
  for (let i = 0; i < (quick ? 10 : 30); i++) {
    const t0 = performance.now();
    await worker.call('task_ask', { task: task.id, content: `question ${i}?`, timeoutSec: 10 });
    lat.push(performance.now() - t0);
  }
  answering = false;
  await answerLoop;
  await lead.close();
  await worker.close();
  const sorted = [...lat].sort((a, b) => a - b);
  report('(e) task_ask answered by a planner in another process (3 commits)', `p50 ${ms(pct(sorted, 50))}, p99 ${ms(pct(sorted, 99))}`, 'swarm-mcp polls every 200 ms');
}

/** Disk growth per state commit, and after `git gc`. */
async function diskPerOp(): Promise<void> {
  const dir = repo();
  const app = new Lockstep({ dir, gcEvery: 0 });
  await app.run(ops.noteAppend, { text: 'warm' }, planner);
  const du = () => Number(execFileSync('du', ['-sb', path.join(dir, '.git', 'objects')], { encoding: 'utf8' }).split('\t')[0]);
  const before = du();
  const n = 500;
  for (let i = 0; i < n; i++) {
    const t = await app.run(ops.taskCreate, { title: `t${i}`, complexity: 'simple' }, planner);
    await app.run(ops.lockAcquire, { path: `src/${i}.ts`, task: t.task.id }, { agent: 'impl-1', role: 'implementer' });
  }
  const grown = du() - before;
  app.close();
  settle();
  git(dir, 'gc', '--quiet');
  const packed = du();
  report('disk per state commit (loose objects)', `${(grown / (2 * n) / 1024).toFixed(1)} KiB`);
  report('disk per state commit after git gc', `${(packed / (2 * n + 1) / 1024).toFixed(2)} KiB`);
}

/**
 * (f) The lease stress run, short (`npm run stress` runs 30 s): 8 processes contend for overlapping
 * leases on 20 paths; the state history is replayed and must show no conflicting holders.
 */
async function leaseStress(): Promise<void> {
  // No stalls here: a stalled agent idles for its lease's TTL, which would make the rate noisy.
  const s = await runStress({ processes: 8, seconds: quick ? 5 : 10, stallChance: 0 });
  const failures = stressFailures(s);
  assert.deepEqual(failures, [], stressSummary(s));
  report(`(f) lease stress: 8 processes, ${s.seconds.toFixed(0)} s, 20 paths + globs, 25% shared`, `${(s.acquisitions / s.seconds).toFixed(0)} acquisitions/s; ${(s.refusals / s.seconds).toFixed(0)} LOCK_HELD refusals/s; ${(s.replay.commits / s.seconds).toFixed(0)} commits/s`);
  report('(f) lease acquire latency p50 / p99 (waitSec 0)', `${ms(s.acquireP50)} / ${ms(s.acquireP99)}`);
  report('(f) lease history replayed', `${s.replay.commits} commits, 0 conflicting holders (asserted)`, '0');
}

/** A repository of `files` small files in folders of 50, in one commit (issue 6 bench). */
function filesRepo(files: number): string {
  const dir = repo();
  git(dir, 'config', 'user.email', 'bench@example.com');
  git(dir, 'config', 'user.name', 'Bench');
  for (let i = 0; i < files; i++) {
    const folder = path.join(dir, 'src', `m${String(Math.floor(i / 50)).padStart(2, '0')}`);
    if (i % 50 === 0) fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, `f${i}.ts`), `export const v${i} = ${i};\n`);
  }
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', `${files} files`);
  return dir;
}

/** worktree_create on a 2,000-file repository: each sample a fresh process (cold caches), a new agent. */
function worktreeCreate(): void {
  const dir = filesRepo(2000);
  // With the git CLI (git read-tree fills the worktree), and without it (isomorphic-git checkout).
  for (const [label, env] of [['', process.env], [', no git CLI', { ...process.env, PATH: '/nonexistent' }]] as const) {
    const samples: number[] = [];
    for (let i = 0; i < (quick ? 3 : 5); i++) {
      execFileSync('sync');
      const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'wt-create.ts'), dir, `bench${label ? '-nogit' : ''}-${i}`], { encoding: 'utf8', env });
      samples.push(Number(out.trim()));
    }
    report(`(wt) worktree_create, 2,000 files, cold${label} (median)`, `${ms(median(samples))} (min ${ms(Math.min(...samples))}, max ${ms(Math.max(...samples))})`);
  }
  // worktree_merge: each sample a new agent branch with 5 changed files while main moved on elsewhere.
  const merges: number[] = [];
  for (let i = 0; i < (quick ? 3 : 5); i++) {
    const agent = `merge-${i}`;
    const wt = path.join(dir, '.lockstep', 'worktrees', agent);
    git(dir, 'worktree', 'add', '-q', '-b', `lockstep/${agent}`, wt);
    for (let f = 0; f < 5; f++) fs.appendFileSync(path.join(wt, 'src', `m${String(i).padStart(2, '0')}`, `f${i * 50 + f}.ts`), `// ${agent}\n`);
    git(wt, 'commit', '-qam', `${agent} work`);
    fs.appendFileSync(path.join(dir, 'src', 'm39', `f${1990 + i}.ts`), `// main ${i}\n`);
    git(dir, 'commit', '-qam', `main moves on ${i}`);
    execFileSync('sync');
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'wt-merge.ts'), dir, agent], { encoding: 'utf8' });
    merges.push(Number(out.trim()));
  }
  report('(wt) worktree_merge, 2,000 files, 5 changed, two-parent, main checkout updated, cold (median)', `${ms(median(merges))} (min ${ms(Math.min(...merges))}, max ${ms(Math.max(...merges))})`);
}

function toolListSizes(): void {
  for (const role of ['planner', 'implementer', 'reviewer', 'all'] as const) {
    const bytes = Buffer.byteLength(JSON.stringify({ tools: listTools(role) }));
    report(`tools/list size, role ${role}`, `${listTools(role).length} tools, ${bytes} bytes (~${Math.round(bytes / 4)} tokens)`, '< 5,000 tokens');
  }
}

async function main(): Promise<void> {
  process.stderr.write(`Lockstep bench on ${os.cpus().length} cores, node ${process.version}${quick ? ' (quick)' : ''}\n`);
  if (want('p') || want('a')) await warmHarness();
  if (want('p')) await peerBench(report, { quick, argv: process.argv, settle, cleanups });
  if (want('sys')) {
    const count = await syscallsPerCommit(repo(), quick ? 200 : 1000);
    if (!count) report('syscalls per state commit', 'not measured: strace is not installed (apt-get install strace)');
    else {
      const fsCalls = Object.entries(count.perCommit).filter(([, n]) => n >= 0.5).map(([k, n]) => `${k} ${n}`).join(', ');
      report(`syscalls per state commit (strace -c -f over ${count.commits} lease commits of one MCP server)`, `${count.total} in all; ${fsCalls}`);
    }
  }
  if (want('a')) {
    await lockCycle(false, false);
    await lockCycle(true, false);
    await lockCycle(false, true);
  }
  if (want('b')) {
    settle();
    await contention();
  }
  if (want('c')) {
    settle();
    await bigState();
  }
  if (want('d')) {
    settle();
    await wakeUp();
  }
  if (want('e')) {
    settle();
    await questionRoundTrip();
  }
  if (want('stress')) {
    settle();
    await leaseStress();
  }
  if (want('disk')) await diskPerOp();
  if (want('tools')) toolListSizes();
  if (want('wt')) {
    settle();
    worktreeCreate();
  }
  if (want('dash')) {
    settle();
    await dashboardBench(report, repo, quick);
  }
  if (want('sync')) {
    settle();
    await syncBench(report, quick);
  }
  const w = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length))];
  console.log(`\n${'metric'.padEnd(w[0]!)}  ${'result'.padEnd(w[1]!)}  target`);
  for (const [m, v, t] of rows) console.log(`${m.padEnd(w[0]!)}  ${v.padEnd(w[1]!)}  ${t}`);
  // Servers may still be flushing their snapshot cache as they exit: retry removals.
  for (const d of cleanups) fs.rmSync(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}

await main();
