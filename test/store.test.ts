// The store against real repositories: linked worktrees, unsupported formats, stale and held locks,
// and the persisted snapshot used for cold starts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Lockstep } from '../src/app/lockstep.js';
import { ops } from '../src/state/ops/index.js';
import { cachePath } from '../src/store/persist.js';
import { cli, cliProcess, git, initAgent, makeRepo, stateSubjects } from './helpers.js';

const planner = { agent: 'planner-1', role: 'planner' as const };

test('a linked worktree shares the state of the main checkout (commondir)', async () => {
  const repo = makeRepo();
  const wt = path.join(path.dirname(repo), `${path.basename(repo)}-wt`);
  git(repo, 'worktree', 'add', '-q', '-b', 'feature', wt);
  try {
    const inWorktree = await initAgent(wt, 'planner', 'planner-1');
    const { task } = await inWorktree.call<{ task: { id: string } }>('task_create', { title: 'made in a worktree' });
    const inMain = await initAgent(repo, 'implementer', 'impl-1');
    assert.equal((await inMain.call<{ task: { title: string } }>('task_get', { id: task.id })).task.title, 'made in a worktree');
    // Absolute paths inside the worktree are the same repo-relative paths as in the main checkout.
    const { lease } = await inMain.call<{ lease: { paths: string[] } }>('lock_acquire', { path: path.join(repo, 'src/a.ts') });
    assert.deepEqual(lease.paths, ['src/a.ts']);
    assert.equal(fs.existsSync(path.join(repo, '.git', 'worktrees', path.basename(wt), 'refs')), false, 'nothing written to the worktree git dir');
    const status = cli(wt, 'status', '--json');
    assert.equal(status.status, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout).tasks.total, 1);
  } finally {
    fs.rmSync(wt, { recursive: true, force: true });
  }
});

test('reftable repositories and repositories outside git get a clear error', () => {
  const repo = makeRepo();
  git(repo, 'config', 'extensions.refStorage', 'reftable');
  const r = cli(repo, 'status');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error\[REFTABLE_UNSUPPORTED\]: /);
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'not-a-repo-'));
  const o = cli(outside, 'task', 'list');
  assert.equal(o.status, 1);
  assert.match(o.stderr, /^error\[NOT_A_GIT_REPO\]: /);
  assert.equal(o.stderr.trim().split('\n').length, 1, 'one line');
  fs.rmSync(outside, { recursive: true });
});

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test('a stale lock left by a dead Lockstep process is recovered and recorded in the history', async () => {
  const repo = makeRepo();
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const lockFile = path.join(repo, '.git', 'refs', 'lockstep', 'state.lock');
  fs.writeFileSync(lockFile, `lockstep-lock pid=${deadPid()} host=${os.hostname()}\n`);
  const doctor = cli(repo, 'doctor');
  assert.match(doctor.stdout, /warn\s+ref lock\s+stale lock/);
  await impl.call('note_append', { text: 'after a crash' });
  assert.equal(fs.existsSync(lockFile), false);
  const body = git(repo, 'log', '-1', '--format=%B', 'refs/lockstep/state');
  assert.match(body, /^Lockstep-Recovered-Lock: pid \d+ on /m);
});

test('an old lock left by git itself is recovered; a fresh one is waited for, then times out', async () => {
  const repo = makeRepo();
  const app = new Lockstep({ dir: repo, lockTimeoutMs: 300 });
  await app.run(ops.noteAppend, { text: 'first' }, planner);
  const lockFile = path.join(repo, '.git', 'refs', 'lockstep', 'state.lock');
  // A fresh lock (as `git update-ref` holds it): we wait, and give up with a coded error.
  fs.writeFileSync(lockFile, '');
  await assert.rejects(app.run(ops.noteAppend, { text: 'blocked' }, planner), (e: { code?: string }) => e.code === 'STATE_LOCK_TIMEOUT');
  // Released while we wait: the write goes through.
  const pending = app.run(ops.noteAppend, { text: 'waited' }, planner);
  setTimeout(() => fs.rmSync(lockFile), 100);
  await pending;
  // Left behind long ago: stale by age, recovered.
  fs.writeFileSync(lockFile, '');
  const old = (Date.now() - 60_000) / 1000;
  fs.utimesSync(lockFile, old, old);
  await app.run(ops.noteAppend, { text: 'recovered' }, planner);
  assert.deepEqual(stateSubjects(repo).map((s) => s.replace(/ N-\w+/, '')), ['note.append by planner-1', 'note.append by planner-1', 'note.append by planner-1']);
  assert.match(git(repo, 'log', '-1', '--format=%B', 'refs/lockstep/state'), /^Lockstep-Recovered-Lock: git, \d+ ms old$/m);
  app.close();
});

test('the persisted snapshot gives a fresh process the same state, and a damaged one is ignored', async () => {
  const repo = makeRepo();
  const app = new Lockstep({ dir: repo });
  for (let i = 0; i < 520; i++) await app.run(ops.taskCreate, { title: `task ${i}` }, planner);
  await app.read((state) => state.tasks());
  app.close(); // flushes the snapshot
  assert.ok(fs.existsSync(cachePath(app.repo)));
  // A change made after the snapshot was saved is still seen (only the changed subtree is read).
  const more = await initAgent(repo, 'planner', 'planner-1');
  await more.call('task_create', { title: 'after the snapshot' });
  const list = () => JSON.parse(cliProcess(repo, 'task', 'list', '--json', '--limit', '500').stdout) as { total: number };
  assert.equal(list().total, 521);
  fs.writeFileSync(cachePath(app.repo), '{ not json');
  const r = cliProcess(repo, 'task', 'list', '--json', '--limit', '1');
  assert.equal(r.status, 0);
  assert.equal(JSON.parse(r.stdout).total, 521);
  assert.match(r.stderr, /ignoring unreadable snapshot cache/);
});
