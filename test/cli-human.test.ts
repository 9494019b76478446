// The human CLI: --help on every registered command, note list/add, watch, plain tables off a TTY, and the README manual in step with the code.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { styleFor, table } from '../src/cli/format.js';
import { CLI_PATH } from '../src/client/agent-client.js';
import { ALL_TOOLS } from '../src/mcp/tools/index.js';
import { EVERY_ROLE } from '../src/mcp/tool.js';
import { cli, git, makeRepo } from './helpers.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const ANSI = /\u001b\[/;

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('LOCKSTEP_')) delete env[k];
  delete env.NO_COLOR;
  return { ...env, ...extra };
}

/** The commands registered in the clipanion Cli, as it lists them itself. */
function registeredCommands(cwd: string): string[][] {
  const r = cli(cwd, '--clipanion=definitions');
  assert.equal(r.status, 0, r.stderr);
  const defs = JSON.parse(r.stdout) as { path: string }[];
  return defs.map((d) => d.path.split(' ').slice(1));
}

/** Every `static override paths = [[...]]` declared in src/cli/commands (so a command without usage, or never registered, is noticed). */
function declaredCommands(): string[] {
  const dir = path.join(ROOT, 'src', 'cli', 'commands');
  const out: string[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/static override paths = \[\[([^\]]*)\]/g)) {
      out.push([...m[1]!.matchAll(/'([^']+)'/g)].map((x) => x[1]).join(' '));
    }
  }
  return out;
}

test('--help: lockstep and every registered command print usage and exit 0 without starting anything', () => {
  const repo = makeRepo();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-home-'));
  const commands = registeredCommands(repo);
  assert.ok(commands.length >= 30, `the Cli lists its commands (${commands.length})`);
  const listed = new Set(commands.map((c) => c.join(' ')));
  for (const d of declaredCommands()) assert.ok(listed.has(d), `\`lockstep ${d}\` is declared in src/cli/commands but not registered with usage in src/cli/main.ts`);
  for (const c of ['note list', 'note add', 'watch', 'log']) assert.ok(listed.has(c), c);

  const top = spawnSync(process.execPath, [CLI_PATH, '--help'], { cwd: repo, encoding: 'utf8', timeout: 20_000, env: cleanEnv({ HOME: home, USERPROFILE: home }) });
  assert.equal(top.status, 0, top.stderr);
  for (const c of commands) assert.ok(top.stdout.includes(`lockstep ${c.join(' ')}`), `lockstep --help lists ${c.join(' ')}`);
  // Every command's help in one more process with the same HOME (a node start per command costs ~0.3 s).
  const batch = spawnSync(process.execPath, [path.join(import.meta.dirname, 'cli-batch.mjs'), CLI_PATH], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 60_000,
    input: JSON.stringify(commands.map((c) => [...c, '--help'])),
    env: cleanEnv({ HOME: home, USERPROFILE: home }),
  });
  assert.equal(batch.status, 0, batch.stderr);
  const runs = JSON.parse(batch.stdout) as { status: number; stdout: string; stderr: string; ms: number }[];
  commands.forEach((c, i) => {
    const r = runs[i]!;
    assert.equal(r.status, 0, `${c.join(' ')} --help: ${r.stderr}`);
    assert.ok(r.stdout.includes(`$ lockstep ${c.join(' ')}`), `${c.join(' ')} --help prints its usage`);
    assert.equal(r.stderr, '', `${c.join(' ')} --help writes nothing to stderr`);
    assert.doesNotMatch(r.stdout, ANSI, `${c.join(' ')} --help has no colour codes on a pipe`);
    assert.ok(r.ms < 5_000, `${c.join(' ')} --help returns at once`);
  });
  // Nothing was started or written: no state ref, no files in the checkout, nothing in HOME.
  assert.equal(spawnSync('git', ['rev-parse', '-q', '--verify', 'refs/lockstep/state'], { cwd: repo }).status, 1, 'no state ref');
  assert.equal(git(repo, 'status', '--porcelain', '--ignored'), '', 'checkout untouched');
  assert.deepEqual(fs.readdirSync(home), [], 'HOME untouched');
  fs.rmSync(home, { recursive: true, force: true });
});

test('note add and note list round trip, human and --json', () => {
  const repo = makeRepo();
  const first = cli(repo, 'note', 'add', 'main is frozen until 5pm', '--json');
  assert.equal(first.status, 0, first.stderr);
  const { note } = JSON.parse(first.stdout) as { note: { id: string; author: string; text: string } };
  assert.equal(note.author, 'human');
  assert.equal(note.text, 'main is frozen until 5pm');
  const task = JSON.parse(cli(repo, 'task', 'create', '--title', 'Fix it', '--json').stdout).task as { id: string };
  const second = cli(repo, 'note', 'add', 'use the v2 API', '--task', task.id, '--as', 'alice');
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, new RegExp(`^Noted N-[0-9A-Z]+ on ${task.id}$`, 'm'));

  const human = cli(repo, 'note', 'list');
  assert.equal(human.status, 0, human.stderr);
  assert.doesNotMatch(human.stdout, ANSI);
  const lines = human.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^ID\s+TIME\s+AUTHOR\s+KIND\s+TASK\s+TEXT$/);
  assert.match(lines[1]!, new RegExp(`^${note.id}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+human\\s+note\\s+-\\s+main is frozen until 5pm$`));
  assert.match(lines[2]!, new RegExp(`^N-\\S+\\s+.*\\s+alice\\s+note\\s+${task.id}\\s+use the v2 API$`));
  assert.equal(lines[1]!.indexOf('human'), lines[2]!.indexOf('alice'), 'columns aligned');

  const json = JSON.parse(cli(repo, 'note', 'list', '--json').stdout) as { notes: { text: string; task?: string }[]; total: number };
  assert.deepEqual(json.notes.map((n) => n.text), ['main is frozen until 5pm', 'use the v2 API']);
  assert.equal(json.total, 2);
  const byTask = JSON.parse(cli(repo, 'note', 'list', '--task', task.id, '--json').stdout) as { notes: { task?: string }[] };
  assert.deepEqual(byTask.notes.map((n) => n.task), [task.id]);
  const last = JSON.parse(cli(repo, 'note', 'list', '--limit', '1', '--json').stdout) as { notes: { text: string }[]; total: number };
  assert.deepEqual([last.notes.map((n) => n.text), last.total], [['use the v2 API'], 2]);
  assert.match(cli(repo, 'note', 'list', '--limit', '1').stdout, /1 newest of 2/);
  assert.match(cli(repo, 'note', 'list', '--kind', 'system').stdout, /^no notes$/m);

  const missing = cli(repo, 'note', 'add', 'x', '--task', 'T-ZZZZ');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^error\[TASK_NOT_FOUND\]: /);
  const badKind = cli(repo, 'note', 'list', '--kind', 'gossip');
  assert.equal(badKind.status, 1);
  assert.match(badKind.stderr, /^error\[INVALID_INPUT\]: /);
  const log = cli(repo, 'log', '--entity', task.id).stdout.trimEnd().split('\n');
  assert.equal(log.length, 2, 'log --entity: the task create and the note about it');
  assert.match(log[0]!, /  note\.append N-[0-9A-Z]+ by alice$/);
  assert.match(log[1]!, new RegExp(`  task\\.create ${task.id} by human$`));
});

interface Watch {
  stdout: () => string;
  exited: Promise<number | null>;
  ready: Promise<void>;
  stderr: () => string;
  kill: (sig: NodeJS.Signals) => void;
}

/** `lockstep watch ...` in its own process; `ready` once it has taken its starting point (its stderr line). */
function startWatch(repo: string, ...args: string[]): Watch {
  const child = spawn(process.execPath, [CLI_PATH, 'watch', ...args], { cwd: repo, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (err.includes('watching refs/lockstep/state')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`watch exited (${code}) before it was ready: ${err}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  void exited.then(() => clearTimeout(timer));
  return { stdout: () => out, stderr: () => err, exited, ready, kill: (sig) => child.kill(sig) };
}

test('watch prints a line for a commit made by another process and exits with --once', async () => {
  const repo = makeRepo();
  cli(repo, 'note', 'add', 'before the watch');
  const w = startWatch(repo, '--once', '--timeout-sec', '20');
  await w.ready;
  const made = cli(repo, 'task', 'create', '--title', 'Watched task', '--as', 'bob', '--json');
  assert.equal(made.status, 0, made.stderr);
  const id = (JSON.parse(made.stdout) as { task: { id: string } }).task.id;
  assert.equal(await w.exited, 0);
  const lines = w.stdout().trimEnd().split('\n');
  assert.equal(lines.length, 1, w.stdout());
  assert.match(lines[0]!, new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  bob  task\\.create  task\\.create ${id} by bob$`));
  assert.doesNotMatch(w.stdout(), ANSI);
});

test('watch --once gives up after 60 s by default (a quiet repository never hangs a script), and says so', async () => {
  const repo = makeRepo();
  cli(repo, 'note', 'add', 'state exists');
  const w = startWatch(repo, '--once');
  await w.ready;
  assert.match(w.stderr(), /watching refs\/lockstep\/state from [0-9a-f]{40}; stops after 60 s/);
  w.kill('SIGTERM');
  assert.equal(await w.exited, 0);
  const quick = startWatch(repo, '--once', '--timeout-sec', '1');
  await quick.ready;
  assert.equal(await quick.exited, 0);
  assert.match(quick.stderr(), /no state change within 1 s/);
});

test('watch --json: one object per line, filtered by entity and op', async () => {
  const repo = makeRepo();
  const id = (JSON.parse(cli(repo, 'task', 'create', '--title', 'A', '--json').stdout) as { task: { id: string } }).task.id;
  const w = startWatch(repo, '--json', '--once', '--entity', id, '--op', 'note.', '--timeout-sec', '20');
  await w.ready;
  cli(repo, 'note', 'add', 'not about the task');
  cli(repo, 'task', 'claim', id, '--as', 'impl-1');
  cli(repo, 'note', 'add', 'about the task', '--task', id, '--as', 'impl-1');
  assert.equal(await w.exited, 0);
  const events = w.stdout().trimEnd().split('\n').map((l) => JSON.parse(l) as { op: string; actor: string; entities: string[]; cursor: string });
  assert.equal(events.length, 1, w.stdout());
  assert.equal(events[0]!.op, 'note.append');
  assert.equal(events[0]!.actor, 'impl-1');
  assert.ok(events[0]!.entities.includes(id));
  assert.equal(events[0]!.cursor, git(repo, 'rev-parse', 'refs/lockstep/state'));
});

test('watch runs until SIGTERM, and --timeout-sec ends a quiet watch with exit 0', async () => {
  const repo = makeRepo();
  cli(repo, 'note', 'add', 'state exists');
  const w = startWatch(repo);
  await w.ready;
  cli(repo, 'note', 'add', 'one');
  cli(repo, 'note', 'add', 'two');
  for (let i = 0; i < 100 && w.stdout().split('\n').length < 3; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(w.stdout().trimEnd().split('\n').length, 2, w.stdout());
  w.kill('SIGTERM');
  assert.equal(await w.exited, 0);

  const started = Date.now();
  const quiet = startWatch(repo, '--timeout-sec', '1');
  await quiet.ready;
  assert.equal(await quiet.exited, 0);
  assert.equal(quiet.stdout(), '');
  assert.ok(Date.now() - started < 10_000);
  const bad = cli(repo, 'watch', '--cursor', 'nope');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^error\[INVALID_INPUT\]: /);
});

test('tables have no ANSI colour codes when stdout is not a TTY, and colours follow TTY and NO_COLOR', () => {
  const repo = makeRepo();
  const id = (JSON.parse(cli(repo, 'task', 'create', '--title', 'A', '--json').stdout) as { task: { id: string } }).task.id;
  cli(repo, 'note', 'add', 'hi', '--task', id);
  for (const args of [['task', 'list'], ['task', 'show', id], ['note', 'list'], ['lock', 'list'], ['log'], ['issue', 'list'], ['discussion', 'list'], ['status']]) {
    const r = cli(repo, ...args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stdout, ANSI, args.join(' '));
  }
  const tty = () => Object.assign(new PassThrough(), { isTTY: true });
  const saved = process.env.NO_COLOR;
  try {
    delete process.env.NO_COLOR;
    const on = styleFor(tty());
    const colored = table([['ID', 'KIND'], ['N-1', 'system'], ['N-22', 'note']], on, (_, col, t) => (col === 1 ? on.yellow(t) : t));
    assert.match(colored, ANSI, 'colours on a TTY');
    assert.deepEqual(colored.replace(/\u001b\[[0-9;]*m/g, '').split('\n'), ['ID    KIND', 'N-1   system', 'N-22  note', ''], 'alignment ignores colour codes');
    assert.doesNotMatch(table([['ID'], ['N-1']], styleFor(new PassThrough())), ANSI, 'a pipe gets no colours');
    process.env.NO_COLOR = '1';
    assert.doesNotMatch(table([['ID'], ['N-1']], styleFor(tty())), ANSI, 'NO_COLOR turns colours off');
  } finally {
    if (saved === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved;
  }
});

test('README: the tool table names every tool once with the roles the server gives it, and every command is in the manual', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('| tool | roles | what |');
  assert.ok(start >= 0, 'the README has the tool table');
  const rows = readme.slice(start).split('\n\n')[0]!.split('\n').slice(2);
  const documented = new Map<string, string[]>();
  for (const row of rows) {
    const [, names, roles] = row.split(' | ').length >= 3 ? ['', ...row.slice(2).split(' | ')] : [];
    assert.ok(names && roles, `a tool row: ${row}`);
    const head = roles.split(' (')[0]!.trim();
    const set = head === 'every role' ? [...EVERY_ROLE] : head === '`all` only' ? [] : head.split(', ');
    for (const m of names.matchAll(/`([a-z_]+)`/g)) {
      assert.ok(!documented.has(m[1]!), `${m[1]} is listed once`);
      documented.set(m[1]!, [...set].sort());
    }
  }
  for (const tool of ALL_TOOLS) {
    assert.ok(documented.has(tool.name), `README lists ${tool.name}`);
    assert.deepEqual(documented.get(tool.name), [...tool.roles].sort(), `README roles of ${tool.name}`);
  }
  assert.deepEqual([...documented.keys()].filter((n) => !ALL_TOOLS.some((t) => t.name === n)), [], 'README lists no tool the server lacks');

  const repo = makeRepo();
  for (const c of registeredCommands(repo)) assert.ok(readme.includes(`lockstep ${c[0]}`), `README documents lockstep ${c[0]}`);
});
