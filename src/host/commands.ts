// Workspace commands: parsing a command line into argv, the allowlist, and running a process group with a timeout and output caps.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LockstepError } from '../errors.js';
import { MIB, resolvePath, type HostConfig } from './files.js';

export const DEFAULT_TIMEOUT_MS = 120_000;
export const MAX_TIMEOUT_MS = 600_000;
/**
 * The most of each stream a result keeps: both streams go twice into a reply (text and result),
 * which stays under the 1 MiB reply limit with room for JSON escapes (colour codes are 6 bytes).
 */
export const OUTPUT_KEPT_BYTES = 128 * 1024;
export const DEFAULT_OUTPUT_BYTES = OUTPUT_KEPT_BYTES;
/** The largest maxOutputBytes accepted (a result still keeps at most OUTPUT_KEPT_BYTES per stream). */
export const MAX_OUTPUT_BYTES = 8 * MIB;
/** After SIGTERM to the group, this long before SIGKILL. */
const KILL_GRACE_MS = 2_000;
/** After the main process exits, this long for children that still hold its stdout/stderr. */
const DRAIN_MS = 1_000;

export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn', 'pip', 'pip3', 'uv', 'cargo', 'go', 'gem', 'apt-get', 'brew'] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

// ---- tokenizer ----

export type Token = { word: string } | { op: string };

/** Unquoted text that a shell would treat as control or redirection, longest first. */
const OPERATORS = ['&&', '||', ';;', '>>', '<<', '$(', '&', '|', ';', '>', '<', '(', ')', '`', '\n'];

/**
 * Split a command line into words and shell operators, POSIX-like: '...' is literal, "..." takes
 * backslash escapes of \ " $ ` and newline, a backslash outside quotes escapes the next character.
 * Nothing is expanded ($HOME stays $HOME). An unclosed quote is INVALID_INPUT.
 */
export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let word = '';
  let inWord = false; // '' is an (empty) word, so "started" is tracked apart from the text
  const endWord = () => {
    if (inWord) tokens.push({ word });
    word = '';
    inWord = false;
  };
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
      continue;
    }
    if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new LockstepError('INVALID_INPUT', `unclosed single quote at character ${i + 1}; close it or escape it with \\`, { at: i });
      word += line.slice(i + 1, close);
      inWord = true;
      i = close + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= line.length) throw new LockstepError('INVALID_INPUT', `unclosed double quote at character ${i + 1}; close it or escape it with \\`, { at: i });
        const d = line[j]!;
        if (d === '"') break;
        if (d === '\\' && j + 1 < line.length && '\\"$`\n'.includes(line[j + 1]!)) {
          if (line[j + 1] !== '\n') word += line[j + 1]; // backslash-newline continues the line
          j += 2;
          continue;
        }
        word += d;
        j++;
      }
      inWord = true;
      i = j + 1;
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= line.length) throw new LockstepError('INVALID_INPUT', 'the command ends with a lone backslash; remove it or escape it as \\\\');
      if (line[i + 1] !== '\n') {
        word += line[i + 1];
        inWord = true;
      }
      i += 2;
      continue;
    }
    const op = OPERATORS.find((o) => line.startsWith(o, i));
    if (op) {
      endWord();
      tokens.push({ op });
      i += op.length;
      continue;
    }
    word += c;
    inWord = true;
    i++;
  }
  endWord();
  return tokens;
}

/** argv of a command line run without a shell: any shell operator is COMMAND_NOT_ALLOWED. */
export function parseArgv(line: string): string[] {
  const tokens = tokenize(line);
  const op = tokens.find((t): t is { op: string } => 'op' in t);
  if (op) {
    const shown = op.op === '\n' ? 'a newline' : `"${op.op}"`;
    throw new LockstepError('COMMAND_NOT_ALLOWED', `${shown} is a shell operator and commands run without a shell here; run one program per command_run call (quote the character if it is an argument)`, { operator: op.op });
  }
  const argv = tokens.map((t) => (t as { word: string }).word);
  if (argv.length === 0) throw new LockstepError('INVALID_INPUT', 'the command is empty; give a program and its arguments');
  return argv;
}

// ---- running ----

export interface RunLimits {
  cwd?: string;
  timeoutMs?: number;
  maxOutputBytes?: number;
  env?: Record<string, string>;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** Everything each stream wrote, kept or not. */
  stdoutBytes: number;
  stderrBytes: number;
}

/** The executable a program name means: a path as it is, a bare name on the server's own PATH (an agent's env cannot redirect it). */
export function findProgram(name: string): string | undefined {
  const executable = (candidate: string) => {
    const st = fs.statSync(candidate, { throwIfNoEntry: false });
    if (!st?.isFile()) return false;
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return true;
    } catch (err) {
      // Not executable by us: keep looking further down PATH, as a shell does.
      if ((err as NodeJS.ErrnoException).code !== 'EACCES') throw err;
      return false;
    }
  };
  if (name.includes('/')) return executable(name) ? name : undefined;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir !== '' && executable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

function whichOnServerPath(name: string): string {
  const found = findProgram(name);
  if (found === undefined) throw new LockstepError('COMMAND_FAILED_TO_START', `${name} was not found on the server's PATH; install it (tool_install) or check the name`, { command: name });
  return found;
}

/**
 * Allowlist entries: `git` allows the program with any arguments; `git status` (a program and its
 * first arguments) allows only argv that starts with those words. `git` alone cannot stop
 * `git -c alias.x=!cmd x`: list the subcommands you mean (`git status,git diff`).
 */
function allowedBy(ws: HostConfig, argv: string[]): string | undefined {
  return ws.commandAllow.find((entry) => {
    const words = entry.split(/\s+/).filter((w) => w !== '');
    return words.length > 0 && words.length <= argv.length && words.every((w, i) => argv[i] === w);
  });
}

/** COMMAND_NOT_ALLOWED unless `argv` is allowed by an entry of --command-allow (also used by launch_implementer). */
export function checkAllowlisted(ws: HostConfig, argv: string[]): void {
  // Exact words: listing `git` allows the bare name (found on the server's PATH), not ./git or
  // /tmp/x/git, which are other files; a path is allowed only when listed as that path.
  if (allowedBy(ws, argv) === undefined) {
    throw new LockstepError('COMMAND_NOT_ALLOWED', `${argv.slice(0, 2).join(' ')} is not in this server's command allowlist (${ws.commandAllow.join(', ') || 'empty'}); use an allowed program or ask whoever runs the server to add it (--command-allow)`, {
      command: argv[0],
      allowed: ws.commandAllow,
    });
  }
}

/**
 * Variables that make an allowed program load code or run another program: git's config, hooks
 * and helpers (GIT_CONFIG_*, GIT_SSH_COMMAND, GIT_DIR to a repository with hooks), shells' startup
 * files, pagers and editors, interpreters' preload options, the dynamic loader, PATH.
 */
const RUNS_OTHER_PROGRAMS = [
  /^GIT_(?!(AUTHOR|COMMITTER)_(NAME|EMAIL|DATE)$|TERMINAL_PROMPT$|TRACE$|FLUSH$)/,
  /^(LD|DYLD)_/,
  /^(BASH_ENV|ENV|SHELL|SHELLOPTS|BASHOPTS|PS4|PROMPT_COMMAND|IFS|CDPATH)$/,
  /^(PAGER|EDITOR|VISUAL|MANPAGER|LESS|LESSOPEN|LESSCLOSE|BROWSER|SSH_ASKPASS|SUDO_ASKPASS|TERMINFO)$/,
  /^(NODE_OPTIONS|NODE_PATH|NODE_REPL_EXTERNAL_MODULE|PYTHONSTARTUP|PYTHONPATH|PYTHONHOME|PERL5OPT|PERL5LIB|PERLLIB|RUBYOPT|RUBYLIB)$/,
  /^npm_config_/i,
  /^(YARN|PNPM|BUN)_/,
  /^PATH$/,
  /^HOME$|^XDG_CONFIG_HOME$/,
];

/** In allowlist mode: the argv must be allowlisted, the env must not redirect it, argv[0] is resolved on the server's PATH. */
function allowedProgram(ws: HostConfig, argv: string[], env: Record<string, string>): string {
  checkAllowlisted(ws, argv);
  const risky = Object.keys(env).find((k) => RUNS_OTHER_PROGRAMS.some((re) => re.test(k)));
  if (risky) {
    throw new LockstepError('COMMAND_NOT_ALLOWED', `env ${risky} is not allowed in allowlist mode (it can make ${argv[0]} run other programs); drop it`, { env: risky });
  }
  const program = argv[0]!;
  return program.includes('/') ? program : whichOnServerPath(program);
}

/**
 * The environment a command runs with: the server's, without its role codes (LOCKSTEP_ROLE_CODE_*)
 * or the variables named in LOCKSTEP_SECRET_ENV (comma-separated names; `PREFIX_*` for a prefix).
 */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const secret = (process.env.LOCKSTEP_SECRET_ENV ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const hidden = (k: string) => k.startsWith('LOCKSTEP_ROLE_CODE_') || secret.some((s) => (s.endsWith('*') ? k.startsWith(s.slice(0, -1)) : k === s));
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!hidden(k)) env[k] = v;
  for (const [k, v] of Object.entries(extra)) if (!hidden(k)) env[k] = v;
  return env;
}

function limits(l: RunLimits): { timeoutMs: number; cap: number } {
  const timeoutMs = l.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cap = l.maxOutputBytes ?? DEFAULT_OUTPUT_BYTES;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new LockstepError('INVALID_INPUT', `timeoutMs must be a whole number from 1 to ${MAX_TIMEOUT_MS} (10 minutes)`, { timeoutMs });
  }
  if (!Number.isInteger(cap) || cap < 0 || cap > MAX_OUTPUT_BYTES) {
    throw new LockstepError('INVALID_INPUT', `maxOutputBytes must be a whole number from 0 to ${MAX_OUTPUT_BYTES} (8 MiB)`, { maxOutputBytes: cap });
  }
  return { timeoutMs, cap: Math.min(cap, OUTPUT_KEPT_BYTES) };
}

function checkNul(values: string[]): void {
  if (values.some((v) => v.includes('\0'))) throw new LockstepError('INVALID_INPUT', 'arguments and env values cannot contain NUL bytes');
}

function resolveCwd(ws: HostConfig, cwd: string | undefined): string {
  const real = resolvePath(ws, cwd ?? '.');
  const st = fs.statSync(real, { throwIfNoEntry: false });
  if (!st) throw new LockstepError('FILE_NOT_FOUND', `cwd ${cwd} does not exist; give an existing folder`, { cwd });
  if (!st.isDirectory()) throw new LockstepError('INVALID_INPUT', `cwd ${cwd} is not a folder`, { cwd });
  return real;
}

/** Collects a stream up to a cap; beyond it reads on (so the process never blocks) and discards. */
class Capped {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  seen = 0;
  constructor(private readonly cap: number) {}
  push(chunk: Buffer): void {
    this.seen += chunk.length;
    const room = this.cap - this.size;
    if (chunk.length > room) this.truncated = true;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(kept);
    this.size += kept.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Process groups still running, killed if the server exits first. */
const running = new Set<number>();
process.on('exit', () => {
  for (const pid of running) killGroup(pid, 'SIGKILL');
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    // ESRCH: the group is already gone, which is what we wanted.
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Run one program in its own process group; resolves when it is done (or killed), never rejects for a non-zero exit. */
function spawnCapped(file: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; cap: number; signal?: AbortSignal }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const out = new Capped(opts.cap);
    const err = new Capped(opts.cap);
    let timedOut = false;
    let exited: { code: number | null; signal: string | null } | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    // detached: a new process group, so a timeout kills the command and everything it started.
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    const stop = () => {
      if (pid === undefined || exited) return;
      killGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      if (exited) return;
      timedOut = true;
      stop();
    }, opts.timeoutMs);
    const onAbort = () => stop();
    opts.signal?.addEventListener('abort', onAbort);
    const cleanup = () => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (pid !== undefined) running.delete(pid);
    };
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e: NodeJS.ErrnoException) => {
      cleanup();
      const why = e.code === 'ENOENT' ? 'not found' : e.code === 'EACCES' ? 'not executable' : (e.code ?? e.message);
      reject(new LockstepError('COMMAND_FAILED_TO_START', `could not start ${file} (${why}); check the program name, or install it with tool_install`, { command: file, errno: e.code }));
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      // A background child may still hold the pipes open: do not wait for it forever.
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, DRAIN_MS);
    });
    child.on('close', (code, signal) => {
      cleanup();
      const end = exited ?? { code, signal };
      resolve({
        stdout: out.text(),
        stderr: err.text(),
        exitCode: end.code,
        signal: end.signal,
        timedOut,
        stdoutTruncated: out.truncated,
        stderrTruncated: err.truncated,
        stdoutBytes: out.seen,
        stderrBytes: err.seen,
      });
    });
  });
}

export interface CommandInput extends RunLimits {
  /** A command line; in open mode it runs through /bin/sh -c, in allowlist mode it is split into argv. */
  command?: string;
  /** argv, run without a shell in both modes. */
  args?: string[];
}

/** command_run: exactly one of `command` or `args`. */
export async function runCommand(ws: HostConfig, input: CommandInput, signal?: AbortSignal): Promise<RunResult> {
  if ((input.command === undefined) === (input.args === undefined)) {
    throw new LockstepError('INVALID_INPUT', 'give exactly one of command (a string) or args (an argv array)');
  }
  const { timeoutMs, cap } = limits(input);
  const env = input.env ?? {};
  checkNul([...(input.args ?? []), ...(input.command === undefined ? [] : [input.command]), ...Object.keys(env), ...Object.values(env)]);
  const cwd = resolveCwd(ws, input.cwd);
  let argv: string[];
  if (ws.commandMode === 'allowlist') {
    argv = input.args ?? parseArgv(input.command!);
    if (argv.length === 0 || argv[0] === '') throw new LockstepError('INVALID_INPUT', 'args is empty; give a program and its arguments');
    argv = [allowedProgram(ws, argv, env), ...argv.slice(1)];
  } else if (input.command !== undefined) {
    if (input.command.trim() === '') throw new LockstepError('INVALID_INPUT', 'the command is empty; give a program and its arguments');
    argv = ['/bin/sh', '-c', input.command];
  } else {
    argv = input.args!;
    if (argv.length === 0 || argv[0] === '') throw new LockstepError('INVALID_INPUT', 'args is empty; give a program and its arguments');
  }
  return spawnCapped(argv[0]!, argv.slice(1), { cwd, env: childEnv({ PWD: cwd, ...env }), timeoutMs, cap, signal });
}

export interface InstallInput extends RunLimits {
  manager: PackageManager;
  args: string[];
}

/** tool_install: the package manager with its arguments as argv, never joined into a shell string. */
export async function installTool(ws: HostConfig, input: InstallInput, signal?: AbortSignal): Promise<RunResult> {
  if (!(PACKAGE_MANAGERS as readonly string[]).includes(input.manager)) {
    throw new LockstepError('INVALID_INPUT', `manager must be one of ${PACKAGE_MANAGERS.join(', ')}`, { manager: input.manager });
  }
  return runCommand(ws, { args: [input.manager, ...input.args], cwd: input.cwd, timeoutMs: input.timeoutMs, maxOutputBytes: input.maxOutputBytes, env: input.env }, signal);
}
