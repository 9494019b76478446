// Many machines, one state (issue 17): separate clones of one bare repository (over a file path, and
// over git's smart HTTP served by http-backend on 127.0.0.1), each with its own server processes.
// The remote is the referee: exactly one winner per claim and per exclusive lease, proved by
// replaying the remote's history; a killed server's commit is published by the next one; an
// unreachable remote answers REMOTE_UNREACHABLE; a rewritten one REMOTE_DIVERGED.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ToolError, type AgentClient } from '../src/client/agent-client.js';
import { cli, fsckStrict, git, initAgent, sleep, toolError } from './helpers.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});

function tmp(prefix: string): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  dirs.push(d);
  return d;
}

interface World {
  root: string;
  bare: string;
  machines: string[];
}

/** A bare repository with one commit on main, and `n` clones of it ("machines"), set up with `lockstep sync --setup origin`. */
function world(n: number, url?: (bare: string) => string): World {
  const root = tmp('lockstep-sync-');
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
    git(root, 'clone', '-q', url ? url(bare) : bare, m);
    git(m, 'config', 'user.email', `m${i}@example.com`);
    git(m, 'config', 'user.name', `Machine ${i}`);
    const r = cli(m, 'sync', '--setup', 'origin', '--json');
    assert.equal(r.status, 0, r.stderr);
    machines.push(m);
  }
  return { root, bare, machines };
}

interface Commit {
  oid: string;
  subject: string;
  trailers: Record<string, string[]>;
}

/** The state history of a repository, oldest first, with its Lockstep-* trailers. */
function history(repo: string, ref = 'refs/lockstep/state'): Commit[] {
  const out = git(repo, 'log', '--reverse', '--first-parent', '--format=%H%x00%B%x01', ref);
  return out
    .split('\x01')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((block) => {
      const [oid, body] = block.split('\x00') as [string, string];
      const trailers: Record<string, string[]> = {};
      for (const line of body.split('\n')) {
        const m = /^(Lockstep-[A-Za-z-]+): (.*)$/.exec(line);
        if (m) (trailers[m[1]!] ??= []).push(m[2]!);
      }
      return { oid, subject: body.split('\n')[0]!, trailers };
    });
}

const one = (c: Commit, k: string) => c.trailers[k]?.[0];

test('every state commit records its op and validated input (Lockstep-Input), readable with git log', () => {
  const w = world(1);
  const m = w.machines[0]!;
  const r = cli(m, 'task', 'create', '--title', 'carry my input', '--tag', 'a', '--json');
  assert.equal(r.status, 0, r.stderr);
  const last = history(m).at(-1)!;
  assert.equal(one(last, 'Lockstep-Op'), 'task.create');
  const input = JSON.parse(one(last, 'Lockstep-Input')!) as Record<string, unknown>;
  assert.equal(input.title, 'carry my input');
  assert.deepEqual(input.tags, ['a']);
  assert.match(one(last, 'Lockstep-Op-Id')!, /^[0-9a-f]{16}$/);
  assert.ok(Date.parse(one(last, 'Lockstep-Time')!) > 0);
  // And it was published: the remote has the same commit.
  assert.equal(git(w.bare, 'rev-parse', 'refs/lockstep/state'), git(m, 'rev-parse', 'refs/lockstep/state'));
});

test('referee mode: a claim made elsewhere first wins; the local one is re-run on the remote tip and fails with TASK_NOT_CLAIMABLE naming the winner', async () => {
  const w = world(2);
  const [a, b] = w.machines as [string, string];
  const planner = await initAgent(a, 'planner', 'lead');
  const { task } = await planner.call<{ task: { id: string } }>('task_create', { title: 'contested' });
  // Machine b has never fetched the task: its first claim finds it on the remote.
  const implB = await initAgent(b, 'implementer', 'impl-b');
  const started = performance.now();
  const won = await implB.call<{ task: { owner: string } }>('task_claim', { id: task.id });
  const claimMs = performance.now() - started;
  assert.equal(won.task.owner, 'impl-b');
  // Machine a's local state still has the task todo: its claim commits locally, the push is refused, the re-run fails.
  const implA = await initAgent(a, 'implementer', 'impl-a');
  const err = await toolError(implA.call('task_claim', { id: task.id }));
  assert.equal(err.code, 'TASK_NOT_CLAIMABLE');
  assert.match(JSON.stringify(err.data ?? {}) + err.message, /impl-b/);
  const claims = history(w.bare).filter((c) => one(c, 'Lockstep-Op') === 'task.claim');
  assert.equal(claims.length, 1);
  assert.equal(one(claims[0]!, 'Lockstep-Actor'), 'impl-b');
  // Both machines now agree with the remote.
  assert.equal(git(a, 'rev-parse', 'refs/lockstep/state'), git(w.bare, 'rev-parse', 'refs/lockstep/state'));
  const st = await implA.call<{ remote: { unpublished: number; remote: string } }>('status_get');
  assert.equal(st.remote.remote, 'origin');
  assert.equal(st.remote.unpublished, 0);
  // A blocked call on machine b wakes for a commit made on machine a (its server fetches while it waits).
  const waiting = implB.call<{ events: { op: string; actor: string }[]; timedOut: boolean }>('events_wait', { timeoutSec: 15, ops: ['note.append'] });
  await sleep(300);
  const noted = performance.now();
  await planner.call('note_append', { text: 'from machine a' });
  const woke = await waiting;
  const wakeMs = performance.now() - noted;
  assert.equal(woke.timedOut, false);
  assert.deepEqual(woke.events.map((e) => [e.op, e.actor]), [['note.append', 'lead']]);
  assert.ok(wakeMs < 8_000, `woke after ${wakeMs} ms`);
  process.stderr.write(`sync.test: a claim that fetches first, through a file remote: ${claimMs.toFixed(0)} ms; a wait on another machine woke after ${wakeMs.toFixed(0)} ms\n`);
});

test('race: 3 machines x 2 server processes claim 12 shared tasks and lease 8 shared paths through the remote: one winner each, proved on its history', async () => {
  const w = world(3);
  const planner = await initAgent(w.machines[0]!, 'planner', 'lead');
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) ids.push((await planner.call<{ task: { id: string } }>('task_create', { title: `shared ${i}` })).task.id);
  const files = Array.from({ length: 8 }, (_, i) => `src/shared-${i}.ts`);
  const agents: { name: string; c: AgentClient }[] = [];
  for (const [mi, m] of w.machines.entries()) {
    for (let p = 0; p < 2; p++) {
      const name = `impl-${mi}-${p}`;
      agents.push({ name, c: await initAgent(m, 'implementer', name) });
    }
  }
  const claimed = new Map<string, string[]>();
  const leased = new Map<string, { agent: string; lease: string }[]>();
  const started = performance.now();
  let attempts = 0;
  await Promise.all(
    agents.map(async ({ name, c }, k) => {
      // Each agent walks the tasks and paths in its own order, so the races spread.
      const order = ids.map((_, i) => (i + k * 5) % ids.length);
      for (const [n, i] of order.entries()) {
        attempts++;
        try {
          await c.call('task_claim', { id: ids[i]! });
          (claimed.get(ids[i]!) ?? claimed.set(ids[i]!, []).get(ids[i]!)!).push(name);
        } catch (err) {
          assert.ok(err instanceof ToolError, String(err));
          assert.equal(err.code, 'TASK_NOT_CLAIMABLE', `${name} claiming ${ids[i]}: ${err.message}`);
        }
        const file = files[(n + k) % files.length]!;
        attempts++;
        try {
          const r = await c.call<{ lease: { id: string } }>('lock_acquire', { paths: [file], ttlSec: 3600 });
          (leased.get(file) ?? leased.set(file, []).get(file)!).push({ agent: name, lease: r.lease.id });
        } catch (err) {
          assert.ok(err instanceof ToolError, String(err));
          assert.equal(err.code, 'LOCK_HELD', `${name} leasing ${file}: ${err.message}`);
        }
      }
    }),
  );
  const raceMs = performance.now() - started;
  // Acknowledged: exactly one winner per task and per path (an agent leasing its own path again extends it).
  for (const id of ids) assert.equal(claimed.get(id)?.length, 1, `one acknowledged claim of ${id}: ${claimed.get(id)}`);
  for (const f of files) assert.equal(new Set((leased.get(f) ?? []).map((l) => l.agent)).size, 1, `one holder of ${f}`);

  // Replay the remote's history: one claim commit per task, no two agents' exclusive leases on one path.
  const hist = history(w.bare);
  const claimsOf = new Map<string, string[]>();
  const holderOf = new Map<string, string>();
  for (const c of hist) {
    if (one(c, 'Lockstep-Op') === 'task.claim') {
      const id = c.trailers['Lockstep-Entity']![0]!;
      (claimsOf.get(id) ?? claimsOf.set(id, []).get(id)!).push(one(c, 'Lockstep-Actor')!);
    }
    if (one(c, 'Lockstep-Op') === 'lock.acquire') {
      const data = JSON.parse(one(c, 'Lockstep-Data')!) as { paths: string[] };
      for (const p of data.paths) {
        const held = holderOf.get(p);
        assert.ok(held === undefined || held === one(c, 'Lockstep-Actor'), `${p} leased by ${held} and ${one(c, 'Lockstep-Actor')}`);
        holderOf.set(p, one(c, 'Lockstep-Actor')!);
      }
    }
  }
  for (const id of ids) assert.deepEqual(claimsOf.get(id), claimed.get(id), `the remote's claims of ${id} are the acknowledged one`);
  for (const f of files) assert.equal(holderOf.get(f), leased.get(f)![0]!.agent, `the remote's holder of ${f} is the acknowledged one`);
  // No op published twice, and nothing acknowledged is missing from the remote's final state.
  const opIds = hist.map((c) => one(c, 'Lockstep-Op-Id'));
  assert.equal(new Set(opIds).size, opIds.length);
  const audit = path.join(w.root, 'audit');
  git(w.root, 'clone', '-q', w.bare, audit);
  assert.equal(cli(audit, 'sync', '--setup', 'origin').status, 0);
  const tasks = JSON.parse(cli(audit, 'task', 'list', '--json').stdout) as { tasks: { id: string; owner?: string }[] };
  for (const t of tasks.tasks) assert.equal(t.owner, claimed.get(t.id)![0]);
  const locks = JSON.parse(cli(audit, 'lock', 'list', '--json').stdout) as { leases: { id: string; owner: string }[] };
  for (const f of files) for (const l of leased.get(f)!) assert.ok(locks.leases.some((x) => x.id === l.lease && x.owner === l.agent), `lease ${l.lease} is on the remote`);
  for (const m of [...w.machines, w.bare]) fsckStrict(m);
  process.stderr.write(`sync.test: race of ${agents.length} servers on 3 machines, ${attempts} ops through a file remote: ${raceMs.toFixed(0)} ms (${((attempts / raceMs) * 1000).toFixed(1)} ops/s)\n`);
});

test('kill -9 of a server between its local commit and its push: the next server on that machine publishes the op, once', async () => {
  const w = world(1);
  const m = w.machines[0]!;
  // The remote holds the first push of this op for 2 s, then refuses it: the server is killed meanwhile.
  const impl = await initAgent(m, 'implementer', 'impl-k');
  const hook = path.join(w.bare, 'hooks', 'pre-receive');
  const marker = path.join(w.root, 'refuse-once');
  fs.writeFileSync(marker, '');
  fs.writeFileSync(hook, `#!/bin/sh\nif [ -e "${marker}" ]; then rm -f "${marker}"; sleep 2; exit 1; fi\nexit 0\n`, { mode: 0o755 });
  const remoteBefore = git(w.bare, 'rev-parse', 'refs/lockstep/state');
  const localBefore = git(m, 'rev-parse', 'refs/lockstep/state');
  const pending = impl.call('lock_acquire', { paths: ['src/killed.ts'] }).catch((err: unknown) => err);
  for (let i = 0; i < 200 && git(m, 'rev-parse', 'refs/lockstep/state') === localBefore; i++) await sleep(10);
  assert.notEqual(git(m, 'rev-parse', 'refs/lockstep/state'), localBefore, 'committed locally');
  process.kill(impl.pid!, 'SIGKILL');
  await pending;
  await sleep(2500); // the refused push ends
  assert.equal(git(w.bare, 'rev-parse', 'refs/lockstep/state'), remoteBefore, 'not on the remote');
  // The next server on this machine publishes what the killed one left.
  const next = await initAgent(m, 'implementer', 'impl-next');
  for (let i = 0; i < 300 && git(w.bare, 'rev-parse', 'refs/lockstep/state') === remoteBefore; i++) await sleep(20);
  await next.call('whoami');
  const acquires = history(w.bare).filter((c) => one(c, 'Lockstep-Op') === 'lock.acquire' && one(c, 'Lockstep-Actor') === 'impl-k');
  assert.equal(acquires.length, 1, 'published exactly once');
  const { leases } = await next.call<{ leases: { owner: string; paths: string[] }[] }>('lock_list');
  assert.ok(leases.some((l) => l.owner === 'impl-k' && l.paths.includes('src/killed.ts')));
  fsckStrict(w.bare);
});

test('an unreachable remote: REMOTE_UNREACHABLE within the bound, and nothing is left done that is not pushed', async () => {
  const w = world(1);
  const m = w.machines[0]!;
  const impl = await initAgent(m, 'implementer', 'impl-u', { extraArgs: ['--remote-timeout-sec', '3'] });
  await impl.call('lock_acquire', { paths: ['src/one.ts'] });
  const moved = `${w.bare}.away`;
  fs.renameSync(w.bare, moved);
  const before = git(m, 'rev-parse', 'refs/lockstep/state');
  const started = performance.now();
  const err = await toolError(impl.call('lock_acquire', { paths: ['src/two.ts'] }));
  const ms = performance.now() - started;
  assert.equal(err.code, 'REMOTE_UNREACHABLE');
  assert.equal(err.data?.withdrawn, true);
  assert.ok(ms < 3_000 * 3, `answered in ${ms} ms`);
  assert.equal(git(m, 'rev-parse', 'refs/lockstep/state'), before, 'the op was taken back');
  const st = JSON.parse(cli(m, 'status', '--json').stdout) as { remote: { lastError: { code: string } } };
  assert.equal(st.remote.lastError.code, 'REMOTE_UNREACHABLE');
  fs.renameSync(moved, w.bare);
  await impl.call('lock_acquire', { paths: ['src/two.ts'] });
  assert.equal(git(m, 'rev-parse', 'refs/lockstep/state'), git(w.bare, 'rev-parse', 'refs/lockstep/state'));
  process.stderr.write(`sync.test: REMOTE_UNREACHABLE (file remote gone) after ${ms.toFixed(0)} ms\n`);
});

test('a force-pushed or deleted remote ref gives REMOTE_DIVERGED and loses no local op; --adopt-remote and --republish settle it', async () => {
  const w = world(2);
  const [a, b] = w.machines as [string, string];
  const planner = await initAgent(a, 'planner', 'lead');
  const t1 = (await planner.call<{ task: { id: string } }>('task_create', { title: 'one' })).task.id;
  const t2 = (await planner.call<{ task: { id: string } }>('task_create', { title: 'two' })).task.id;
  // Someone rewinds the remote to before the second task (a force-push).
  const tip = git(w.bare, 'rev-parse', 'refs/lockstep/state');
  git(w.bare, 'update-ref', 'refs/lockstep/state', `${tip}~1`);
  const err = await toolError(planner.call('task_create', { title: 'three' }));
  assert.equal(err.code, 'REMOTE_DIVERGED');
  // Writes stay stopped, without touching the local state.
  const local = git(a, 'rev-parse', 'refs/lockstep/state');
  assert.equal((await toolError(planner.call('task_update', { id: t1, title: 'one!' }))).code, 'REMOTE_DIVERGED');
  assert.equal(git(a, 'rev-parse', 'refs/lockstep/state'), local);
  const doctor = cli(a, 'doctor', '--json');
  assert.equal(doctor.status, 1);
  assert.ok((JSON.parse(doctor.stdout) as { checks: { code?: string }[] }).checks.some((c) => c.code === 'REMOTE_DIVERGED'));
  // --republish puts this machine's state back: the second task is on the remote again; the rewound tip is kept in a backup ref.
  const re = JSON.parse(cli(a, 'sync', '--republish', '--json').stdout) as { backup: string; remoteTip: string };
  assert.equal(git(w.bare, 'rev-parse', 'refs/lockstep/state'), local);
  assert.equal(git(a, 'rev-parse', re.backup), `${git(a, 'rev-parse', `${tip}~1`)}`);
  await planner.call('task_create', { title: 'three' });

  // Machine b publishes work, then the remote ref is deleted: REMOTE_DIVERGED; --adopt-remote after it is back.
  const implB = await initAgent(b, 'implementer', 'impl-b');
  await implB.call('task_claim', { id: t2 });
  const published = git(w.bare, 'rev-parse', 'refs/lockstep/state');
  git(w.bare, 'update-ref', '-d', 'refs/lockstep/state');
  assert.equal((await toolError(implB.call('task_claim', { id: t1 }))).code, 'REMOTE_DIVERGED');
  const adoptMissing = cli(b, 'sync', '--adopt-remote', '--json');
  assert.equal(adoptMissing.status, 1);
  assert.equal((JSON.parse(adoptMissing.stderr) as { error: { code: string } }).error.code, 'REMOTE_DIVERGED');
  // Machine a (which had not seen b's claim) republishes its state over the deleted ref...
  assert.equal(cli(a, 'sync', '--republish').status, 0);
  // ... so b's claim is gone from the remote; b adopts the remote and its claim is re-run on it, not lost.
  const adopt = JSON.parse(cli(b, 'sync', '--adopt-remote', '--json').stdout) as { replayed: number; failed: unknown[]; backup: string };
  assert.equal(git(b, 'rev-parse', adopt.backup), published);
  const hist = history(w.bare);
  const claims = hist.filter((c) => one(c, 'Lockstep-Op') === 'task.claim' && one(c, 'Lockstep-Actor') === 'impl-b');
  assert.equal(claims.length, 1, "b's claim is on the remote again");
  await implB.call('task_claim', { id: t1 });
  for (const r of [a, b, w.bare]) fsckStrict(r);
});

/** git's smart HTTP (test/git-http-server.mjs, its own process) serving `root`; stop() makes the remote unreachable. */
async function httpRemote(root: string): Promise<{ url: (bare: string) => string; stop: () => Promise<void>; start: () => Promise<void> }> {
  let port = 0;
  let child: ChildProcess | undefined;
  const start = async () => {
    const c = spawn(process.execPath, [path.join(import.meta.dirname, 'git-http-server.mjs'), root, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    child = c;
    port = await new Promise<number>((resolve, reject) => {
      c.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      c.once('exit', (code) => reject(new Error(`the HTTP git server exited with ${code}`)));
    });
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  };
  await start();
  after(stop);
  return { url: (bare) => `http://127.0.0.1:${port}/${path.basename(bare)}`, stop, start };
}

test('over smart HTTP (git http-backend on 127.0.0.1): one winner per claim across machines, and a stopped server is REMOTE_UNREACHABLE', async () => {
  const root = tmp('lockstep-http-');
  const remote = await httpRemote(root);
  // The world's bare repository must sit in the served root: build it there.
  const bare = path.join(root, 'remote.git');
  git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  const seed = path.join(root, 'seed');
  git(root, 'init', '-q', '-b', 'main', seed);
  git(seed, 'config', 'user.email', 's@example.com');
  git(seed, 'config', 'user.name', 'S');
  fs.writeFileSync(path.join(seed, 'README.md'), '# http\n');
  git(seed, 'add', '.');
  git(seed, 'commit', '-q', '-m', 'initial');
  git(seed, 'push', '-q', bare, 'main');
  const machines = [0, 1].map((i) => {
    const m = path.join(root, `h${i}`);
    git(root, 'clone', '-q', remote.url(bare), m);
    git(m, 'config', 'user.email', `h${i}@example.com`);
    git(m, 'config', 'user.name', `H${i}`);
    const r = cli(m, 'sync', '--setup', 'origin');
    assert.equal(r.status, 0, r.stderr);
    return m;
  });
  const planner = await initAgent(machines[0]!, 'planner', 'lead');
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push((await planner.call<{ task: { id: string } }>('task_create', { title: `h${i}` })).task.id);
  const a = await initAgent(machines[0]!, 'implementer', 'http-a', { extraArgs: ['--remote-timeout-sec', '3'] });
  const b = await initAgent(machines[1]!, 'implementer', 'http-b');
  const latencies: number[] = [];
  const timed = async (p: Promise<unknown>) => {
    const t = performance.now();
    try {
      await p;
      return true;
    } catch (err) {
      assert.ok(err instanceof ToolError && err.code === 'TASK_NOT_CLAIMABLE', String(err));
      return false;
    } finally {
      latencies.push(performance.now() - t);
    }
  };
  const outcomes = await Promise.all(ids.map((id) => Promise.all([timed(a.call('task_claim', { id })), timed(b.call('task_claim', { id }))])));
  for (const o of outcomes) assert.equal(o.filter(Boolean).length, 1);
  const claims = history(bare).filter((c) => one(c, 'Lockstep-Op') === 'task.claim');
  assert.equal(claims.length, ids.length);
  // Stop the HTTP server mid-run: the next op is REMOTE_UNREACHABLE and not left done.
  await remote.stop();
  const before = git(machines[0]!, 'rev-parse', 'refs/lockstep/state');
  const t = performance.now();
  const err = await toolError(a.call('lock_acquire', { paths: ['src/x.ts'] }));
  const unreachableMs = performance.now() - t;
  assert.equal(err.code, 'REMOTE_UNREACHABLE');
  assert.equal(git(machines[0]!, 'rev-parse', 'refs/lockstep/state'), before);
  fsckStrict(bare);
  latencies.sort((x, y) => x - y);
  process.stderr.write(
    `sync.test: claims through smart HTTP, 2 machines racing: p50 ${latencies[Math.floor(latencies.length / 2)]!.toFixed(0)} ms, max ${latencies.at(-1)!.toFixed(0)} ms; REMOTE_UNREACHABLE after ${unreachableMs.toFixed(0)} ms\n`,
  );
});


