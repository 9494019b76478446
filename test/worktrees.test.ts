// Agent worktrees (issue 6, items 1, 2, 5, 6): created with isomorphic-git in git's layout, checked with the git CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import git from 'isomorphic-git';
import { commondirFs } from '../src/git/commondir-fs.js';
import { LockstepError } from '../src/errors.js';
import { discoverRepo } from '../src/git/repo.js';
import { cleanupWorktrees, createWorktree, linkedWorktrees, worktreeStatus } from '../src/git/worktrees.js';
import { cli, fsckStrict, git as gitCli, initAgent, makeRepo, toolError } from './helpers.js';

const WT = (repo: string, agent: string) => path.join(repo, '.lockstep', 'worktrees', agent);

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof LockstepError, String(err));
    return err.code;
  }
  assert.fail('expected a LockstepError');
}

function commitFile(dir: string, file: string, content: string, message: string): string {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), content);
  gitCli(dir, 'add', file);
  gitCli(dir, 'commit', '-q', '-m', message);
  return gitCli(dir, 'rev-parse', 'HEAD');
}

test('create: git worktree list shows it, its status is clean, the main checkout does not show .lockstep/', async () => {
  const repo = makeRepo();
  const r = await createWorktree(discoverRepo(repo), 'impl-1');
  assert.equal(r.dir, WT(repo, 'impl-1'));
  assert.equal(r.branch, 'lockstep/impl-1');
  assert.equal(r.created, true);
  assert.equal(r.resumed, false);
  assert.equal(r.head, gitCli(repo, 'rev-parse', 'main'));
  const list = gitCli(repo, 'worktree', 'list', '--porcelain');
  assert.match(list, new RegExp(`worktree ${r.dir}\\nHEAD ${r.head}\\nbranch refs/heads/lockstep/impl-1`));
  assert.equal(gitCli(r.dir, 'status', '--porcelain'), '');
  assert.equal(gitCli(r.dir, 'rev-parse', '--abbrev-ref', 'HEAD'), 'lockstep/impl-1');
  assert.equal(fs.readFileSync(path.join(r.dir, 'src', 'a.ts'), 'utf8'), 'export const a = 1;\n');
  assert.equal(gitCli(repo, 'status', '--porcelain', '--untracked-files=all'), '');
  assert.equal(gitCli(repo, 'rev-parse', '--abbrev-ref', 'HEAD'), 'main');
  fsckStrict(repo);
  // Idempotent: a second call returns the same worktree.
  const again = await createWorktree(discoverRepo(repo), 'impl-1');
  assert.equal(again.created, false);
  assert.equal(again.dir, r.dir);
});

test('commits inside the worktree work with the git CLI and with isomorphic-git; status is ahead with no remote', async () => {
  const repo = makeRepo();
  const { dir } = await createWorktree(discoverRepo(repo), 'impl-1');
  commitFile(dir, 'src/b.ts', 'export const b = 2;\n', 'b with git');
  fsckStrict(repo);

  // isomorphic-git, as an agent's own tooling would do it, through the commondir-aware fs.
  const wtRepo = discoverRepo(dir);
  assert.notEqual(wtRepo.gitDir, wtRepo.commonDir);
  const fsc = commondirFs(wtRepo);
  fs.writeFileSync(path.join(dir, 'src', 'c.ts'), 'export const c = 3;\n');
  await git.add({ fs: fsc, dir, gitdir: wtRepo.gitDir, filepath: 'src/c.ts' });
  const oid = await git.commit({ fs: fsc, dir, gitdir: wtRepo.gitDir, message: 'c with isomorphic-git', author: { name: 'Iso', email: 'iso@example.com' } });
  assert.equal(gitCli(dir, 'rev-parse', 'HEAD'), oid);
  assert.equal(gitCli(repo, 'rev-parse', 'lockstep/impl-1'), oid);
  assert.equal(gitCli(dir, 'status', '--porcelain'), '');
  assert.equal(gitCli(repo, 'rev-parse', 'main'), gitCli(repo, 'rev-parse', 'HEAD'));
  fsckStrict(repo);

  let s = await worktreeStatus(discoverRepo(repo), 'impl-1');
  assert.equal(s.target, 'main');
  assert.equal(s.ahead, 2);
  assert.equal(s.behind, 0);
  assert.deepEqual(s.changed, ['src/b.ts', 'src/c.ts']);
  assert.deepEqual(s.uncommitted, []);
  assert.deepEqual(s.untracked, []);

  // main moves on: behind 1; uncommitted and untracked files are reported.
  commitFile(repo, 'README.md', '# changed\n', 'main moves');
  fs.writeFileSync(path.join(dir, 'src', 'a.ts'), 'export const a = 10;\n');
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'scratch\n');
  s = await worktreeStatus(discoverRepo(repo), 'impl-1');
  assert.equal(s.ahead, 2);
  assert.equal(s.behind, 1);
  assert.deepEqual(s.changed, ['src/b.ts', 'src/c.ts']);
  assert.deepEqual(s.uncommitted, ['src/a.ts']);
  assert.deepEqual(s.untracked, ['notes.txt']);
  fsckStrict(repo);
});

test('status ahead:1 with no remote (L11)', async () => {
  const repo = makeRepo();
  const { dir } = await createWorktree(discoverRepo(repo), 'impl-1');
  commitFile(dir, 'x.txt', 'x\n', 'x');
  assert.equal(gitCli(repo, 'remote'), '');
  const s = await worktreeStatus(discoverRepo(repo), 'impl-1');
  assert.equal(s.ahead, 1);
  assert.equal(s.behind, 0);
  assert.deepEqual(s.changed, ['x.txt']);
});

test('L11: an existing branch is resumed, never reset or force-deleted', async () => {
  const repo = makeRepo();
  const first = await createWorktree(discoverRepo(repo), 'impl-1');
  const work = commitFile(first.dir, 'work.txt', 'unmerged work\n', 'work');
  // The directory is removed by hand (git would call it prunable); the branch keeps the work.
  fs.rmSync(first.dir, { recursive: true, force: true });
  const again = await createWorktree(discoverRepo(repo), 'impl-1');
  assert.equal(again.created, true);
  assert.equal(again.resumed, true);
  assert.equal(again.head, work);
  assert.equal(fs.readFileSync(path.join(again.dir, 'work.txt'), 'utf8'), 'unmerged work\n');
  assert.equal(gitCli(again.dir, 'status', '--porcelain'), '');
  // Removed the git way, then created again: still resumed.
  gitCli(repo, 'worktree', 'remove', again.dir);
  const third = await createWorktree(discoverRepo(repo), 'impl-1');
  assert.equal(third.head, work);
  assert.equal(third.resumed, true);
  fsckStrict(repo);
});

test('a directory with files that is not a registered worktree is never overwritten', async () => {
  const repo = makeRepo();
  fs.mkdirSync(WT(repo, 'impl-1'), { recursive: true });
  fs.writeFileSync(path.join(WT(repo, 'impl-1'), 'precious.txt'), 'keep\n');
  assert.equal(await codeOf(createWorktree(discoverRepo(repo), 'impl-1')), 'WORKTREE_EXISTS');
  assert.equal(fs.readFileSync(path.join(WT(repo, 'impl-1'), 'precious.txt'), 'utf8'), 'keep\n');
  assert.equal(gitCli(repo, 'branch', '--list', 'lockstep/*'), '');
});

test('refuses a branch checked out in another worktree (main or linked)', async () => {
  const repo = makeRepo();
  gitCli(repo, 'branch', 'lockstep/impl-2');
  const other = path.join(path.dirname(repo), `${path.basename(repo)}-other`);
  gitCli(repo, 'worktree', 'add', '-q', other, 'lockstep/impl-2');
  try {
    assert.equal(await codeOf(createWorktree(discoverRepo(repo), 'impl-2')), 'BRANCH_CHECKED_OUT');
    assert.equal(fs.existsSync(WT(repo, 'impl-2')), false);
  } finally {
    gitCli(repo, 'worktree', 'remove', '--force', other);
  }
  gitCli(repo, 'checkout', '-q', '-b', 'lockstep/impl-3');
  assert.equal(await codeOf(createWorktree(discoverRepo(repo), 'impl-3')), 'BRANCH_CHECKED_OUT');
  fsckStrict(repo);
});

test('L9: names with "..", quotes, slashes or shell syntax are refused', async () => {
  const repo = makeRepo();
  for (const bad of ['..', '../x', 'a/../../b', 'a"b', "a'b", '$(touch pwned)', '`id`', 'a b', '-rf', 'x.lock', 'a..b']) {
    assert.equal(await codeOf(createWorktree(discoverRepo(repo), bad)), 'NAME_INVALID', bad);
  }
  assert.equal(fs.existsSync(path.join(repo, '.lockstep')), false);
  assert.equal(fs.existsSync(path.join(repo, 'pwned')), false);
  assert.equal(gitCli(repo, 'branch', '--list', 'lockstep/*'), '');
});

test('cleanup prunes missing worktrees, deletes merged branches, keeps unmerged work', async () => {
  const repo = makeRepo();
  const r = discoverRepo(repo);
  // merged: committed, merged into main with git, worktree removed.
  const merged = await createWorktree(r, 'merged');
  commitFile(merged.dir, 'm.txt', 'm\n', 'm');
  gitCli(repo, 'merge', '-q', '--no-ff', '-m', 'merge merged', 'lockstep/merged');
  gitCli(repo, 'worktree', 'remove', merged.dir);
  // unmerged: committed, then its directory deleted by hand.
  const unmerged = await createWorktree(r, 'unmerged');
  const work = commitFile(unmerged.dir, 'u.txt', 'u\n', 'u');
  fs.rmSync(unmerged.dir, { recursive: true, force: true });
  // live: a healthy worktree with uncommitted work.
  const live = await createWorktree(r, 'live');
  fs.writeFileSync(path.join(live.dir, 'wip.txt'), 'wip\n');
  // a merged branch whose worktree is gone (pruned in the same run).
  const gone = await createWorktree(r, 'gone');
  fs.rmSync(gone.dir, { recursive: true, force: true });

  const dry = await cleanupWorktrees(discoverRepo(repo), { dryRun: true });
  assert.deepEqual(dry.pruned.map((p) => p.name).sort(), ['gone', 'unmerged']);
  assert.deepEqual(dry.deleted.map((d) => d.branch).sort(), ['lockstep/gone', 'lockstep/merged']);
  assert.equal(linkedWorktrees(discoverRepo(repo)).length, 3, 'dry run changes nothing');
  assert.match(gitCli(repo, 'branch', '--list', 'lockstep/*'), /lockstep\/merged/);

  const done = await cleanupWorktrees(discoverRepo(repo));
  assert.deepEqual(done.deleted.map((d) => d.branch).sort(), ['lockstep/gone', 'lockstep/merged']);
  const kept = Object.fromEntries(done.kept.map((k) => [k.branch, k.reason]));
  assert.match(kept['lockstep/unmerged']!, /not merged/);
  assert.match(kept['lockstep/live']!, /checked out/);
  assert.equal(gitCli(repo, 'rev-parse', 'lockstep/unmerged'), work);
  assert.deepEqual(gitCli(repo, 'branch', '--list', 'lockstep/*', '--format=%(refname:short)').split('\n').sort(), ['lockstep/live', 'lockstep/unmerged']);
  // git agrees: nothing left to prune, the live worktree and its work untouched.
  assert.equal(gitCli(repo, 'worktree', 'prune', '--dry-run', '-v'), '');
  assert.doesNotMatch(gitCli(repo, 'worktree', 'list'), /unmerged|gone/);
  assert.equal(fs.readFileSync(path.join(live.dir, 'wip.txt'), 'utf8'), 'wip\n');
  fsckStrict(repo);
  // The unmerged branch resumes later with its work.
  const back = await createWorktree(discoverRepo(repo), 'unmerged');
  assert.equal(back.head, work);
});

test('cleanup deletes a packed merged branch', async () => {
  const repo = makeRepo();
  gitCli(repo, 'branch', 'lockstep/old');
  gitCli(repo, 'pack-refs', '--all');
  const r = await cleanupWorktrees(discoverRepo(repo));
  assert.deepEqual(r.deleted.map((d) => d.branch), ['lockstep/old']);
  assert.equal(gitCli(repo, 'branch', '--list', 'lockstep/*'), '');
  assert.match(gitCli(repo, 'show-ref'), /refs\/heads\/main/);
  fsckStrict(repo);
});

test('create works with no git CLI on PATH', () => {
  const repo = makeRepo();
  const script = path.join(repo, '..', `${path.basename(repo)}-nogit.mts`);
  const src = path.resolve(import.meta.dirname, '..', 'src');
  fs.writeFileSync(
    script,
    `import { runGit } from ${JSON.stringify(path.join(src, 'git', 'cli.ts'))};
import { discoverRepo } from ${JSON.stringify(path.join(src, 'git', 'repo.ts'))};
import { createWorktree, worktreeStatus } from ${JSON.stringify(path.join(src, 'git', 'worktrees.ts'))};
if (runGit(['--version'], process.cwd()) !== null) throw new Error('git is still reachable');
const r = await createWorktree(discoverRepo(${JSON.stringify(repo)}), 'impl-1');
const s = await worktreeStatus(discoverRepo(${JSON.stringify(repo)}), 'impl-1');
process.stderr.write(JSON.stringify({ dir: r.dir, ahead: s.ahead }));
`,
  );
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: path.resolve(import.meta.dirname, '..'), env: { PATH: '/nonexistent', HOME: process.env.HOME }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stderr), { dir: WT(repo, 'impl-1'), ahead: 0 });
  } finally {
    fs.rmSync(script, { force: true });
  }
  assert.match(gitCli(repo, 'worktree', 'list'), /lockstep\/impl-1/);
  assert.equal(gitCli(WT(repo, 'impl-1'), 'status', '--porcelain'), '');
  fsckStrict(repo);
});

test('MCP: worktree tools record the worktree on the agent, check roles and names', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'lead');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const created = await impl.call<{ dir: string; path: string; branch: string; recorded: boolean }>('worktree_create', {});
  assert.equal(created.path, '.lockstep/worktrees/impl-1');
  assert.equal(created.recorded, true);
  assert.equal((await toolError(impl.call('worktree_create', { agent: 'impl-2' }))).code, 'ROLE_FORBIDDEN');
  assert.equal((await toolError(planner.call('worktree_create', { agent: '../evil' }))).code, 'INVALID_INPUT');
  assert.equal((await toolError(planner.call('worktree_status', { agent: 'nobody' }))).code, 'WORKTREE_NOT_FOUND');
  const forOther = await planner.call<{ recorded: boolean }>('worktree_create', { agent: 'impl-9' });
  assert.equal(forOther.recorded, false);

  commitFile(created.dir, 'f.txt', 'f\n', 'f');
  const s = await impl.call<{ ahead: number; changed: string[] }>('worktree_status', {});
  assert.equal(s.ahead, 1);
  assert.deepEqual(s.changed, ['f.txt']);

  const list = await impl.call<{ worktrees: { name: string; agent: { name: string; status: string } | null; missing: boolean }[] }>('worktree_list', {});
  const byName = Object.fromEntries(list.worktrees.map((w) => [w.name, w]));
  assert.equal(byName['impl-1']!.agent?.status, 'active');
  assert.equal(byName['impl-9']!.agent, null);

  const agents = await planner.call<{ implementers: { name: string; isolation?: string }[] }>('implementer_list', {});
  assert.ok(agents.implementers.some((i) => i.name === 'impl-1'));
  const agentFile = gitCli(repo, 'show', 'refs/lockstep/state:agents/impl-1.yaml');
  assert.match(agentFile, /isolation: worktree/);
  assert.match(agentFile, /^worktree: "?\.lockstep\/worktrees\/impl-1"?$/m);
  assert.match(agentFile, /branch: lockstep\/impl-1/);

  assert.equal((await toolError(impl.call('worktree_cleanup', {}))).code, 'ROLE_FORBIDDEN');
  const clean = await planner.call<{ deleted: unknown[]; kept: { branch: string }[] }>('worktree_cleanup', { dryRun: true });
  assert.deepEqual(clean.deleted, []);
  assert.equal(gitCli(repo, 'status', '--porcelain', '--untracked-files=all'), '');
  fsckStrict(repo);
});

test('CLI: lockstep worktree list, status and cleanup', async () => {
  const repo = makeRepo();
  const { dir } = await createWorktree(discoverRepo(repo), 'impl-1');
  commitFile(dir, 'f.txt', 'f\n', 'f');
  const list = cli(repo, 'worktree', 'list');
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /impl-1\s+lockstep\/impl-1/);
  const status = cli(repo, 'worktree', 'status', 'impl-1', '--json');
  assert.equal(status.status, 0, status.stderr);
  assert.equal(JSON.parse(status.stdout).ahead, 1);
  const bad = cli(repo, 'worktree', 'status', '../x');
  assert.match(bad.stderr, /^error\[INVALID_INPUT\]/);
  fs.rmSync(dir, { recursive: true, force: true });
  const clean = cli(repo, 'worktree', 'cleanup');
  assert.equal(clean.status, 0, clean.stderr);
  assert.match(clean.stdout, /prune impl-1/);
  assert.match(clean.stdout, /keep lockstep\/impl-1: not merged/);
  fsckStrict(repo);
});
