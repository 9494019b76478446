// The pre-commit guard (issue 5 item 7): real repositories, the real git CLI and real `git commit`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CLI_PATH } from '../src/client/agent-client.js';
import { installGuard } from '../src/setup/guard.js';
import { cli, git, gitEditState, initAgent, makeRepo } from './helpers.js';

interface Commit {
  status: number;
  stderr: string;
}

/** Stage `files` (path -> content) and run a real `git commit` as LOCKSTEP_AGENT=agent (none: unset). */
function commitAs(dir: string, agent: string | undefined, files: Record<string, string>, message = 'change'): Commit {
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
    git(dir, 'add', '--', file);
  }
  return gitCommit(dir, agent, message);
}

function gitCommit(dir: string, agent: string | undefined, message: string): Commit {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('LOCKSTEP_')) env[k] = v;
  if (agent) env.LOCKSTEP_AGENT = agent;
  const r = spawnSync('git', ['commit', '-q', '-m', message], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status ?? -1, stderr: r.stderr };
}

/** The guard refused the commit (not a crash of the hook): git exits 1 and the hook says LOCK_HELD, naming the holder. */
function refusedByGuard(c: Commit, holder: string): void {
  assert.equal(c.status, 1, c.stderr);
  assert.match(c.stderr, /error\[LOCK_HELD\]/);
  assert.ok(c.stderr.includes(holder), c.stderr);
}

/** Undo whatever a refused commit left staged. */
function unstage(dir: string): void {
  git(dir, 'reset', '-q', '--hard', 'HEAD');
}

function leaseYaml(l: { id: string; owner: string; paths: string[]; exclusive?: boolean; expiresAt: string; task?: string }): string {
  const at = new Date(Date.parse(l.expiresAt) - 600_000).toISOString();
  return [
    `id: ${l.id}`,
    `owner: ${l.owner}`,
    'paths:',
    ...l.paths.map((p) => `  - ${JSON.stringify(p)}`),
    `exclusive: ${l.exclusive ?? true}`,
    ...(l.task ? [`task: ${l.task}`] : []),
    `acquiredAt: ${at}`,
    `heartbeatAt: ${at}`,
    `expiresAt: ${l.expiresAt}`,
    'ttlSec: 600',
    '',
  ].join('\n');
}

function writeLease(repo: string, l: Parameters<typeof leaseYaml>[0]): void {
  gitEditState(repo, `leases/${l.id}.yaml`, leaseYaml(l), `lease ${l.id}`);
}

function agentYaml(name: string, worktree: string): string {
  const now = new Date().toISOString();
  return [`name: ${name}`, 'role: implementer', 'isolation: worktree', `worktree: ${JSON.stringify(worktree)}`, `registeredAt: ${now}`, `lastSeen: ${now}`, ''].join('\n');
}

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const anHourAgo = () => new Date(Date.now() - 3_600_000).toISOString();

/** The hooks directory as git itself reports it (absolute). */
function gitHooksDir(dir: string): string {
  return path.resolve(dir, git(dir, 'rev-parse', '--git-path', 'hooks'));
}

function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  for (const name of fs.readdirSync(dir).sort()) {
    const st = fs.statSync(path.join(dir, name));
    out[name] = st.isFile() ? `${(st.mode & 0o777).toString(8)} ${fs.readFileSync(path.join(dir, name), 'utf8')}` : 'dir';
  }
  return out;
}

function head(dir: string): string {
  return git(dir, 'rev-parse', 'HEAD');
}

test('the pre-commit guard blocks a real git commit touching a path another agent leased', async () => {
  const repo = makeRepo();
  const install = cli(repo, 'guard', 'install');
  assert.equal(install.status, 0, install.stderr);
  const impl1 = await initAgent(repo, 'implementer', 'impl-1');
  const { lease } = await impl1.call<{ lease: { id: string } }>('lock_acquire', { path: 'src/a.ts' });

  // Another agent: refused, the holder named, nothing committed.
  const before = head(repo);
  const blocked = commitAs(repo, 'impl-2', { 'src/a.ts': 'export const a = 2;\n' });
  refusedByGuard(blocked, 'impl-1');
  assert.match(blocked.stderr, /src\/a\.ts/);
  assert.match(blocked.stderr, /impl-1/);
  assert.ok(blocked.stderr.includes(lease.id), blocked.stderr);
  assert.match(blocked.stderr, /--no-verify/);
  assert.equal(head(repo), before);

  // A person without LOCKSTEP_AGENT (and no worktree registration) is "human": refused too.
  refusedByGuard(gitCommit(repo, undefined, 'as human'), 'impl-1');

  // The holder commits.
  const own = gitCommit(repo, 'impl-1', 'holder commits');
  assert.equal(own.status, 0, own.stderr);
  assert.equal(own.stderr, '');
  assert.notEqual(head(repo), before);

  // A path nobody leased.
  const free = commitAs(repo, 'impl-2', { 'README.md': '# changed\n' });
  assert.equal(free.status, 0, free.stderr);

  // A rename is checked on both sides: moving the leased file away is refused.
  git(repo, 'mv', 'src/a.ts', 'moved.ts');
  const renamed = gitCommit(repo, 'impl-2', 'rename');
  refusedByGuard(renamed, 'impl-1');
  assert.match(renamed.stderr, /src\/a\.ts: exclusively leased by impl-1/);
  unstage(repo);

  // An expired exclusive lease, a live shared lease: neither blocks. A live glob lease does.
  writeLease(repo, { id: 'L-OLD1', owner: 'impl-3', paths: ['docs'], expiresAt: anHourAgo() });
  writeLease(repo, { id: 'L-SHR1', owner: 'impl-3', paths: ['lib/**'], exclusive: false, expiresAt: inAnHour() });
  writeLease(repo, { id: 'L-GLB1', owner: 'impl-3', paths: ['pkg/**/*.ts'], task: 'T-0001', expiresAt: inAnHour() });
  assert.equal(commitAs(repo, 'impl-2', { 'docs/x.md': 'x\n' }).status, 0);
  assert.equal(commitAs(repo, 'impl-2', { 'lib/x.ts': 'x\n' }).status, 0);
  const glob = commitAs(repo, 'impl-2', { 'pkg/a/b.ts': 'x\n', 'pkg/a/b.md': 'x\n' });
  refusedByGuard(glob, 'L-GLB1');
  assert.match(glob.stderr, /pkg\/a\/b\.ts: exclusively leased by impl-3 \(lease L-GLB1, task T-0001, pattern pkg\/\*\*\/\*\.ts/);
  assert.doesNotMatch(glob.stderr, /pkg\/a\/b\.md:/);
  unstage(repo);

  // `guard check --json` says who is committing and what blocks, without a commit.
  fs.writeFileSync(path.join(repo, 'src', 'a.ts'), 'export const a = 3;\n');
  git(repo, 'add', 'src/a.ts');
  const json = cli(repo, 'guard', 'check', '--json');
  assert.equal(json.status, 1);
  const parsed = JSON.parse(json.stdout) as { agent: string; blocks: { path: string; holder: string; leaseId: string }[] };
  assert.equal(parsed.agent, 'human');
  assert.deepEqual(parsed.blocks.map((b) => [b.path, b.holder, b.leaseId]), [['src/a.ts', 'impl-1', lease.id]]);
  unstage(repo);

  // Released: the path is free again.
  await impl1.call('lock_release', { path: 'src/a.ts' });
  assert.equal(commitAs(repo, 'impl-2', { 'src/a.ts': 'export const a = 4;\n' }).status, 0);
});

test('an existing pre-commit hook is chained, install is idempotent, and uninstall restores it and leaves no trace', async () => {
  const repo = makeRepo();
  await initAgent(repo, 'planner', 'lead'); // creates the state ref for the hand-written lease
  writeLease(repo, { id: 'L-HELD', owner: 'impl-1', paths: ['src'], expiresAt: inAnHour() });
  const hooks = gitHooksDir(repo);
  const original = '#!/bin/sh\necho chained-ran >&2\n[ ! -f BLOCK ]\n';
  fs.writeFileSync(path.join(hooks, 'pre-commit'), original, { mode: 0o755 });
  const untouched = listing(hooks);

  const first = cli(repo, 'guard', 'install');
  assert.equal(first.status, 0, first.stderr);
  assert.equal(fs.readFileSync(path.join(hooks, 'pre-commit.lockstep-chained'), 'utf8'), original);
  assert.match(fs.readFileSync(path.join(hooks, 'pre-commit'), 'utf8'), /^# lockstep-guard$/m);
  const installed = listing(hooks);
  const again = cli(repo, 'guard', 'install', '--json');
  assert.equal(again.status, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { action: string }).action, 'unchanged');
  assert.deepEqual(listing(hooks), installed);
  assert.match(cli(repo, 'guard', 'status').stdout, /guard installed/);

  // The chained hook fails: the commit is refused by it, whatever the leases say.
  fs.writeFileSync(path.join(repo, 'BLOCK'), '');
  const byChained = commitAs(repo, 'impl-2', { 'README.md': '# one\n' });
  assert.notEqual(byChained.status, 0);
  assert.match(byChained.stderr, /chained-ran/);
  assert.doesNotMatch(byChained.stderr, /LOCK_HELD/);
  fs.rmSync(path.join(repo, 'BLOCK'));

  // The chained hook passes: ours runs next and blocks the leased path, lets the free one through.
  const byGuard = commitAs(repo, 'impl-2', { 'src/a.ts': 'export const a = 5;\n' });
  refusedByGuard(byGuard, 'impl-1');
  assert.match(byGuard.stderr, /chained-ran/);
  assert.match(byGuard.stderr, /impl-1/);
  unstage(repo);
  const ok = commitAs(repo, 'impl-2', { 'README.md': '# two\n' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stderr, /chained-ran/);

  // Uninstall puts the original back, byte for byte, and nothing of ours remains.
  const un = cli(repo, 'guard', 'uninstall');
  assert.equal(un.status, 0, un.stderr);
  assert.deepEqual(listing(hooks), untouched);
  assert.equal(commitAs(repo, 'impl-2', { 'src/a.ts': 'export const a = 6;\n' }).status, 0, 'no guard any more');

  // A pre-commit hook that is not ours is never removed.
  const refused = cli(repo, 'guard', 'uninstall');
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^error\[HOOK_CONFLICT\]/);
  assert.deepEqual(listing(hooks), untouched);

  // Nowhere to keep a foreign hook (the chain slot is taken): install refuses and changes nothing.
  fs.writeFileSync(path.join(hooks, 'pre-commit.lockstep-chained'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const crowded = listing(hooks);
  const conflict = cli(repo, 'guard', 'install');
  assert.equal(conflict.status, 1);
  assert.match(conflict.stderr, /^error\[HOOK_CONFLICT\]/);
  assert.deepEqual(listing(hooks), crowded);
});

test('without an existing hook, uninstall leaves the hooks directory as it was', () => {
  const repo = makeRepo();
  const hooks = gitHooksDir(repo);
  const untouched = listing(hooks);
  assert.equal(cli(repo, 'guard', 'install').status, 0);
  assert.equal(fs.statSync(path.join(hooks, 'pre-commit')).mode & 0o111, 0o111);
  assert.equal(cli(repo, 'guard', 'uninstall').status, 0);
  assert.deepEqual(listing(hooks), untouched);
  const twice = cli(repo, 'guard', 'uninstall');
  assert.equal(twice.status, 0, twice.stderr);
  assert.match(twice.stdout, /not installed/);
  // With no state ref at all, the installed guard lets every commit through.
  assert.equal(cli(repo, 'guard', 'install').status, 0);
  assert.equal(commitAs(repo, 'impl-2', { 'src/a.ts': 'export const a = 7;\n' }).status, 0);
});

test('the guard works from a linked worktree: one shared hook, and the agent registered there is the committer', async () => {
  const repo = makeRepo();
  const wt = `${repo}-wt`;
  try {
    git(repo, 'worktree', 'add', '-q', '-b', 'feature', wt);
    const hooks = gitHooksDir(wt);
    assert.equal(hooks, path.join(repo, '.git', 'hooks'));
    const install = cli(wt, 'guard', 'install');
    assert.equal(install.status, 0, install.stderr);
    assert.ok(fs.existsSync(path.join(hooks, 'pre-commit')));
    assert.equal(cli(repo, 'guard', 'install', '--json').stdout.includes('"unchanged"'), true, 'the same hook from the main checkout');

    await initAgent(repo, 'planner', 'lead');
    writeLease(repo, { id: 'L-WT01', owner: 'impl-1', paths: ['src/a.ts'], expiresAt: inAnHour() });
    gitEditState(repo, 'agents/impl-1.yaml', agentYaml('impl-1', wt));

    // In the main checkout, impl-2 is refused; in the worktree, with no LOCKSTEP_AGENT, the committer is
    // impl-1 (registered with that worktree), the holder: allowed.
    const main = commitAs(repo, 'impl-2', { 'src/a.ts': 'export const a = 8;\n' });
    refusedByGuard(main, 'L-WT01');
    assert.match(main.stderr, /impl-1/);
    unstage(repo);
    const fromWt = commitAs(path.join(wt), undefined, { 'src/a.ts': 'export const a = 9;\n' });
    assert.equal(fromWt.status, 0, fromWt.stderr);
    const otherInWt = commitAs(wt, 'impl-2', { 'src/a.ts': 'export const a = 10;\n' });
    refusedByGuard(otherInWt, 'L-WT01');
    unstage(wt);

    assert.equal(cli(wt, 'guard', 'uninstall').status, 0);
    assert.ok(!fs.existsSync(path.join(hooks, 'pre-commit')));
  } finally {
    spawnSync('git', ['worktree', 'remove', '--force', wt], { cwd: repo });
    fs.rmSync(wt, { recursive: true, force: true });
  }
});

test('the guard honours core.hooksPath (relative to the worktree root, or absolute)', async () => {
  const repo = makeRepo();
  git(repo, 'config', 'core.hooksPath', '.githooks');
  assert.equal(gitHooksDir(repo), path.join(repo, '.githooks'));
  const install = cli(path.join(repo, 'src'), 'guard', 'install');
  assert.equal(install.status, 0, install.stderr);
  assert.ok(fs.existsSync(path.join(repo, '.githooks', 'pre-commit')));
  assert.ok(!fs.existsSync(path.join(repo, '.git', 'hooks', 'pre-commit')));

  await initAgent(repo, 'planner', 'lead');
  writeLease(repo, { id: 'L-HP01', owner: 'impl-1', paths: ['src/**'], expiresAt: inAnHour() });
  const blocked = commitAs(repo, 'impl-2', { 'src/a.ts': 'export const a = 11;\n' });
  refusedByGuard(blocked, 'L-HP01');
  unstage(repo);
  assert.equal(cli(repo, 'guard', 'uninstall').status, 0);
  assert.deepEqual(fs.readdirSync(path.join(repo, '.githooks')), []);

  const abs = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-hooks-')));
  try {
    git(repo, 'config', 'core.hooksPath', abs);
    assert.equal(gitHooksDir(repo), abs);
    assert.equal(cli(repo, 'guard', 'install').status, 0);
    assert.ok(fs.existsSync(path.join(abs, 'pre-commit')));
    refusedByGuard(commitAs(repo, 'impl-2', { 'src/a.ts': 'export const a = 12;\n' }), 'L-HP01');
    unstage(repo);
  } finally {
    fs.rmSync(abs, { recursive: true, force: true });
  }
});

test('the hook quotes node and CLI paths with spaces and quotes safely', async () => {
  const repo = makeRepo();
  const weird = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `lockstep it's "odd" $HOME `)));
  try {
    const node = path.join(weird, 'no de');
    const main = path.join(weird, 'ma in.js');
    fs.symlinkSync(process.execPath, node);
    fs.symlinkSync(CLI_PATH, main);
    installGuard(gitHooksDir(repo), node, main);
    await initAgent(repo, 'planner', 'lead');
    writeLease(repo, { id: 'L-QT01', owner: 'impl-1', paths: ['src/a.ts'], expiresAt: inAnHour() });
    const blocked = commitAs(repo, 'impl-2', { 'src/a.ts': 'export const a = 13;\n' });
    refusedByGuard(blocked, 'L-QT01');
    unstage(repo);
    // Lockstep gone: the hook warns and lets the commit through instead of blocking every commit.
    fs.rmSync(main);
    const unchecked = commitAs(repo, 'impl-2', { 'src/a.ts': 'export const a = 14;\n' });
    assert.equal(unchecked.status, 0, unchecked.stderr);
    assert.match(unchecked.stderr, /commit not checked/);
  } finally {
    fs.rmSync(weird, { recursive: true, force: true });
  }
});
