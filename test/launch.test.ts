// Launchers: `lockstep tmux` in a real (private) tmux server, launch_implementer over MCP with a stub
// agent, and the macOS AppleScript checked by running the shell text it would type.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { IMPLEMENTER_PROMPT, PLANNER_PROMPT } from '../src/app/prompts.js';
import { listTools } from '../src/mcp/list.js';
import { agentScript, appleScriptString, launchTmux, macosScript, macosShellLine, shQuote, type AgentLaunch } from '../src/setup/launch.js';
import { cli, git, initAgent, makeRepo, sleep, toolError } from './helpers.js';

const HAVE_TMUX = spawnSync('tmux', ['-V']).status === 0;
const NO_TMUX = HAVE_TMUX ? false : 'tmux is not installed (the CI installs it with apt-get); these tests need a real tmux';

// Private tmux servers put their sockets here (and the CLI and servers these tests start inherit it),
// so nothing is left in the user's tmux socket folder: tmux keeps a socket file after kill-server.
const TMUX_TMPDIR = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-tmux-')));
process.env.TMUX_TMPDIR = TMUX_TMPDIR;

const sockets: string[] = [];
after(() => {
  for (const s of sockets) spawnSync('tmux', ['-L', s, 'kill-server']);
  fs.rmSync(TMUX_TMPDIR, { recursive: true, force: true });
});

/** A private tmux server for one test, so no test touches a user's server. */
function socket(): string {
  const s = `lockstep-test-${process.pid}-${sockets.length}`;
  sockets.push(s);
  return s;
}

function tmux(sock: string, ...args: string[]): string {
  return execFileSync('tmux', ['-L', sock, ...args], { encoding: 'utf8' });
}

/** The whole pane, wrapped lines joined. */
function pane(sock: string, target: string): string {
  return tmux(sock, 'capture-pane', '-p', '-J', '-S', '-', '-t', target);
}

async function until<T>(what: string, probe: () => T | undefined | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A directory name a naive launcher would break on. */
function nastyDir(parent: string): string {
  const dir = path.join(parent, `it's a "dir" $(touch pwned) \\ end`);
  fs.mkdirSync(dir);
  return dir;
}

/** Prints what the agent sees, then keeps reading its terminal like an agent would. */
const STUB = `printf 'seen:%s/%s/%s\\n' "$LOCKSTEP_ROLE" "$LOCKSTEP_AGENT" "$(pwd)"; exec cat`;

test('lockstep tmux starts planner and implementer windows with identities and the role prompts', { skip: NO_TMUX }, async () => {
  const repo = makeRepo();
  const dir = nastyDir(repo);
  const sock = socket();
  // Another session first: the global and its own options must not change.
  tmux(sock, 'new-session', '-d', '-s', 'other');
  const globalBefore = tmux(sock, 'show-options', '-g') + tmux(sock, 'show-options', '-gw');
  const otherBefore = tmux(sock, 'show-options', '-t', 'other:');

  const r = cli(repo, 'tmux', '--no-attach', '--json', '--socket', sock, '--repo', dir, '--implementers', '2', '--planner-cmd', STUB, '--implementer-cmd', STUB, '--prompt-delay-ms', '300');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { sessionCreated: boolean; started: { agent: string; pane: string; pid: number }[] };
  assert.equal(out.sessionCreated, true);
  assert.deepEqual(out.started.map((s) => s.agent), ['planner', 'impl-1', 'impl-2', 'dashboard']);

  const windows = tmux(sock, 'list-windows', '-t', 'lockstep', '-F', '#{window_name}').trim().split('\n');
  assert.deepEqual(windows, ['planner', 'impl-1', 'impl-2', 'dashboard']);
  const url = await until('the dashboard URL', () => pane(sock, 'lockstep:dashboard').match(/http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/)?.[0]);
  assert.equal((await fetch(url)).status, 200, 'the dashboard window serves the page');
  const planner = await until('the planner prompt', () => (pane(sock, 'lockstep:planner').includes('ABSOLUTE PROHIBITIONS') ? pane(sock, 'lockstep:planner') : undefined));
  assert.ok(planner.includes(`seen:planner/planner/${dir}`), planner);
  assert.ok(planner.includes(PLANNER_PROMPT.split('\n')[0]!));
  const impl = await until('the implementer prompt', () => (pane(sock, 'lockstep:impl-2').includes('CONTINUOUS WORK LOOP') ? pane(sock, 'lockstep:impl-2') : undefined));
  assert.ok(impl.includes(`seen:implementer/impl-2/${dir}`), impl);
  assert.ok(!fs.existsSync(path.join(dir, 'pwned')) && !fs.existsSync(path.join(repo, 'pwned')), 'a path was run as a command');

  // Session-local options only (L10).
  assert.equal(tmux(sock, 'show-options', '-g') + tmux(sock, 'show-options', '-gw'), globalBefore);
  assert.equal(tmux(sock, 'show-options', '-t', 'other:'), otherBefore);
  assert.match(tmux(sock, 'show-options', '-t', 'lockstep:'), /status-left " lockstep "/);

  // A second run reuses the session and starts nothing twice.
  const again = cli(repo, 'tmux', '--no-attach', '--json', '--socket', sock, '--repo', dir, '--implementers', '2', '--planner-cmd', STUB, '--implementer-cmd', STUB, '--no-prompts');
  assert.equal(again.status, 0, again.stderr);
  const second = JSON.parse(again.stdout) as { sessionCreated: boolean; started: unknown[]; kept: string[] };
  assert.equal(second.sessionCreated, false);
  assert.deepEqual(second.started, []);
  assert.deepEqual(second.kept, ['planner', 'impl-1', 'impl-2', 'dashboard']);
  assert.equal(tmux(sock, 'list-windows', '-t', 'lockstep', '-F', '#{window_name}').trim().split('\n').length, 4);
  tmux(sock, 'kill-session', '-t', 'lockstep');
});

test('lockstep tmux --layout panes puts every agent in one window; an exited agent stays readable', { skip: NO_TMUX }, async () => {
  const repo = makeRepo();
  const sock = socket();
  const r = cli(repo, 'tmux', '--no-attach', '--no-dashboard', '--socket', sock, '--session', 'team', '--layout', 'panes', '--implementers', '2', '--planner-cmd', STUB, '--implementer-cmd', 'echo bye; exit 3', '--no-prompts');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(tmux(sock, 'list-windows', '-t', 'team', '-F', '#{window_name}').trim(), 'agents');
  // Each dead pane says how its agent ended (our own line: tmux may not have the status).
  const panes = await until('two dead implementer panes', () => {
    const p = tmux(sock, 'list-panes', '-t', 'team:agents', '-F', '#{pane_id} #{pane_dead}').trim().split('\n');
    return p.filter((l) => l.endsWith(' 1')).length === 2 ? p : undefined;
  });
  assert.deepEqual(panes.map((l) => l.split(' ')[1]), ['0', '1', '1']);
  const said = panes.slice(1).map((l) => pane(sock, l.split(' ')[0]!).match(/^bye\n+\[lockstep\] (impl-\d) exited with status 3$/m)?.[1]);
  assert.deepEqual(said.sort(), ['impl-1', 'impl-2']);
});

test('lockstep tmux checks every command is on PATH before it starts anything', { skip: NO_TMUX }, () => {
  const repo = makeRepo();
  const sock = socket();
  const r = cli(repo, 'tmux', '--no-attach', '--no-dashboard', '--socket', sock, '--planner-cmd', 'no-such-agent-xyz --yes', '--implementer-cmd', STUB);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'error[LAUNCH_FAILED]: no-such-agent-xyz is not on PATH; install it or pass --planner-cmd\n');
  assert.equal(r.stdout, '');
  const impl = cli(repo, 'tmux', '--no-attach', '--no-dashboard', '--socket', sock, '--planner-cmd', STUB, '--implementer-cmd', 'missing-codex');
  assert.match(impl.stderr, /^error\[LAUNCH_FAILED\]: missing-codex is not on PATH; install it or pass --implementer-cmd$/m);
  assert.notEqual(spawnSync('tmux', ['-L', sock, 'has-session']).status, 0, 'no tmux server was started');
});

test('an agent that exits at once: its window stays with its output and exit status, and lockstep tmux says so', { skip: NO_TMUX }, async () => {
  const repo = makeRepo();
  const sock = socket();
  const r = cli(repo, 'tmux', '--no-attach', '--no-dashboard', '--socket', sock, '--planner-cmd', 'echo planner gone; exit 7', '--implementer-cmd', STUB, '--prompt-delay-ms', '500');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error\[LAUNCH_FAILED\]: planner exited at once with status 7; its window in tmux session lockstep shows why$/m);
  assert.deepEqual(tmux(sock, 'list-windows', '-t', 'lockstep', '-F', '#{window_name} #{pane_dead} #{pane_dead_status}').trim().split('\n'), ['planner 1 7', 'impl-1 0']);
  assert.match(pane(sock, 'lockstep:planner'), /planner gone/);
  // The one that ran got its prompt.
  await until('the implementer prompt', () => pane(sock, 'lockstep:impl-1').includes('CONTINUOUS WORK LOOP'));
});

test('a launch that fails half way takes down what it made: no half-made session, no added window', { skip: NO_TMUX }, async () => {
  const repo = makeRepo();
  const sock = socket();
  const agentOf = (agent: string, env?: Record<string, string>): AgentLaunch => ({ title: agent, role: 'implementer', agent, command: 'exec cat', cwd: repo, env });
  // The second agent cannot start (an environment name no shell takes) after the first window exists.
  const bad = agentOf('two', { 'BAD-NAME': 'x' });
  const failed = (p: Promise<unknown>) => p.then(() => 'launched', (e: { code?: string }) => e.code);
  assert.equal(await failed(launchTmux({ socket: sock, session: 'half', layout: 'windows', agents: [agentOf('one'), bad], promptDelayMs: 0 })), 'INVALID_INPUT');
  assert.notEqual(spawnSync('tmux', ['-L', sock, 'has-session', '-t', '=half']).status, 0, 'the session it created is gone');
  // In a session that was already there, only the windows this run added go.
  tmux(sock, 'new-session', '-d', '-s', 'kept', '-n', 'mine');
  assert.equal(await failed(launchTmux({ socket: sock, session: 'kept', layout: 'windows', agents: [agentOf('one'), bad], promptDelayMs: 0 })), 'INVALID_INPUT');
  assert.deepEqual(tmux(sock, 'list-windows', '-t', 'kept', '-F', '#{window_name}').trim().split('\n'), ['mine']);
});

test('lockstep tmux refuses bad flags with a code and starts nothing', { skip: NO_TMUX }, () => {
  const repo = makeRepo();
  const sock = socket();
  const r = cli(repo, 'tmux', '--no-attach', '--no-dashboard', '--socket', sock, '--layout', 'grid');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error\[INVALID_INPUT\]/);
  assert.notEqual(spawnSync('tmux', ['-L', sock, 'has-session']).status, 0, 'a tmux server was started');
  const help = cli(repo, 'tmux', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /dashboard window|--no-dashboard/i);
});

test('launch_implementer starts a stub agent in the tmux session and records a live pid', { skip: NO_TMUX }, async () => {
  const repo = makeRepo();
  const sock = socket();
  const env = { LOCKSTEP_TMUX_SOCKET: sock, LOCKSTEP_TMUX_SESSION: 'lockstep', LOCKSTEP_LAUNCH_PROMPT_DELAY_MS: '200' };
  const planner = await initAgent(repo, 'planner', 'lead', { env });

  const r = await planner.call<{ agent: string; pid: number; pane: string; sessionCreated: boolean; isolation: string }>('launch_implementer', { type: 'other', command: "sh -c 'sleep 600'", prompt: false });
  assert.equal(r.agent, 'impl-1');
  assert.equal(r.sessionCreated, true);
  assert.ok(r.pid > 0);
  assert.equal(tmux(sock, 'display-message', '-p', '-t', r.pane, '#{pane_pid}').trim(), String(r.pid));
  assert.deepEqual(tmux(sock, 'list-windows', '-t', 'lockstep', '-F', '#{window_name}').trim().split('\n'), ['impl-1']);

  type Listed = { implementers: { name: string; live: boolean; process: string; pid?: number; isolation: string }[] };
  let list = await planner.call<Listed>('implementer_list');
  const one = list.implementers.find((i) => i.name === 'impl-1')!;
  assert.equal(one.pid, r.pid);
  assert.equal(one.process, 'running');
  assert.equal(one.live, true);

  tmux(sock, 'kill-pane', '-t', r.pane);
  await until('the agent process to end', () => {
    try {
      process.kill(r.pid, 0);
      return false;
    } catch {
      return true;
    }
  });
  list = await planner.call<Listed>('implementer_list');
  const gone = list.implementers.find((i) => i.name === 'impl-1')!;
  assert.equal(gone.process, 'exited');
  assert.equal(gone.live, false);
});

test('launch_implementer: next free name, worktree isolation, prompt pasted, identity in the environment', { skip: NO_TMUX }, async () => {
  const repo = makeRepo();
  const sock = socket();
  const env = { LOCKSTEP_TMUX_SOCKET: sock, LOCKSTEP_TMUX_SESSION: 'lockstep', LOCKSTEP_LAUNCH_PROMPT_DELAY_MS: '200' };
  const planner = await initAgent(repo, 'planner', 'lead', { env });
  await initAgent(repo, 'implementer', 'impl-1');

  const r = await planner.call<{ agent: string; pane: string; cwd: string; worktree: string; branch: string; sessionCreated: boolean }>('launch_implementer', { type: 'other', command: STUB, isolation: 'worktree' });
  assert.equal(r.agent, 'impl-2');
  assert.equal(r.worktree, '.lockstep/worktrees/impl-2');
  assert.equal(r.branch, 'lockstep/impl-2');
  assert.equal(fs.realpathSync(r.cwd), fs.realpathSync(path.join(repo, r.worktree)));
  const text = await until('the implementer prompt', () => {
    const t = pane(sock, r.pane);
    return t.includes('CONTINUOUS WORK LOOP') ? t : undefined;
  });
  assert.ok(text.includes(`seen:implementer/impl-2/${r.cwd}`), text);
  assert.ok(text.includes(IMPLEMENTER_PROMPT.split('\n')[0]!));
  assert.match(git(r.cwd, 'rev-parse', '--abbrev-ref', 'HEAD'), /^lockstep\/impl-2$/);

  // A second launch goes into the same session as a new window.
  const s = await planner.call<{ agent: string; sessionCreated: boolean }>('launch_implementer', { type: 'other', command: 'sleep 600', name: 'impl-x', prompt: false });
  assert.equal(s.sessionCreated, false);
  assert.deepEqual(tmux(sock, 'list-windows', '-t', 'lockstep', '-F', '#{window_name}').trim().split('\n'), ['impl-2', 'impl-x']);

  type Listed = { implementers: { name: string; isolation: string; worktree?: string; branch?: string }[] };
  const two = (await planner.call<Listed>('implementer_list')).implementers.find((i) => i.name === 'impl-2')!;
  assert.equal(two.isolation, 'worktree');
  assert.equal(two.branch, 'lockstep/impl-2');
});

test('a task created with isolation worktree: its claimer is told to work in its worktree, and launch_implementer for it makes one', { skip: NO_TMUX }, async () => {
  const repo = makeRepo();
  const sock = socket();
  const env = { LOCKSTEP_TMUX_SOCKET: sock, LOCKSTEP_TMUX_SESSION: 'lockstep', LOCKSTEP_LAUNCH_PROMPT_DELAY_MS: '200' };
  const planner = await initAgent(repo, 'planner', 'lead', { env });
  const { task } = await planner.call<{ task: { id: string; isolation: string } }>('task_create', { title: 'big parallel work', isolation: 'worktree' });
  assert.equal(task.isolation, 'worktree');
  const plain = (await planner.call<{ task: { isolation: string } }>('task_create', { title: 'small' })).task;
  assert.equal(plain.isolation, 'shared');
  const launched = await planner.call<{ isolation: string; worktree: string }>('launch_implementer', { type: 'other', command: 'sleep 600', task: task.id, prompt: false });
  assert.deepEqual([launched.isolation, launched.worktree], ['worktree', '.lockstep/worktrees/impl-1']);
  const impl = await initAgent(repo, 'implementer', 'impl-9');
  const init = await impl.call<{ instruction: string; availableTasks: { id: string; isolation?: string }[] }>('coordination_init', { role: 'implementer' });
  assert.match(init.instruction, /isolation worktree is done in your own worktree: worktree_create/);
  assert.equal(init.availableTasks.find((t) => t.id === task.id)?.isolation, 'worktree');
  const claimed = await impl.call<{ instruction: string }>('task_claim', { id: task.id });
  assert.match(claimed.instruction, /Isolation worktree: call worktree_create/);
  assert.equal(await toolError(planner.call('task_create', { title: 'x', isolation: 'elsewhere' })).then((e) => e.code), 'INVALID_INPUT');
});

test('launch_implementer without tmux is LAUNCH_UNSUPPORTED and the server keeps serving', async () => {
  const repo = makeRepo();
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-nopath-'));
  after(() => fs.rmSync(empty, { recursive: true, force: true }));
  const planner = await initAgent(repo, 'planner', 'lead', { env: { PATH: empty } });
  assert.equal((await toolError(planner.call('launch_implementer', { type: 'codex' }))).code, 'LAUNCH_UNSUPPORTED');
  assert.equal((await toolError(planner.call('launch_implementer', { type: 'other' }))).code, 'INVALID_INPUT');
  assert.ok(await planner.call('status_get'));
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  assert.equal((await toolError(impl.call('launch_implementer', { type: 'codex' }))).code, 'ROLE_FORBIDDEN');
});

test('launch_implementer obeys --command-mode allowlist', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'lead', { extraArgs: ['--command-mode', 'allowlist', '--command-allow', 'npm'] });
  assert.equal((await toolError(planner.call('launch_implementer', { type: 'claude' }))).code, 'COMMAND_NOT_ALLOWED');
});

test("the planner's tools/list has launch_implementer and stays under 5,000 tokens without whoami and state_log", () => {
  const planner = listTools('planner');
  const names = planner.map((t) => t.name);
  assert.ok(names.includes('launch_implementer'));
  assert.ok(!names.includes('whoami') && !names.includes('state_log'));
  assert.ok(JSON.stringify(planner).length / 4 < 5000);
  for (const role of ['implementer', 'reviewer'] as const) assert.ok(listTools(role).some((t) => t.name === 'state_log'));
});

// ---- macOS (the script is generated and checked here; it only runs on macOS) ----

/** The text of an AppleScript string literal, refusing any escape but \\ and \". */
function unAppleScript(literal: string): string {
  assert.ok(literal.startsWith('"') && literal.endsWith('"'), literal);
  const body = literal.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '"') assert.fail(`unescaped quote in ${literal}`);
    if (c === '\\') {
      const n = body[++i];
      assert.ok(n === '\\' || n === '"', `stray escape \\${n}`);
      out += n;
    } else out += c;
  }
  return out;
}

test('macOS: every path and value survives AppleScript and sh quoting (spaces, quotes, backslashes, $())', () => {
  const parent = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-mac-')));
  after(() => fs.rmSync(parent, { recursive: true, force: true }));
  const dir = nastyDir(parent);
  const out = path.join(parent, 'out.txt');
  const launch: AgentLaunch = {
    title: 'impl "1" \\ $(x)',
    role: 'implementer',
    agent: 'impl-1',
    command: `printf '%s\\n' "$LOCKSTEP_ROLE" "$LOCKSTEP_AGENT" "$(pwd)" "$X" > ${shQuote(out)}`,
    cwd: dir,
    env: { X: `a'b"c\\d $(touch pwned) \`e\`` },
  };
  const lines = macosScript([{ launch }]);
  assert.equal(lines[0], 'tell application "Terminal"');
  assert.equal(lines.at(-1), 'end tell');
  const doScript = lines.find((l) => l.startsWith('set t to do script '))!;
  const shellLine = unAppleScript(doScript.slice('set t to do script '.length));
  assert.equal(shellLine, macosShellLine(launch));
  assert.equal(unAppleScript(lines.find((l) => l.startsWith('set custom title of t to '))!.slice('set custom title of t to '.length)), launch.title);

  // What Terminal would type, run by a shell.
  const r = spawnSync('/bin/sh', ['-c', shellLine], { cwd: parent, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(fs.readFileSync(out, 'utf8').split('\n'), ['implementer', 'impl-1', dir, launch.env!.X, '']);
  assert.ok(!fs.existsSync(path.join(dir, 'pwned')) && !fs.existsSync(path.join(parent, 'pwned')));

  assert.equal(appleScriptString('a\\b"c'), '"a\\\\b\\"c"');
  assert.equal(shQuote("it's"), `'it'\\''s'`);
});

test('macOS: claude and codex get the prompt as their first argument, other programs none', () => {
  const base: AgentLaunch = { title: 'impl-1', role: 'implementer', agent: 'impl-1', command: 'codex', cwd: '/r', prompt: 'do "it"\nnow' };
  assert.equal(macosShellLine(base), `/bin/sh -c ${shQuote(agentScript(base, [base.prompt!]))}`);
  assert.ok(agentScript(base, [base.prompt!]).endsWith(`codex ${shQuote(base.prompt!)}\n`));
  assert.equal(macosShellLine({ ...base, command: '/usr/local/bin/claude --model x' }), `/bin/sh -c ${shQuote(agentScript({ ...base, command: '/usr/local/bin/claude --model x' }, [base.prompt!]))}`);
  assert.equal(macosShellLine({ ...base, command: 'my-agent' }), `/bin/sh -c ${shQuote(agentScript({ ...base, command: 'my-agent' }))}`);
});

test('lockstep macos off macOS: LAUNCH_UNSUPPORTED; --print-script works anywhere', { skip: process.platform === 'darwin' ? 'this is macOS' : false }, () => {
  const repo = makeRepo();
  const r = cli(repo, 'macos');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error\[LAUNCH_UNSUPPORTED\]/);
  const p = cli(repo, 'macos', '--print-script', '--implementers', '2', '--json');
  assert.equal(p.status, 0, p.stderr);
  const { script } = JSON.parse(p.stdout) as { script: string[] };
  assert.equal(script.filter((l) => l.startsWith('set t to do script ')).length, 3);
  assert.equal(cli(repo, 'macos', '--help').status, 0);
});
