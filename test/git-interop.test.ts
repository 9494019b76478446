// Lockstep next to plain git: concurrent update-ref, pack-refs and gc, and nothing of the user's touched.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cli, fsckStrict, git, initAgent, makeRepo, sleep } from './helpers.js';

const REF = 'refs/lockstep/state';

/** Build a commit on top of `parent` that adds one file, with git plumbing only. */
function externalCommit(repo: string, parent: string, name: string): string {
  const index = path.join(repo, '.git', `ext-index-${process.pid}`);
  const env = { ...process.env, GIT_INDEX_FILE: index };
  const run = (args: string[], input?: string) => execFileSync('git', args, { cwd: repo, env, encoding: 'utf8', input }).trim();
  run(['read-tree', parent]);
  const blob = run(['hash-object', '-w', '--stdin'], `written by git at ${name}\n`);
  run(['update-index', '--add', '--cacheinfo', `100644,${blob},external/${name}.txt`]);
  const commit = run(['commit-tree', run(['write-tree']), '-p', parent, '-m', `external ${name}`]);
  fs.rmSync(index, { force: true });
  return commit;
}

test('a concurrent `git update-ref` is never overwritten: both histories survive', async () => {
  const repo = makeRepo();
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const N = 60;
  const writing = (async () => {
    for (let i = 0; i < N; i++) await impl.call('note_append', { text: `note ${i}` });
  })();
  const accepted: string[] = [];
  for (let i = 0; accepted.length < 15; i++) {
    const tip = git(repo, 'rev-parse', REF);
    const commit = externalCommit(repo, tip, `e${i}`);
    // CAS from the git CLI: succeeds only if the ref still holds `tip` and nobody holds the lock.
    const r = spawnSync('git', ['update-ref', REF, commit, tip], { cwd: repo, encoding: 'utf8' });
    if (r.status === 0) accepted.push(commit);
    await sleep(2);
  }
  await writing;
  const final = git(repo, 'rev-parse', REF);
  for (const c of accepted) assert.equal(spawnSync('git', ['merge-base', '--is-ancestor', c, final], { cwd: repo }).status, 0, `external commit ${c} kept`);
  const files = git(repo, 'ls-tree', '-r', '--name-only', REF).split('\n');
  assert.equal(files.filter((f) => f.startsWith('external/')).length, accepted.length, 'files Lockstep does not own are preserved');
  const notes = await impl.call<{ total: number }>('note_list', { limit: 1 });
  assert.equal(notes.total, N, 'no Lockstep write lost either');
  const history = git(repo, 'rev-list', '--first-parent', REF).split('\n');
  assert.equal(history.length, N + 1 + accepted.length, 'linear history: every write on top of the previous one');
  fsckStrict(repo);
});

test('a commit that lands while Lockstep waits for the ref lock is built upon, never overwritten', async () => {
  // Widen the race on purpose: hold refs/lockstep/state.lock exactly as `git update-ref` does, let the
  // server start its write (it reads its snapshot, then waits for the lock), move the ref under the
  // lock, then let go. A writer that used the tip it read before locking would drop our commit.
  const repo = makeRepo();
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  await impl.call('note_append', { text: 'warm' });
  const refFile = path.join(repo, '.git', ...REF.split('/'));
  const lockFile = `${refFile}.lock`;
  const externals: string[] = [];
  for (let i = 0; i < 4; i++) {
    const fd = fs.openSync(lockFile, 'wx');
    const writing = impl.call('note_append', { text: `during ${i}` });
    await sleep(400);
    const tip = git(repo, 'rev-parse', REF);
    const commit = externalCommit(repo, tip, `held${i}`);
    fs.writeSync(fd, `${commit}\n`);
    fs.closeSync(fd);
    fs.renameSync(lockFile, refFile);
    externals.push(commit);
    await writing;
  }
  const final = git(repo, 'rev-parse', REF);
  for (const c of externals) assert.equal(spawnSync('git', ['merge-base', '--is-ancestor', c, final], { cwd: repo }).status, 0, `external commit ${c} kept`);
  const files = git(repo, 'ls-tree', '-r', '--name-only', REF).split('\n');
  assert.deepEqual(files.filter((f) => f.startsWith('external/')).sort(), externals.map((_, i) => `external/held${i}.txt`));
  const notes = await impl.call<{ notes: { text: string }[] }>('note_list', { limit: 50 });
  assert.deepEqual(notes.notes.map((n) => n.text), ['warm', 'during 0', 'during 1', 'during 2', 'during 3']);
  // Each write waited for the lock and was built directly on the commit made under it.
  const line = git(repo, 'rev-list', '--reverse', '--first-parent', REF).split('\n');
  assert.equal(line.length, Number(git(repo, 'rev-list', '--count', REF)), 'a straight line of commits');
  for (const [i, c] of externals.entries()) {
    const next = line[line.indexOf(c) + 1]!;
    assert.match(git(repo, 'log', '-1', '--format=%s', next), /^note\.append N-\S+ by impl-1$/, `the write after external ${i}`);
  }
  fsckStrict(repo);
});

test('git pack-refs --all and git gc in the middle of activity break nothing', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const a = await initAgent(repo, 'implementer', 'impl-1');
  const b = await initAgent(repo, 'implementer', 'impl-2');
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) ids.push((await planner.call<{ task: { id: string } }>('task_create', { title: `t${i}`, complexity: 'simple' })).task.id);
  let done = false;
  const maintenance = (async () => {
    let runs = 0;
    while (!done || runs < 2) {
      git(repo, 'pack-refs', '--all');
      git(repo, 'gc', '--quiet');
      runs++;
      await sleep(20);
    }
    return runs;
  })();
  const work = async (c: typeof a, mine: string[]) => {
    for (const id of mine) {
      await c.call('task_claim', { id });
      await c.call('lock_acquire', { path: `src/${id}.ts` });
      await c.call('lock_release', { path: `src/${id}.ts` });
      await c.call('task_update', { id, status: 'done' });
    }
  };
  try {
    await Promise.all([work(a, ids.slice(0, 15)), work(b, ids.slice(15))]);
  } finally {
    done = true;
  }
  assert.ok((await maintenance) >= 2);
  // Refs are packed and objects repacked now; a new process must read it all back.
  const fresh = await initAgent(repo, 'reviewer', 'reviewer-1');
  const { tasks } = await fresh.call<{ tasks: { status: string }[] }>('task_list', { status: 'done', limit: 100 });
  assert.equal(tasks.length, 30);
  // 3 registrations, 30 creates, 4 commits per task, 1 registration of the fresh reviewer: nothing lost.
  assert.equal(Number(git(repo, 'rev-list', '--count', REF)), 3 + 30 + 30 * 4 + 1);
  fsckStrict(repo);
});

test('state writes never touch the working tree, index, HEAD or branches', async () => {
  const repo = makeRepo();
  git(repo, 'branch', 'feature');
  fs.writeFileSync(path.join(repo, 'src', 'a.ts'), 'export const a = 2; // unstaged edit\n');
  fs.writeFileSync(path.join(repo, 'staged.txt'), 'staged\n');
  git(repo, 'add', 'staged.txt');
  fs.writeFileSync(path.join(repo, 'untracked.txt'), 'untracked\n');
  const snapshot = () => ({
    status: git(repo, 'status', '--porcelain=v2', '--branch'),
    head: git(repo, 'rev-parse', 'HEAD'),
    symbolic: git(repo, 'symbolic-ref', 'HEAD'),
    index: fs.readFileSync(path.join(repo, '.git', 'index')).toString('hex'),
    branches: git(repo, 'for-each-ref', 'refs/heads'),
    files: ['src/a.ts', 'staged.txt', 'untracked.txt', 'README.md'].map((f) => fs.readFileSync(path.join(repo, f), 'utf8')),
  });
  const before = snapshot();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const { task } = await planner.call<{ task: { id: string } }>('task_create', { title: 'x', complexity: 'simple' });
  await impl.call('task_claim', { id: task.id });
  await impl.call('lock_acquire', { path: 'src/a.ts' });
  await impl.call('note_append', { text: 'hello' });
  await impl.call('lock_release', { path: 'src/a.ts' });
  await impl.call('task_update', { id: task.id, status: 'done' });
  assert.deepEqual(snapshot(), before);
  assert.equal(spawnSync('git', ['ls-files', '--error-unmatch', 'lockstep.yaml'], { cwd: repo }).status, 1, 'state files never reach the index');
});

test('doctor warns when gc.pruneExpire is now: a `git gc` then prunes the objects of a commit being written', () => {
  const repo = makeRepo();
  assert.equal(cli(repo, 'note', 'add', 'first').status, 0);
  assert.doesNotMatch(cli(repo, 'doctor').stdout, /gc\.pruneExpire/);
  git(repo, 'config', 'gc.pruneExpire', 'now');
  const doctor = cli(repo, 'doctor');
  assert.equal(doctor.status, 0, 'a warning, not a failure');
  assert.match(doctor.stdout, /warn\s+gc\.pruneExpire\s+is `now`/);
});
