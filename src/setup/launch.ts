// Launching agents in terminals: windows or panes of a tmux session, and macOS Terminal windows through osascript.
// Every argument reaches tmux and osascript as argv (never a shell string); what a terminal runs is one
// `sh -c` script whose paths and values are sh-quoted.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LockstepError } from '../errors.js';

export const DEFAULT_SESSION = 'lockstep';

export type AgentRole = 'planner' | 'implementer' | 'reviewer';

/** One agent to start: its window (or pane) title, identity, command and directory. */
export interface AgentLaunch {
  /** Window name in tmux, custom title in Terminal. */
  title: string;
  role: AgentRole;
  agent: string;
  /** A shell command line, e.g. `claude` or `codex --full-auto`; run by sh as written. */
  command: string;
  cwd: string;
  /** Text typed into the agent once it runs (tmux), or its first argument (macOS, claude/codex only). */
  prompt?: string;
  /** More environment for the agent (LOCKSTEP_ROLE and LOCKSTEP_AGENT are always set). */
  env?: Record<string, string>;
}

// ---- quoting ----

function noNul(s: string, what: string): string {
  if (s.includes('\0')) throw new LockstepError('INVALID_INPUT', `${what} contains a NUL character; remove it`, { what });
  return s;
}

/** One sh word: single quotes, with each ' written as '\''. */
export function shQuote(s: string): string {
  return `'${noNul(s, 'a launch argument').replace(/'/g, `'\\''`)}'`;
}

/** An AppleScript string literal: backslash and double quote escaped. */
export function appleScriptString(s: string): string {
  return `"${noNul(s, 'a launch argument').replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The sh script a terminal runs for one agent: cd to its directory, export its identity, run its command.
 * sh stays the parent of the agent, so the script's pid is alive exactly while the agent runs.
 */
export function agentScript(a: AgentLaunch, extraArgs: string[] = []): string {
  if (a.command.trim() === '') throw new LockstepError('INVALID_INPUT', `the command for ${a.agent} is empty; give a program, e.g. claude or codex`, { agent: a.agent });
  noNul(a.command, 'the agent command');
  const env: Record<string, string> = { ...a.env, LOCKSTEP_ROLE: a.role, LOCKSTEP_AGENT: a.agent };
  const exports = Object.entries(env).map(([k, v]) => {
    if (!ENV_NAME.test(k)) throw new LockstepError('INVALID_INPUT', `"${k}" is not a valid environment variable name`, { name: k });
    return `${k}=${shQuote(v)}`;
  });
  const args = extraArgs.map(shQuote).join(' ');
  return `cd ${shQuote(a.cwd)} || exit 1\nexport ${exports.join(' ')}\n${a.command}${args ? ` ${args}` : ''}\n`;
}

// ---- running programs ----

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
  missing: boolean;
}

function run(program: string, args: string[], input?: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') resolve({ status: null, stdout, stderr, missing: true });
      else reject(err);
    });
    child.on('close', (status) => resolve({ status, stdout, stderr, missing: false }));
    if (child.stdin) {
      // EPIPE: the program exited without reading its input; its exit status says what happened.
      child.stdin.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') reject(err);
      });
      child.stdin.end(input);
    }
  });
}

// ---- tmux ----

/** Which tmux server: the default one, or a private socket (`tmux -L NAME`). */
export interface TmuxServer {
  socket?: string;
}

function tmuxArgv(t: TmuxServer, args: string[]): string[] {
  return t.socket ? ['-L', t.socket, ...args] : args;
}

/** Run one tmux command; LAUNCH_FAILED with tmux's own message when it fails. */
export async function tmux(t: TmuxServer, args: string[], input?: string): Promise<string> {
  const r = await run('tmux', tmuxArgv(t, args), input);
  if (r.missing) throw tmuxMissing();
  if (r.status !== 0) throw new LockstepError('LAUNCH_FAILED', `tmux ${args[0]} failed: ${r.stderr.trim() || `exit ${r.status}`}`, { command: args[0], stderr: r.stderr.trim() });
  return r.stdout;
}

function tmuxMissing(): LockstepError {
  return new LockstepError('LAUNCH_UNSUPPORTED', 'tmux is not installed (or not on PATH); install it (apt-get install tmux, brew install tmux) or start the agent yourself', {});
}

/** tmux 3.0+ is needed: it runs a window's command as argv, so no shell re-parses it. */
export async function requireTmux(): Promise<string> {
  const r = await run('tmux', ['-V']);
  if (r.missing) throw tmuxMissing();
  const version = r.stdout.trim();
  const m = /(\d+)\.(\d+)/.exec(version);
  if (m && Number(m[1]) < 3) throw new LockstepError('LAUNCH_UNSUPPORTED', `${version} is too old; Lockstep needs tmux 3.0 or newer`, { version });
  return version;
}

/** `=name`: the session of exactly this name (tmux otherwise also matches a name prefix). */
function exact(session: string): string {
  return `=${session}`;
}

export async function hasSession(t: TmuxServer, session: string): Promise<boolean> {
  const r = await run('tmux', tmuxArgv(t, ['has-session', '-t', exact(session)]));
  if (r.missing) throw tmuxMissing();
  return r.status === 0;
}

/** Status bar options set on this session only (never -g: a user's other sessions stay as they are, L10). */
export const SESSION_OPTIONS: readonly [string, string][] = [
  ['status', 'on'],
  ['status-style', 'bg=colour237,fg=colour252'],
  ['status-left', ' lockstep '],
  ['status-left-length', '20'],
  ['status-right', ' C-b n/p: next/prev window | C-b w: list '],
];

export interface StartedPane {
  agent: string;
  title: string;
  /** tmux pane id, e.g. %3. */
  pane: string;
  /** The pane's process: the sh running the agent. */
  pid: number;
}

const PANE_FORMAT = '#{pane_id} #{pane_pid}';

function parsePane(out: string, a: AgentLaunch): StartedPane {
  const [pane, pid] = out.trim().split(' ');
  if (!pane || !pid) throw new LockstepError('LAUNCH_FAILED', `tmux did not report the new pane for ${a.agent} (got "${out.trim()}")`, { agent: a.agent });
  return { agent: a.agent, title: a.title, pane, pid: Number(pid) };
}

/**
 * Panes start with a placeholder, get remain-on-exit, and only then run the agent (respawn-pane):
 * an agent that exits at once leaves its pane dead but readable, with its exit status, instead of
 * taking the window (and a new session's tmux server) down before anything could be set.
 */
const PLACEHOLDER = ['/bin/sh', '-c', 'exec sleep 2147483647'];

/**
 * The pane says how its agent ended, whether it returns or calls exit: tmux 3.3 under load can mark a
 * pane dead without its exit status (the respawn's old and new child racing), and then shows none.
 */
function exitTrap(a: AgentLaunch): string {
  const say = `printf '\\n[lockstep] %s exited with status %s\\n' ${shQuote(a.agent)} "$?"`;
  return `trap ${shQuote(say)} EXIT\n`;
}

/** Keep the pane's window when its process exits (a window option, on that window only), then run the agent in it. */
async function runIn(t: TmuxServer, placeholder: StartedPane, a: AgentLaunch): Promise<StartedPane> {
  await tmux(t, ['set-option', '-w', '-t', placeholder.pane, 'remain-on-exit', 'on']);
  await tmux(t, ['respawn-pane', '-k', '-t', placeholder.pane, '-c', a.cwd, '--', '/bin/sh', '-c', exitTrap(a) + agentScript(a)]);
  return parsePane(await tmux(t, ['display-message', '-p', '-t', placeholder.pane, PANE_FORMAT]), a);
}

/** A new detached session whose first window runs the agent; session-local options set. */
export async function newSession(t: TmuxServer, session: string, a: AgentLaunch): Promise<StartedPane> {
  agentScript(a); // a bad command or env name fails before anything is made
  const out = await tmux(t, ['new-session', '-d', '-P', '-F', PANE_FORMAT, '-s', session, '-n', a.title, '-c', a.cwd, '--', ...PLACEHOLDER]);
  const p = parsePane(out, a);
  // Targeted by the new pane: a session option set through a pane applies to that pane's session only.
  for (const [k, v] of SESSION_OPTIONS) await tmux(t, ['set-option', '-t', p.pane, k, v]);
  return runIn(t, p, a);
}

/** A new window at the end of the session running the agent. */
export async function newWindow(t: TmuxServer, session: string, a: AgentLaunch): Promise<StartedPane> {
  agentScript(a);
  const out = await tmux(t, ['new-window', '-d', '-P', '-F', PANE_FORMAT, '-t', `${exact(session)}:`, '-n', a.title, '-c', a.cwd, '--', ...PLACEHOLDER]);
  return runIn(t, parsePane(out, a), a);
}

/** A new pane split off `target` (a pane id) running the agent. */
export async function splitPane(t: TmuxServer, target: string, a: AgentLaunch): Promise<StartedPane> {
  agentScript(a);
  const out = await tmux(t, ['split-window', '-d', '-P', '-F', PANE_FORMAT, '-t', target, '-c', a.cwd, '--', ...PLACEHOLDER]);
  return runIn(t, parsePane(out, a), a);
}

/** Whether the pane's agent has exited, and with which status (remain-on-exit keeps the pane). */
export async function paneExit(t: TmuxServer, pane: string): Promise<{ dead: boolean; status?: number }> {
  const [dead, status] = (await tmux(t, ['display-message', '-p', '-t', pane, '#{pane_dead} #{pane_dead_status}'])).trim().split(' ');
  return dead === '1' ? { dead: true, status: status === undefined || status === '' ? undefined : Number(status) } : { dead: false };
}

/** A window in the session (created detached when missing), as launch_implementer needs. */
export async function openAgentWindow(t: TmuxServer, session: string, a: AgentLaunch): Promise<StartedPane & { sessionCreated: boolean }> {
  await requireTmux();
  const created = !(await hasSession(t, session));
  const p = created ? await newSession(t, session, a) : await newWindow(t, session, a);
  return { ...p, sessionCreated: created };
}

/**
 * Type the prompt into the pane as one bracketed paste (so a multi-line prompt does not submit line by
 * line), then press Enter. The text goes through a named buffer loaded from stdin, never argv.
 */
export async function injectPrompt(t: TmuxServer, pane: string, text: string): Promise<void> {
  const buffer = `lockstep-prompt-${pane.replace(/\W/g, '')}`;
  await tmux(t, ['load-buffer', '-b', buffer, '-'], text);
  await tmux(t, ['paste-buffer', '-p', '-d', '-b', buffer, '-t', pane]);
  await tmux(t, ['send-keys', '-t', pane, 'Enter']);
}

export interface WindowInfo {
  name: string;
  dead: boolean;
}

export async function listWindows(t: TmuxServer, session: string): Promise<WindowInfo[]> {
  const out = await tmux(t, ['list-windows', '-t', exact(session), '-F', '#{window_name}\t#{pane_dead}']);
  return out.split('\n').filter(Boolean).map((l) => {
    const [name, dead] = l.split('\t');
    return { name: name ?? '', dead: dead === '1' };
  });
}

export interface TmuxLaunchOptions extends TmuxServer {
  session: string;
  layout: 'windows' | 'panes';
  agents: AgentLaunch[];
  /** How long an agent gets to start before its prompt is typed. */
  promptDelayMs: number;
}

export interface TmuxLaunchResult {
  session: string;
  sessionCreated: boolean;
  started: StartedPane[];
  /** Agents whose window was already there and running (a second run starts nothing twice). */
  kept: string[];
  /** Agents that exited before their prompt could be pasted (so it was not); their windows stay, showing why. */
  exited: { agent: string; pane: string; status?: number }[];
}

/** The panes layout puts every agent in one window of this name. */
export const PANES_WINDOW = 'agents';

/**
 * Start the agents in a session (created detached when missing). In a reused session an agent whose
 * window is already running is kept; a window whose agent exited is replaced. When tmux fails half
 * way, what this run made is taken down again (the session, or the windows it added), so nothing
 * half-made is left.
 */
export async function launchTmux(opts: TmuxLaunchOptions): Promise<TmuxLaunchResult> {
  await requireTmux();
  const t: TmuxServer = { socket: opts.socket };
  const { session } = opts;
  let exists = await hasSession(t, session);
  const sessionCreated = !exists;
  const started: StartedPane[] = [];
  const kept: string[] = [];
  const windows = exists ? await listWindows(t, session) : [];
  const running = new Set(windows.filter((w) => !w.dead).map((w) => w.name));
  const stale = async (name: string) => {
    if (windows.some((w) => w.name === name && w.dead)) await tmux(t, ['kill-window', '-t', `${exact(session)}:${name}`]);
  };

  try {
    if (opts.layout === 'windows') {
      for (const a of opts.agents) {
        if (running.has(a.title)) {
          kept.push(a.agent);
          continue;
        }
        if (exists) await stale(a.title);
        started.push(exists ? await newWindow(t, session, a) : await newSession(t, session, a));
        exists = true;
      }
    } else if (running.has(PANES_WINDOW)) {
      kept.push(...opts.agents.map((a) => a.agent));
    } else {
      if (exists) await stale(PANES_WINDOW);
      const [first, ...rest] = opts.agents;
      if (first) {
        const head = { ...first, title: PANES_WINDOW };
        const p = exists ? await newWindow(t, session, head) : await newSession(t, session, head);
        started.push({ ...p, title: first.title });
        for (const a of rest) started.push(await splitPane(t, p.pane, a));
        await tmux(t, ['select-layout', '-t', p.pane, 'tiled']);
      }
    }
  } catch (err) {
    await undo(t, session, sessionCreated, started);
    throw err;
  }

  const exited: TmuxLaunchResult['exited'] = [];
  const prompted = started.filter((p) => opts.agents.find((a) => a.agent === p.agent)?.prompt);
  if (prompted.length) await sleep(opts.promptDelayMs);
  for (const p of prompted) {
    const e = await paneExit(t, p.pane);
    if (e.dead) exited.push({ agent: p.agent, pane: p.pane, status: e.status });
    else await injectPrompt(t, p.pane, opts.agents.find((a) => a.agent === p.agent)!.prompt!);
  }
  return { session, sessionCreated, started, kept, exited };
}

/** Take down what a failed launch made: the session it created, or the panes it added to an existing one. */
async function undo(t: TmuxServer, session: string, sessionCreated: boolean, started: StartedPane[]): Promise<void> {
  const quiet = (args: string[]) => run('tmux', tmuxArgv(t, args));
  if (sessionCreated) await quiet(['kill-session', '-t', exact(session)]);
  else for (const p of started) await quiet(['kill-pane', '-t', p.pane]);
}

/** Attach the terminal to the session (or switch to it when already inside tmux); returns tmux's exit status. */
export function attachTmux(t: TmuxServer, session: string): number {
  const verb = process.env.TMUX && !t.socket ? 'switch-client' : 'attach-session';
  const r = spawnSync('tmux', tmuxArgv(t, [verb, '-t', exact(session)]), { stdio: 'inherit' });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---- macOS Terminal ----

/** claude and codex take the first prompt as an argument; other programs get none. */
function takesPromptArg(command: string): boolean {
  const first = command.trim().split(/\s+/)[0] ?? '';
  return ['claude', 'codex'].includes(path.basename(first));
}

/** The shell text Terminal types for one agent: `/bin/sh -c '<script>'`, valid in sh, bash and zsh. */
export function macosShellLine(a: AgentLaunch, pidFile?: string): string {
  const extra = a.prompt && takesPromptArg(a.command) ? [a.prompt] : [];
  const record = pidFile ? `echo $$ > ${shQuote(pidFile)}\n` : '';
  return `/bin/sh -c ${shQuote(record + agentScript(a, extra))}`;
}

/**
 * The AppleScript (one line per osascript -e) that opens a Terminal window per agent and titles it.
 * Pure, so its quoting is testable anywhere.
 */
export function macosScript(agents: { launch: AgentLaunch; pidFile?: string }[]): string[] {
  const lines = ['tell application "Terminal"', 'activate'];
  for (const { launch, pidFile } of agents) {
    lines.push(`set t to do script ${appleScriptString(macosShellLine(launch, pidFile))}`);
    lines.push(`set custom title of t to ${appleScriptString(launch.title)}`);
  }
  lines.push('end tell');
  return lines;
}

export function requireMacos(): void {
  if (process.platform !== 'darwin') {
    throw new LockstepError('LAUNCH_UNSUPPORTED', `Terminal windows need macOS (this is ${process.platform}); use lockstep tmux instead`, { platform: process.platform });
  }
}

/** Run the script with osascript, each line as its own -e argument. */
export async function launchMacos(agents: { launch: AgentLaunch; pidFile?: string }[]): Promise<void> {
  requireMacos();
  const args = macosScript(agents).flatMap((l) => ['-e', l]);
  const r = await run('osascript', args);
  if (r.missing) throw new LockstepError('LAUNCH_UNSUPPORTED', 'osascript was not found; it ships with macOS', {});
  if (r.status !== 0) throw new LockstepError('LAUNCH_FAILED', `osascript failed: ${r.stderr.trim() || `exit ${r.status}`}; allow the terminal to control Terminal (System Settings > Privacy > Automation)`, { stderr: r.stderr.trim() });
}

/** The pid the agent's script wrote, or undefined when it did not within the time. */
export async function readPidFile(file: string, timeoutMs: number): Promise<number | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // not written yet
    }
    const pid = Number(text.trim());
    if (text && Number.isInteger(pid) && pid > 0) return pid;
    if (Date.now() >= until) return undefined;
    await sleep(100);
  }
}
