// The remote as the referee over git's smart HTTP (issue 17): git http-backend behind a small Node
// server on 127.0.0.1 (test/git-http-server.mjs, its own process), two machines racing for claims,
// then the server stopped mid-run: REMOTE_UNREACHABLE, and nothing left done that is not pushed.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { ToolError } from '../../src/client/agent-client.js';
import { agent, cli, fsckStrict, git, initAgent, toolError } from '../helpers.js';
import { history, one, tmp } from '../sync-helpers.js';

/** git's smart HTTP (test/git-http-server.mjs, its own process) serving `root`; stop() makes the remote unreachable. */
async function httpRemote(root: string): Promise<{ url: (bare: string) => string; stop: () => Promise<void>; start: () => Promise<void>; freeze: (on: boolean) => void }> {
  let port = 0;
  let child: ChildProcess | undefined;
  const start = async () => {
    const c = spawn(process.execPath, [path.join(import.meta.dirname, '..', 'git-http-server.mjs'), root, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
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
  // A frozen server still has its socket: connections are accepted by the kernel and never answered (a hung host).
  const freeze = (on: boolean) => void child?.kill(on ? 'SIGSTOP' : 'SIGCONT');
  return { url: (bare) => `http://127.0.0.1:${port}/${path.basename(bare)}`, stop, start, freeze };
}

/** A bare repository served over smart HTTP and `n` clones of it, set up with `lockstep sync --setup origin` (with git). */
async function httpWorld(n: number): Promise<{ remote: Awaited<ReturnType<typeof httpRemote>>; root: string; bare: string; machines: string[] }> {
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
  const machines = Array.from({ length: n }, (_, i) => {
    const m = path.join(root, `h${i}`);
    git(root, 'clone', '-q', remote.url(bare), m);
    git(m, 'config', 'user.email', `h${i}@example.com`);
    git(m, 'config', 'user.name', `H${i}`);
    const r = cli(m, 'sync', '--setup', 'origin');
    assert.equal(r.status, 0, r.stderr);
    return m;
  });
  return { remote, root, bare, machines };
}

test('over smart HTTP (git http-backend on 127.0.0.1): one winner per claim across machines; a stopped server is REMOTE_UNREACHABLE in referee mode, and offline mode publishes once it is back', async () => {
  const { remote, bare, machines } = await httpWorld(2);
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
  // A hung server (accepts, never answers): REMOTE_UNREACHABLE once --remote-timeout-sec (3 s) passes.
  remote.freeze(true);
  const hungAt = performance.now();
  const hung = await toolError(a.call('lock_acquire', { paths: ['src/hung.ts'] }));
  const hungMs = performance.now() - hungAt;
  remote.freeze(false);
  assert.equal(hung.code, 'REMOTE_UNREACHABLE');
  assert.ok(hungMs >= 2_900 && hungMs < 3_000 * 2 + 2_000, `answered after ${hungMs} ms`);
  // Stop the HTTP server mid-run: the next op is REMOTE_UNREACHABLE and not left done.
  await remote.stop();
  const before = git(machines[0]!, 'rev-parse', 'refs/lockstep/state');
  const t = performance.now();
  const err = await toolError(a.call('lock_acquire', { paths: ['src/x.ts'] }));
  const unreachableMs = performance.now() - t;
  assert.equal(err.code, 'REMOTE_UNREACHABLE');
  assert.equal(git(machines[0]!, 'rev-parse', 'refs/lockstep/state'), before);
  // Meanwhile an offline-mode server on machine b keeps working; when the HTTP server is back, it converges.
  const off = await initAgent(machines[1]!, 'implementer', 'http-off', { extraArgs: ['--remote-mode', 'offline', '--remote-timeout-sec', '3'] });
  const lease = await off.call<{ provisional?: boolean; lease: { id: string } }>('lock_acquire', { paths: ['src/offline.ts'] });
  assert.equal(lease.provisional, true);
  await remote.start();
  const back = performance.now();
  let on = false;
  for (let i = 0; i < 200 && !on; i++) {
    await new Promise((r) => setTimeout(r, 100));
    on = history(bare).some((c) => (c.trailers['Lockstep-Entity'] ?? []).includes(lease.lease.id));
  }
  const convergeMs = performance.now() - back;
  assert.ok(on, 'the offline lease reached the remote once the server was back');
  assert.equal(git(machines[1]!, 'rev-parse', 'refs/lockstep/state'), git(bare, 'rev-parse', 'refs/lockstep/state'));
  fsckStrict(bare);
  latencies.sort((x, y) => x - y);
  process.stderr.write(
    `sync.test: claims through smart HTTP, 2 machines racing: p50 ${latencies[Math.floor(latencies.length / 2)]!.toFixed(0)} ms, max ${latencies.at(-1)!.toFixed(0)} ms; REMOTE_UNREACHABLE after ${unreachableMs.toFixed(0)} ms (server stopped), ${hungMs.toFixed(0)} ms (server hung, 3 s bound); offline mode published ${convergeMs.toFixed(0)} ms after the server came back\n`,
  );
});

test('without the git CLI (PATH has no git): http remotes go through isomorphic-git with the same compare-and-swap (one winner per claim), tracking refs only, small fetches unpacked; a file-path remote is GIT_CLI_REQUIRED before anything is committed', async () => {
  const { remote, bare, machines } = await httpWorld(2);
  // The servers are node (process.execPath): only git itself is missing from their PATH.
  const noGit = { env: { PATH: '/nonexistent' } };
  const packs = (m: string) => fs.readdirSync(path.join(m, '.git', 'objects', 'pack')).filter((f) => f.endsWith('.pack')).sort();
  const packsBefore = machines.map(packs);
  const planner = await initAgent(machines[0]!, 'planner', 'lead', noGit);
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push((await planner.call<{ task: { id: string } }>('task_create', { title: `n${i}` })).task.id);
  const a = await initAgent(machines[0]!, 'implementer', 'nogit-a', { ...noGit, extraArgs: ['--remote-timeout-sec', '2'] });
  const b = await initAgent(machines[1]!, 'implementer', 'nogit-b', noGit);
  const won = async (p: Promise<unknown>) => {
    try {
      await p;
      return true;
    } catch (err) {
      assert.ok(err instanceof ToolError && err.code === 'TASK_NOT_CLAIMABLE', String(err));
      return false;
    }
  };
  // Both machines claim every task at once: their pushes race, and the remote takes exactly one.
  const outcomes = await Promise.all(ids.map((id) => Promise.all([won(a.call('task_claim', { id })), won(b.call('task_claim', { id }))])));
  for (const o of outcomes) assert.equal(o.filter(Boolean).length, 1);
  const claims = history(bare).filter((c) => one(c, 'Lockstep-Op') === 'task.claim');
  assert.equal(claims.length, ids.length);
  const byTask = new Map(claims.map((c) => [c.trailers['Lockstep-Entity']![0]!, one(c, 'Lockstep-Actor')]));
  for (const [i, id] of ids.entries()) assert.equal(byTask.get(id), outcomes[i]![0] ? 'nogit-a' : 'nogit-b');
  // A lease taken on one machine is seen (fetched through isomorphic-git) and refused on the other.
  await a.call('lock_acquire', { paths: ['src/nogit.ts'] });
  assert.equal((await toolError(b.call('lock_acquire', { paths: ['src/nogit.ts'] }))).code, 'LOCK_HELD');
  for (const m of machines) {
    assert.equal(git(m, 'rev-parse', 'refs/lockstep/state'), git(bare, 'rev-parse', 'refs/lockstep/state'), 'every machine is at the remote tip');
    // isomorphic-git writes refs of its own after a push or fetch; none of them may appear.
    const refs = git(m, 'for-each-ref', '--format=%(refname)').split('\n').sort();
    assert.deepEqual(refs, ['refs/heads/main', 'refs/lockstep/state', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/lockstep/state', 'refs/remotes/origin/main']);
  }
  // Each fetch brought a few objects: stored loose, as git does below transfer.unpackLimit, not as one more pack.
  assert.deepEqual(machines.map(packs), packsBefore);
  // A hung server: REMOTE_UNREACHABLE once --remote-timeout-sec (2 s) passes, and nothing left done.
  const before = git(machines[0]!, 'rev-parse', 'refs/lockstep/state');
  remote.freeze(true);
  const hungAt = performance.now();
  const hung = await toolError(a.call('lock_acquire', { paths: ['src/hung.ts'] }));
  const hungMs = performance.now() - hungAt;
  remote.freeze(false);
  assert.equal(hung.code, 'REMOTE_UNREACHABLE');
  assert.ok(hungMs >= 1_900 && hungMs < 2_000 * 2 + 2_000, `answered after ${hungMs} ms`);
  assert.equal(git(machines[0]!, 'rev-parse', 'refs/lockstep/state'), before);
  // A stopped server: REMOTE_UNREACHABLE (connection refused).
  await remote.stop();
  assert.equal((await toolError(a.call('lock_acquire', { paths: ['src/stopped.ts'] }))).code, 'REMOTE_UNREACHABLE');
  assert.equal(git(machines[0]!, 'rev-parse', 'refs/lockstep/state'), before);
  // A file-path remote needs git: refused before the op commits anything.
  git(machines[1]!, 'remote', 'add', 'bypath', bare);
  const stateBefore = git(machines[1]!, 'rev-parse', 'refs/lockstep/state');
  const byPath = await agent(machines[1]!, 'implementer', 'nogit-path', { ...noGit, extraArgs: ['--remote', 'bypath'] });
  assert.equal((await toolError(byPath.call('lock_acquire', { paths: ['src/path.ts'] }))).code, 'GIT_CLI_REQUIRED');
  assert.equal(git(machines[1]!, 'rev-parse', 'refs/lockstep/state'), stateBefore);
  for (const m of [...machines, bare]) fsckStrict(m);
});
