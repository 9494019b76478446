// Edge cases of refs/lockstep/state.lock: an mtime in the future, a directory at the lock path, and a
// writer that dies the instant it has the lock. git's own lock (empty, or an oid) is still waited for.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CLI_PATH } from '../src/client/agent-client.js';
import { cli, git, initAgent, makeRepo, stateSubjects, toolError } from './helpers.js';

const REF = 'refs/lockstep/state';
const lockFileOf = (repo: string) => path.join(repo, '.git', 'refs', 'lockstep', 'state.lock');
const lastBody = (repo: string) => git(repo, 'log', '-1', '--format=%B', REF);

/** A fault injected into a writer: `code` (with `fs` in scope) in a file loaded with --require. */
function faultPreload(code: string): { preload: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-die-'));
  const preload = path.join(dir, 'fault.cjs');
  fs.writeFileSync(preload, `const fs = require('node:fs');\n${code}`);
  return { preload, dir };
}

/** `lockstep note add TEXT`, timed. */
function timedNote(repo: string, text: string): { status: number; stderr: string; ms: number } {
  const t0 = Date.now();
  const r = cli(repo, 'note', 'add', text);
  return { status: r.status, stderr: r.stderr, ms: Date.now() - t0 };
}

test('an empty lock with an mtime in the future (clock skew, a restored backup) is recovered after the stale bound', async () => {
  const repo = makeRepo();
  assert.equal(cli(repo, 'note', 'add', 'first').status, 0);
  const lockFile = lockFileOf(repo);
  fs.writeFileSync(lockFile, '');
  const later = Date.now() / 1000 + 3600;
  fs.utimesSync(lockFile, later, later);
  const doctor = cli(repo, 'doctor');
  assert.match(doctor.stdout, /warn\s+ref lock\s+.*mtime in the future/);

  const r = timedNote(repo, 'after the skew');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.ms >= 5_000, `waited the stale bound first (${r.ms} ms)`);
  assert.ok(r.ms < 12_000, `then recovered it (${r.ms} ms)`);
  assert.equal(fs.existsSync(lockFile), false);
  assert.match(lastBody(repo), /^Lockstep-Recovered-Lock: git, \d+ ms old \(mtime in the future\)$/m);
});

test('a directory at the lock path is STATE_LOCK_INVALID naming it, over MCP, the CLI and doctor', async () => {
  const repo = makeRepo();
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  await impl.call('note_append', { text: 'first' });
  const before = stateSubjects(repo).length;
  const lockFile = lockFileOf(repo);
  fs.mkdirSync(lockFile);
  const err = await toolError(impl.call('note_append', { text: 'blocked' }));
  assert.equal(err.code, 'STATE_LOCK_INVALID');
  assert.equal(err.data?.path, lockFile);
  const r = cli(repo, 'note', 'add', 'blocked too');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error\[STATE_LOCK_INVALID\]: /);
  const doctor = cli(repo, 'doctor');
  assert.equal(doctor.status, 1);
  assert.match(doctor.stdout, /fail\s+ref lock\s+\[STATE_LOCK_INVALID\] /);
  assert.match(cli(repo, 'status').stdout, /Ref lock\s+.*is a directory/);
  // Removing it, as the message says, is all it takes.
  fs.rmdirSync(lockFile);
  await impl.call('note_append', { text: 'after' });
  assert.equal(stateSubjects(repo).length, before + 1);
});

test('a writer killed the instant it has the lock leaves a lock the next writer recovers at once (its pid is in it)', () => {
  const repo = makeRepo();
  assert.equal(cli(repo, 'note', 'add', 'first').status, 0);
  // A fault injected into the writer: SIGKILL right after the call that makes state.lock appear.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-die-'));
  const preload = path.join(dir, 'die-with-lock.cjs');
  fs.writeFileSync(
    preload,
    `const fs = require('node:fs');
const die = (p) => { if (String(p).endsWith('state.lock')) process.kill(process.pid, 'SIGKILL'); };
const open = fs.openSync;
fs.openSync = function (p, ...rest) { const fd = open.call(this, p, ...rest); die(p); return fd; };
const link = fs.linkSync;
fs.linkSync = function (from, to) { link.call(this, from, to); die(to); };
`,
  );
  const dying = spawnSync(process.execPath, ['--require', preload, CLI_PATH, 'note', 'add', 'never written'], { cwd: repo, encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true });
  assert.equal(dying.signal, 'SIGKILL');
  assert.ok(fs.existsSync(lockFileOf(repo)), 'it died holding the lock');
  assert.match(fs.readFileSync(lockFileOf(repo), 'utf8'), /^lockstep-lock pid=\d+ host=/, 'the lock names its dead owner');

  const r = timedNote(repo, 'after the crash');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.ms < 2_500, `recovered by the dead pid, not after the 5 s age bound (${r.ms} ms)`);
  assert.match(lastBody(repo), new RegExp(`^Lockstep-Recovered-Lock: pid ${dying.pid} on `, 'm'));
  assert.deepEqual(stateSubjects(repo).length, 2);
  // No temp file of the dead writer is left where git reads refs.
  assert.deepEqual(fs.readdirSync(path.dirname(lockFileOf(repo))), ['state']);
});

test("git's own lock (an oid in it, a fresh mtime) is still waited for, not taken as stale", async () => {
  const repo = makeRepo();
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  await impl.call('note_append', { text: 'first' });
  const before = stateSubjects(repo).length;
  const lockFile = lockFileOf(repo);
  const tip = git(repo, 'rev-parse', REF);
  fs.writeFileSync(lockFile, `${tip}\n`);
  const writing = impl.call('note_append', { text: 'waited' });
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(git(repo, 'rev-parse', REF), tip, 'nothing written while git holds the lock');
  fs.rmSync(lockFile);
  await writing;
  assert.equal(stateSubjects(repo).length, before + 1);
  assert.doesNotMatch(lastBody(repo), /Recovered-Lock/);
});

test('a writer killed while writing an object leaves no half-written object under its name; fsck stays clean', () => {
  const repo = makeRepo();
  assert.equal(cli(repo, 'note', 'add', 'first').status, 0);
  // A fault injected into the writer: SIGKILL the instant it has created its first object's file, before writing it.
  const { preload, dir } = faultPreload(`const open = fs.openSync;
fs.openSync = function (p, flags, ...rest) {
  const fd = open.call(this, p, flags, ...rest);
  if (/[\\/]objects[\\/][0-9a-f]{2}[\\/]/.test(String(p)) && flags === 'wx') process.kill(process.pid, 'SIGKILL');
  return fd;
};
`);
  const dying = spawnSync(process.execPath, ['--require', preload, CLI_PATH, 'note', 'add', 'never written'], { cwd: repo, encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true });
  assert.equal(dying.signal, 'SIGKILL');
  git(repo, 'fsck', '--strict', '--no-dangling');
  const r = timedNote(repo, 'after the crash');
  assert.equal(r.status, 0, r.stderr);
  assert.match(lastBody(repo), new RegExp(`^Lockstep-Recovered-Lock: pid ${dying.pid} on `, 'm'));
  git(repo, 'fsck', '--strict', '--no-dangling');
  assert.deepEqual(stateSubjects(repo).length, 2);
});

test('an object found damaged where a commit writes it again is replaced, not trusted', async () => {
  const repo = makeRepo();
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  await impl.call('note_append', { text: 'before' });
  // Releasing the lease brings the state back to this very tree: the next commit writes it again.
  const tree = git(repo, 'rev-parse', `${REF}^{tree}`);
  await impl.call('lock_acquire', { path: 'src/a.ts' });
  const file = path.join(repo, '.git', 'objects', tree.slice(0, 2), tree.slice(2));
  fs.chmodSync(file, 0o644);
  fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 5)); // as a crash or a bad disk would leave it
  await impl.call('lock_release', { path: 'src/a.ts' });
  assert.equal(git(repo, 'rev-parse', `${REF}^{tree}`), tree);
  git(repo, 'fsck', '--strict', '--no-dangling');
  assert.equal(git(repo, 'cat-file', '-t', tree), 'tree');
  // Found whole once, it is not read again while its file is unchanged; damage of the same size is still a change.
  await impl.call('lock_acquire', { path: 'src/c.ts' });
  await impl.call('lock_release', { path: 'src/c.ts' }); // checked whole here, and remembered
  await impl.call('lock_acquire', { path: 'src/b.ts' });
  fs.chmodSync(file, 0o644);
  const bytes = fs.readFileSync(file);
  fs.writeFileSync(file, Buffer.concat([bytes.subarray(0, 2), Buffer.alloc(bytes.length - 2, 0x55)]));
  await impl.call('lock_release', { path: 'src/b.ts' });
  assert.equal(git(repo, 'rev-parse', `${REF}^{tree}`), tree);
  git(repo, 'fsck', '--strict', '--no-dangling');
});

test('a server writes objects through files made ahead; killed with them half used, it leaves fsck clean and its spares are swept', async () => {
  const repo = makeRepo();
  const spares = path.join(repo, '.git', 'lockstep', 'spares');
  // A fault injected into the server: SIGKILL at its third object placed from a spare, mid-commit, holding the lock.
  const { preload, dir } = faultPreload(`const rename = fs.renameSync;
let placed = 0;
fs.renameSync = function (from, to) {
  if (/[\\/]lockstep[\\/]spares[\\/]/.test(String(from)) && ++placed === 3) process.kill(process.pid, 'SIGKILL');
  return rename.call(this, from, to);
};
`);
  const dying = await initAgent(repo, 'implementer', 'impl-1', { env: { NODE_OPTIONS: `--require ${preload}` } });
  const pid = dying.pid!;
  // Made in the background after its first commit (the directory too).
  const made = () => fs.existsSync(spares) && fs.readdirSync(spares).some((n) => n.includes(`-${pid}-`));
  for (let i = 0; i < 100 && !made(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(made(), 'the server made object files ahead');
  await assert.rejects(async () => {
    for (let i = 0; i < 200; i++) await dying.call('note_append', { text: `note ${i}` }); // dies at its third spare placed
  });
  fs.rmSync(dir, { recursive: true });
  git(repo, 'fsck', '--strict', '--no-dangling');

  const next = await initAgent(repo, 'implementer', 'impl-2');
  await next.call('note_append', { text: 'after the crash' });
  assert.match(git(repo, 'log', '-2', '--format=%B', REF), new RegExp(`^Lockstep-Recovered-Lock: pid ${pid} on `, 'm'));
  assert.ok(!fs.readdirSync(spares).some((n) => n.includes(`-${pid}-`)), 'the dead server’s spares are swept');
  git(repo, 'fsck', '--strict', '--no-dangling');
  await next.close();
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(fs.readdirSync(spares), [], 'a server that exits leaves none');
});

test('spare directories that cannot be made (files in their place) do not stop writes: locks are created and objects written directly', async () => {
  const repo = makeRepo();
  fs.mkdirSync(path.join(repo, '.git', 'lockstep'), { recursive: true });
  fs.writeFileSync(path.join(repo, '.git', 'lockstep', 'spares'), 'not a directory');
  fs.writeFileSync(path.join(repo, '.git', 'lockstep', 'locks'), 'not a directory');
  const note = cli(repo, 'note', 'add', 'from the CLI');
  assert.equal(note.status, 0, note.stderr);
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  for (let i = 0; i < 5; i++) await impl.call('note_append', { text: `note ${i}` });
  assert.equal(git(repo, 'log', '--format=%s', REF).split('\n').filter((s) => s.startsWith('note.append')).length, 6);
  git(repo, 'fsck', '--strict', '--no-dangling');
  assert.equal(fs.readFileSync(path.join(repo, '.git', 'lockstep', 'spares'), 'utf8'), 'not a directory');
});
