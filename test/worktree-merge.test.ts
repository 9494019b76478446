// worktree_merge (issue 6 items 3-4): object-level merges of lockstep/<agent>, checked with the git CLI.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { mergeBranch, type MergeOutcome } from '../src/git/merge.js';
import { discoverRepo } from '../src/git/repo.js';
import { fsckStrict, git, initAgent, makeRepo, sleep, toolError } from './helpers.js';

const author = { name: 'planner', email: 'planner@lockstep' };

/** A linked worktree for `agent` made with the git CLI (independent of worktree_create). */
function addWorktree(repo: string, agent: string): string {
  fs.appendFileSync(path.join(repo, '.git', 'info', 'exclude'), '\n.lockstep/\n');
  git(repo, 'worktree', 'add', '-q', '-b', `lockstep/${agent}`, `.lockstep/worktrees/${agent}`);
  return path.join(repo, '.lockstep', 'worktrees', agent);
}

function commitIn(dir: string, files: Record<string, string | null>, message: string): string {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    if (content === null) fs.rmSync(file);
    else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

const merge = (repo: string, agent: string, extra: Partial<Parameters<typeof mergeBranch>[1]> = {}) => mergeBranch(discoverRepo(repo), { agent, author, ...extra });

function expectStatus<S extends MergeOutcome['status']>(r: MergeOutcome, status: S): Extract<MergeOutcome, { status: S }> {
  assert.equal(r.status, status, JSON.stringify(r));
  return r as Extract<MergeOutcome, { status: S }>;
}

test('fast-forward merge moves main, keeps it checked out and updates its working tree', async () => {
  const repo = makeRepo();
  const wt = addWorktree(repo, 'alice');
  const tip = commitIn(wt, { 'src/a.ts': 'export const a = 2;\n', 'src/new/b.ts': 'b\n', 'README.md': null }, 'alice work');
  const r = expectStatus(await merge(repo, 'alice'), 'merged');
  assert.equal(r.fastForward, true);
  assert.equal(r.commit, tip);
  assert.equal(r.into, 'main');
  assert.deepEqual([...r.changedFiles].sort(), ['README.md', 'src/a.ts', 'src/new/b.ts']);
  assert.equal(git(repo, 'rev-parse', 'main'), tip);
  assert.equal(git(repo, 'symbolic-ref', 'HEAD'), 'refs/heads/main');
  assert.equal(git(repo, 'status', '--porcelain'), '');
  assert.equal(fs.readFileSync(path.join(repo, 'src/a.ts'), 'utf8'), 'export const a = 2;\n');
  assert.equal(fs.existsSync(path.join(repo, 'README.md')), false);
  assert.equal(fs.readFileSync(path.join(repo, 'src/new/b.ts'), 'utf8'), 'b\n');
  fsckStrict(repo);
});

test('diverged branches get a two-parent merge commit; the main checkout follows', async () => {
  const repo = makeRepo();
  const wt = addWorktree(repo, 'bob');
  const theirs = commitIn(wt, { 'src/b.ts': 'b\n', 'src/a.ts': 'export const a = 1;\n// bob\n' }, 'bob work');
  const ours = commitIn(repo, { 'README.md': '# test\nmore\n' }, 'main work');
  fs.writeFileSync(path.join(repo, 'untracked.txt'), 'mine\n'); // untracked and not touched by the merge: fine
  const r = expectStatus(await merge(repo, 'bob'), 'merged');
  assert.equal(r.fastForward, false);
  assert.equal(git(repo, 'rev-parse', 'main'), r.commit);
  assert.equal(git(repo, 'rev-parse', `${r.commit}^1`), ours);
  assert.equal(git(repo, 'rev-parse', `${r.commit}^2`), theirs);
  assert.equal(git(repo, 'log', '--merges', '--format=%s'), "Merge branch 'lockstep/bob' into main");
  assert.equal(git(repo, 'status', '--porcelain'), '?? untracked.txt');
  assert.equal(fs.readFileSync(path.join(repo, 'src/b.ts'), 'utf8'), 'b\n');
  assert.equal(fs.readFileSync(path.join(repo, 'README.md'), 'utf8'), '# test\nmore\n');
  assert.deepEqual([...r.changedFiles].sort(), ['src/a.ts', 'src/b.ts']);
  // Merging again: nothing to do.
  expectStatus(await merge(repo, 'bob'), 'up_to_date');
  fsckStrict(repo);
});

test('a target not checked out anywhere moves alone; the main checkout stays on its branch', async () => {
  const repo = makeRepo();
  git(repo, 'branch', 'release');
  const wt = addWorktree(repo, 'carol');
  const tip = commitIn(wt, { 'src/c.ts': 'c\n' }, 'carol work');
  const head = git(repo, 'rev-parse', 'HEAD');
  const r = expectStatus(await merge(repo, 'carol', { into: 'release' }), 'merged');
  assert.equal(r.checkoutUpdated, false);
  assert.equal(git(repo, 'rev-parse', 'release'), tip);
  assert.equal(git(repo, 'rev-parse', 'HEAD'), head);
  assert.equal(git(repo, 'symbolic-ref', 'HEAD'), 'refs/heads/main');
  assert.equal(fs.existsSync(path.join(repo, 'src/c.ts')), false);
  fsckStrict(repo);
});

test('a dirty main checkout refuses and moves no ref', async () => {
  const repo = makeRepo();
  const wt = addWorktree(repo, 'dave');
  commitIn(wt, { 'src/d.ts': 'd\n' }, 'dave work');
  const main = git(repo, 'rev-parse', 'main');
  fs.writeFileSync(path.join(repo, 'README.md'), 'edited, not committed\n');
  const r = expectStatus(await merge(repo, 'dave'), 'dirty');
  assert.deepEqual(r.files, ['README.md']);
  assert.equal(git(repo, 'rev-parse', 'main'), main);
  assert.equal(fs.existsSync(path.join(repo, 'src/d.ts')), false);
  // Staged changes count as dirt too.
  git(repo, 'add', 'README.md');
  expectStatus(await merge(repo, 'dave'), 'dirty');
  assert.equal(git(repo, 'rev-parse', 'main'), main);
  // An untracked file the merge would overwrite.
  git(repo, 'checkout', '-q', '--', '.');
  git(repo, 'reset', '-q', 'README.md');
  git(repo, 'checkout', '-q', '--', 'README.md');
  fs.writeFileSync(path.join(repo, 'src/d.ts'), 'untracked\n');
  const blocked = expectStatus(await merge(repo, 'dave'), 'dirty');
  assert.deepEqual(blocked.files, ['src/d.ts']);
  assert.equal(git(repo, 'rev-parse', 'main'), main);
  fs.rmSync(path.join(repo, 'src/d.ts'));
  expectStatus(await merge(repo, 'dave'), 'merged');
  fsckStrict(repo);
});

test('a conflict changes nothing on main, lists the file, and is resolved in the agent worktree with a two-parent commit', async () => {
  const repo = makeRepo();
  const wt = addWorktree(repo, 'erin');
  commitIn(wt, { 'src/a.ts': 'export const a = "erin";\n', 'src/e.ts': 'e\n' }, 'erin work');
  const mainTip = commitIn(repo, { 'src/a.ts': 'export const a = "main";\n', 'src/m.ts': 'm\n', 'README.md': null }, 'main work');
  const r = expectStatus(await merge(repo, 'erin'), 'conflict');
  assert.deepEqual(r.files, ['src/a.ts']);
  assert.equal(r.resolve.prepared, true, JSON.stringify(r.resolve));
  assert.equal(git(repo, 'rev-parse', 'main'), mainTip);
  assert.equal(git(repo, 'status', '--porcelain'), '');
  assert.equal(fs.readFileSync(path.join(repo, 'src/a.ts'), 'utf8'), 'export const a = "main";\n');
  // The agent's worktree is mid-merge, as `git merge main` would leave it.
  assert.equal(git(wt, 'rev-parse', 'MERGE_HEAD'), mainTip);
  const text = fs.readFileSync(path.join(wt, 'src/a.ts'), 'utf8');
  assert.match(text, /^<<<<<<< lockstep\/erin\n/m);
  assert.match(text, /^>>>>>>> main$/m);
  assert.equal(fs.readFileSync(path.join(wt, 'src/m.ts'), 'utf8'), 'm\n');
  assert.equal(fs.existsSync(path.join(wt, 'README.md')), false);
  assert.deepEqual(git(wt, 'diff', '--name-only', '--diff-filter=U').split('\n'), ['src/a.ts']);
  // A second call leaves the prepared merge alone.
  const again = expectStatus(await merge(repo, 'erin'), 'conflict');
  assert.equal(again.resolve.prepared, true);
  // The agent resolves and commits with plain git.
  fs.writeFileSync(path.join(wt, 'src/a.ts'), 'export const a = "both";\n');
  git(wt, 'add', 'src/a.ts');
  git(wt, 'commit', '-q', '--no-edit');
  assert.equal(git(wt, 'rev-list', '--parents', '-n', '1', 'HEAD').split(' ').length, 3);
  assert.equal(git(wt, 'status', '--porcelain'), '');
  const done = expectStatus(await merge(repo, 'erin'), 'merged');
  assert.equal(done.fastForward, true);
  assert.equal(git(repo, 'status', '--porcelain'), '');
  assert.equal(fs.readFileSync(path.join(repo, 'src/a.ts'), 'utf8'), 'export const a = "both";\n');
  assert.equal(fs.readFileSync(path.join(repo, 'src/e.ts'), 'utf8'), 'e\n');
  assert.equal(fs.readFileSync(path.join(repo, 'src/m.ts'), 'utf8'), 'm\n');
  assert.equal(fs.existsSync(path.join(repo, 'README.md')), false);
  fsckStrict(repo);
});

test('resolveIn none only reports the conflict', async () => {
  const repo = makeRepo();
  const wt = addWorktree(repo, 'fay');
  commitIn(wt, { 'README.md': 'fay\n' }, 'fay');
  commitIn(repo, { 'README.md': 'main\n' }, 'main');
  const r = expectStatus(await merge(repo, 'fay', { resolveIn: 'none' }), 'conflict');
  assert.deepEqual(r.files, ['README.md']);
  assert.equal(r.resolve.prepared, false);
  assert.equal(fs.existsSync(path.join(git(wt, 'rev-parse', '--absolute-git-dir'), 'MERGE_HEAD')), false, 'no merge prepared');
  assert.equal(git(wt, 'status', '--porcelain'), '');
  fsckStrict(repo);
});

test('criss-cross history (two merge bases) fails with needs_rebase and moves nothing', async () => {
  const repo = makeRepo();
  const wt = addWorktree(repo, 'gus');
  commitIn(wt, { 'g1.txt': '1\n' }, 'g1');
  commitIn(repo, { 'm1.txt': '1\n' }, 'm1');
  // Each side merges the other's first commit: two best common ancestors.
  const g1 = git(repo, 'rev-parse', 'lockstep/gus');
  const m1 = git(repo, 'rev-parse', 'main');
  git(wt, 'merge', '-q', '--no-edit', m1);
  git(repo, 'merge', '-q', '--no-edit', g1);
  commitIn(wt, { 'g2.txt': '2\n' }, 'g2');
  commitIn(repo, { 'm2.txt': '2\n' }, 'm2');
  assert.equal(git(repo, 'merge-base', '--all', 'main', 'lockstep/gus').split('\n').length, 2);
  const main = git(repo, 'rev-parse', 'main');
  const r = expectStatus(await merge(repo, 'gus'), 'needs_rebase');
  assert.equal(r.bases.length, 2);
  assert.equal(git(repo, 'rev-parse', 'main'), main);
  assert.equal(git(repo, 'status', '--porcelain'), '');
  fsckStrict(repo);
});

test('a target checked out in another linked worktree is refused', async () => {
  const repo = makeRepo();
  addWorktree(repo, 'hal');
  const other = addWorktree(repo, 'ida');
  commitIn(other, { 'i.txt': 'i\n' }, 'ida');
  const r = expectStatus(await merge(repo, 'ida', { into: 'lockstep/hal' }), 'checked_out_elsewhere');
  assert.match(r.worktree, /hal$/);
  expectStatus(await merge(repo, 'nobody'), 'branch_missing');
});

test('worktree_merge over MCP: task done with merged, [MERGED] note, leases on merged paths released; errors carry codes', async () => {
  const repo = makeRepo();
  const wt = addWorktree(repo, 'impl-1');
  const planner = await initAgent(repo, 'planner', 'boss');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const { task } = await planner.call<{ task: { id: string } }>('task_create', { title: 'add b' });
  await impl.call('lock_acquire', { paths: ['src/b.ts', 'docs/**'] });
  assert.equal((await toolError(planner.call('worktree_merge', { agent: 'impl-1' }))).code, 'NOTHING_TO_MERGE');
  const tip = commitIn(wt, { 'src/b.ts': 'b\n' }, 'b');
  assert.equal((await toolError(impl.call('worktree_merge', { agent: 'impl-1' }))).code, 'ROLE_FORBIDDEN');
  fs.writeFileSync(path.join(repo, 'README.md'), 'dirty\n');
  const dirty = await toolError(planner.call('worktree_merge', { agent: 'impl-1', task: task.id }));
  assert.equal(dirty.code, 'WORKTREE_DIRTY');
  git(repo, 'checkout', '-q', '--', 'README.md');
  const r = await planner.call<{ commit: string; fastForward: boolean; released: string[]; task: { status: string; merged: { commit: string; branch: string; into: string } } }>('worktree_merge', { agent: 'impl-1', task: task.id });
  assert.equal(r.commit, tip);
  assert.equal(r.fastForward, true);
  assert.deepEqual(r.released, ['src/b.ts']);
  assert.equal(r.task.status, 'done');
  assert.deepEqual({ ...r.task.merged, at: undefined, by: undefined }, { commit: tip, branch: 'lockstep/impl-1', into: 'main', at: undefined, by: undefined });
  assert.equal(git(repo, 'status', '--porcelain'), '');
  const notes = await planner.call<{ notes: { text: string }[] }>('note_list', {});
  assert.ok(notes.notes.some((n) => n.text.startsWith(`[MERGED] lockstep/impl-1 into main at ${tip.slice(0, 7)}`)));
  const leases = await planner.call<{ leases: { paths: string[] }[] }>('lock_list', {});
  assert.deepEqual(leases.leases.map((l) => l.paths), [['docs/**']]);
  // A conflict: nothing moves on main, the files are listed, the agent's worktree is prepared.
  commitIn(wt, { 'README.md': 'impl\n' }, 'impl readme');
  const mainTip = commitIn(repo, { 'README.md': 'main\n' }, 'main readme');
  const conflict = await toolError(planner.call('worktree_merge', { agent: 'impl-1' }));
  assert.equal(conflict.code, 'MERGE_CONFLICT');
  assert.deepEqual((conflict.data as { files: string[] }).files, ['README.md']);
  assert.equal(git(repo, 'rev-parse', 'main'), mainTip);
  assert.equal(git(wt, 'rev-parse', 'MERGE_HEAD'), mainTip);
  fsckStrict(repo);
});

test('a target that moves between the merge reading it and updating it: the merge retries on top, never drops that commit', async () => {
  // Another process commits to the target while the planner's server is merging into it: hold the
  // branch's ref lock exactly as git does, let the merge read the old tip and wait, then move the branch.
  const repo = makeRepo();
  const wt = addWorktree(repo, 'impl-1');
  const agentTip = commitIn(wt, { 'src/b.ts': 'b\n' }, 'agent work');
  git(repo, 'branch', 'integration');
  const old = git(repo, 'rev-parse', 'integration');
  const planner = await initAgent(repo, 'planner', 'boss');
  const refFile = path.join(repo, '.git', 'refs', 'heads', 'integration');
  const fd = fs.openSync(`${refFile}.lock`, 'wx');
  const merging = planner.call<{ commit: string; previous: string; fastForward: boolean }>('worktree_merge', { agent: 'impl-1', into: 'integration' });
  await sleep(800);
  // The foreign commit: a new file on integration, built with plumbing on the tip the merge read.
  const index = path.join(repo, '.git', 'foreign-index');
  const env = { ...process.env, GIT_INDEX_FILE: index };
  execFileSync('git', ['read-tree', old], { cwd: repo, env });
  const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: repo, env, input: 'foreign\n', encoding: 'utf8' }).trim();
  execFileSync('git', ['update-index', '--add', '--cacheinfo', `100644,${blob},foreign.txt`], { cwd: repo, env });
  const tree = execFileSync('git', ['write-tree'], { cwd: repo, env, encoding: 'utf8' }).trim();
  const foreign = execFileSync('git', ['commit-tree', tree, '-p', old, '-m', 'foreign commit'], { cwd: repo, env, encoding: 'utf8' }).trim();
  fs.writeSync(fd, `${foreign}\n`);
  fs.closeSync(fd);
  fs.renameSync(`${refFile}.lock`, refFile);

  const r = await merging;
  const final = git(repo, 'rev-parse', 'integration');
  assert.equal(r.commit, final, 'the merge reports the commit the branch holds');
  assert.equal(r.previous, foreign, 'it merged on top of the commit that moved the branch');
  assert.equal(r.fastForward, false);
  for (const c of [foreign, agentTip]) assert.equal(spawnSync('git', ['merge-base', '--is-ancestor', c, final], { cwd: repo }).status, 0, `${c} is in integration`);
  assert.deepEqual(git(repo, 'ls-tree', '--name-only', '-r', 'integration').split('\n').sort(), ['README.md', 'foreign.txt', 'src/a.ts', 'src/b.ts']);
  assert.equal(git(repo, 'rev-parse', 'main'), old, 'the checked-out branch did not move');
  assert.equal(git(repo, 'status', '--porcelain'), '');
  fsckStrict(repo);
});
