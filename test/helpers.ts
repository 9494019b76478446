// Test helpers: real git repositories in temp dirs, the git CLI, the lockstep CLI, and MCP agents.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import assert from 'node:assert/strict';
import { AgentClient, CLI_PATH, ToolError, type AgentClientOptions } from '../src/client/agent-client.js';
import { ensureBuilt } from './build.js';

// Servers and the CLI run from dist/: never test an old build (a single file run skips `npm run build`).
ensureBuilt();

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trimEnd();
}

/** A fresh repository with one commit on main (unless bare is asked for). */
export function makeRepo(opts: { commit?: boolean } = {}): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-test-')));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'Test');
  if (opts.commit !== false) {
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'a.ts'), 'export const a = 1;\n');
    fs.writeFileSync(path.join(dir, 'README.md'), '# test\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'initial');
  }
  return dir;
}

export async function agent(repo: string, role?: string, name?: string, extra: Partial<AgentClientOptions> = {}): Promise<AgentClient> {
  const c = await AgentClient.start({ repo, role, agent: name, stderr: 'pipe', ...extra });
  cleanups.push(() => c.close());
  return c;
}

/** An agent already through coordination_init. */
export async function initAgent(repo: string, role: string, name: string, extra: Partial<AgentClientOptions> = {}): Promise<AgentClient> {
  const c = await agent(repo, role, name, extra);
  await c.call('coordination_init', { role });
  return c;
}

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Commands that serve, wait for signals, or take over a terminal run as their own process. */
const OWN_PROCESS = new Set(['server', 'watch', 'demo', 'tmux', 'macos', 'dashboard']);

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('LOCKSTEP_')) delete env[k];
  return env;
}

/** The lockstep CLI as a fresh process (nothing cached from earlier commands), with no LOCKSTEP_* variables. */
export function cliProcess(cwd: string, ...args: string[]): CliRun {
  const r = spawnSync(process.execPath, [CLI_PATH, ...args], { cwd, encoding: 'utf8', env: cleanEnv(), timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let inProcess: { worker: Worker; port: MessagePort } | undefined;

/** The worker that runs commands in-process (one per test file, started on first use). */
function cliWorker(): { worker: Worker; port: MessagePort } {
  if (!inProcess) {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(new URL('./cli-worker.mjs', import.meta.url), {
      workerData: { port: port2, cliPath: pathToFileURL(CLI_PATH).href },
      transferList: [port2],
      env: cleanEnv(),
      execArgv: [],
    });
    worker.unref();
    port1.unref();
    inProcess = { worker, port: port1 };
  }
  return inProcess;
}

/**
 * The lockstep CLI run in `cwd`, with no LOCKSTEP_* variables. The same runCli as the binary; it runs
 * in a worker thread of this test process (a new node per call costs ~0.3 s), except for the
 * commands in OWN_PROCESS, which are spawned.
 */
export function cli(cwd: string, ...args: string[]): CliRun {
  if (OWN_PROCESS.has(args[0] ?? '')) return cliProcess(cwd, ...args);
  const { port } = cliWorker();
  const flag = new SharedArrayBuffer(4);
  port.postMessage({ argv: args, cwd, flag });
  if (Atomics.wait(new Int32Array(flag), 0, 0, 60_000) === 'timed-out') {
    void inProcess?.worker.terminate();
    inProcess = undefined;
    return { status: -1, stdout: '', stderr: `lockstep ${args.join(' ')} did not finish in 60 s` };
  }
  const reply = receiveMessageOnPort(port)?.message as CliRun | undefined;
  assert.ok(reply, 'the CLI worker answered without a result');
  return reply;
}

/** Subjects of the state history, oldest first. */
export function stateSubjects(repo: string): string[] {
  const out = git(repo, 'log', '--reverse', '--format=%s', 'refs/lockstep/state');
  return out ? out.split('\n') : [];
}

export function fsckStrict(repo: string): void {
  git(repo, 'fsck', '--strict', '--no-progress');
}

/** Rewrite one file of the state with plain git plumbing, as a person fixing (or breaking) it would. */
export function gitEditState(repo: string, file: string, content: string | null, message = 'hand edit'): string {
  const index = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'idx-')), 'index');
  const env = { ...process.env, GIT_INDEX_FILE: index };
  const run = (args: string[], input?: string) => execFileSync('git', args, { cwd: repo, env, encoding: 'utf8', input }).trim();
  const tip = run(['rev-parse', 'refs/lockstep/state']);
  run(['read-tree', tip]);
  if (content === null) run(['update-index', '--force-remove', file]);
  else {
    const blob = run(['hash-object', '-w', '--stdin'], content);
    run(['update-index', '--add', '--cacheinfo', `100644,${blob},${file}`]);
  }
  const tree = run(['write-tree']);
  const commit = run(['commit-tree', tree, '-p', tip, '-m', message]);
  run(['update-ref', 'refs/lockstep/state', commit, tip]);
  return commit;
}

/**
 * Put one raw tree entry at `file` in the state (a symlink `120000 blob`, a submodule `160000 commit`,
 * a directory `040000 tree`), or remove it (null), with git ls-tree, mktree, commit-tree and
 * update-ref only, as a person would.
 */
export function gitSetStateEntry(repo: string, file: string, entry: { mode: string; type: string; oid: string } | null, message = 'hand edit'): string {
  const run = (args: string[], input?: string) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', input }).trim();
  const rewrite = (tree: string | null, segments: string[]): string => {
    const [name, ...rest] = segments as [string, ...string[]];
    const lines = tree ? run(['ls-tree', tree]).split('\n').filter(Boolean) : [];
    const kept = lines.filter((l) => l.slice(l.indexOf('\t') + 1) !== name);
    if (rest.length === 0) {
      if (entry) kept.push(`${entry.mode} ${entry.type} ${entry.oid}\t${name}`);
    } else {
      const old = lines.find((l) => l.slice(l.indexOf('\t') + 1) === name && l.split(' ')[1] === 'tree');
      kept.push(`040000 tree ${rewrite(old ? old.split(' ')[2]!.split('\t')[0]! : null, rest)}\t${name}`);
    }
    return run(['mktree'], kept.length ? kept.join('\n') + '\n' : '');
  };
  const tip = run(['rev-parse', 'refs/lockstep/state']);
  const tree = rewrite(run(['rev-parse', `${tip}^{tree}`]), file.split('/'));
  const commit = run(['commit-tree', tree, '-p', tip, '-m', message]);
  run(['update-ref', 'refs/lockstep/state', commit, tip]);
  return commit;
}

/** A blob made with git hash-object (e.g. a symlink's target). */
export function gitBlob(repo: string, content: string): string {
  return execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: repo, encoding: 'utf8', input: content }).trim();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The ToolError a call fails with (assert on its code, never on message text). */
export async function toolError(p: Promise<unknown>): Promise<ToolError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ToolError, String(err));
    return err;
  }
  assert.fail('expected a tool error');
}

export interface DashboardProcess {
  url: string;
  origin: string;
  port: number;
  token: string;
  pid: number;
  stderr: () => string;
  close: () => Promise<void>;
}

/** `lockstep dashboard --port 0` as its own process; resolves once it printed its URL. */
export async function startDashboardProcess(repo: string, ...args: string[]): Promise<DashboardProcess> {
  const child = spawn(process.execPath, [CLI_PATH, 'dashboard', '--port', '0', ...args], { cwd: repo, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the dashboard printed no URL in 15 s: ${err}`)), 15_000);
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('http://'));
      if (line) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    child.once('exit', (code) => reject(new Error(`the dashboard exited (${code}): ${err}`)));
  });
  const u = new URL(url);
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  cleanups.push(close);
  return { url, origin: u.origin, port: Number(u.port), token: u.searchParams.get('token')!, pid: child.pid!, stderr: () => err, close };
}
