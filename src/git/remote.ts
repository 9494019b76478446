// One ref to and from a git remote: a push that is a compare-and-swap on the remote (a lease on the
// value last seen there), a forced fetch into a tracking ref, the remote's URL, fetch refspecs.
// Through the git CLI when it exists, so the user's ssh keys, credential helpers, proxies and
// config just work; without it, http(s) remotes go through isomorphic-git (remote-http.ts) and
// any other remote is GIT_CLI_REQUIRED. Knows nothing of tasks; every transfer is bounded by a
// timeout and never prompts.
import { spawn } from 'node:child_process';
import { LockstepError } from '../errors.js';
import { runGit } from './cli.js';
import { configValues } from './config.js';
import { deleteRefAny, fetchRefHttp, pushRefHttp } from './remote-http.js';
import { compareAndSwapRef } from './refs.js';
import type { GitRepo } from './repo.js';

const ZERO = '0'.repeat(40);
const OID = /^[0-9a-f]{40}$/;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** git with no prompt (a credential prompt would hang a server), killed after `timeoutMs`. */
function gitAsync(repo: GitRepo, args: string[], timeoutMs: number): Promise<Run> {
  // Per call: no auto maintenance after a fetch (ours runs on its own schedule), no commit-graph writes.
  const all = ['-c', 'maintenance.auto=false', '-c', 'fetch.writeCommitGraph=false', ...args];
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout kills the transport helpers too (git-remote-http, ssh),
    // which would otherwise keep the pipes open after git itself is gone.
    const child = spawn('git', all, { cwd: repo.workTree ?? repo.commonDir, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GCM_INTERACTIVE: 'never' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch (err) {
        // ESRCH: the group ended just now; close follows.
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
      resolve({ status: null, stdout, stderr, timedOut });
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err.code === 'ENOENT' ? needGit('syncing with this remote') : err);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, timedOut });
    });
  });
}

let gitCli: boolean | undefined;

/** Whether the git CLI is on PATH; asked once per process (a server's PATH does not change). */
export function hasGitCli(): boolean {
  gitCli ??= runGit(['--version'], process.cwd()) !== null;
  return gitCli;
}

const HTTP_URL = /^https?:\/\//i;

/**
 * How `remote` is reached: `cli`, or without the git CLI `http` (its URL) when it is an http(s)
 * remote; GIT_CLI_REQUIRED for any other (a file path, ssh, git://), which only git can reach.
 */
export function transport(repo: GitRepo, remote: string): { kind: 'cli' } | { kind: 'http'; url: string } {
  if (hasGitCli()) return { kind: 'cli' };
  const url = remoteUrl(repo, remote);
  if (url !== null && HTTP_URL.test(url)) return { kind: 'http', url };
  throw new LockstepError(
    'GIT_CLI_REQUIRED',
    url === null
      ? `there is no git remote named ${remote} (read from the git config: the git CLI is not on PATH)`
      : `remote ${remote} is ${url.slice(0, 200)}: without the git CLI on PATH only http(s) remotes can be reached (through isomorphic-git); install git for file-path, ssh and other remotes`,
    { remote, url, missing: 'git' },
  );
}

function needGit(what: string): LockstepError {
  return new LockstepError('GIT_CLI_REQUIRED', `${what} needs the git CLI on PATH; install git`, { missing: 'git' });
}

function lastLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? ''
  ).slice(0, 300);
}

function unreachable(remote: string, run: Run, timeoutMs: number): LockstepError {
  const why = run.timedOut ? `no answer within ${timeoutMs} ms` : lastLine(run.stderr) || `git exited with ${run.status}`;
  return new LockstepError('REMOTE_UNREACHABLE', `remote ${remote} is unreachable (${why})`, { remote, timeoutMs, timedOut: run.timedOut, detail: lastLine(run.stderr) });
}

export type PushOutcome =
  /** The remote ref now holds the pushed commit. */
  | { kind: 'ok' }
  /** Refused: the remote ref is not what we expected, or another push held its lock (fetch and retry). */
  | { kind: 'stale'; reason: string }
  /** Refused for another reason (a hook, permissions): retrying will not help. */
  | { kind: 'rejected'; reason: string };

/**
 * Push `oid` to `dst` on `remote` only if the remote ref still holds `expected` (null: absent):
 * `--force-with-lease=<dst>:<expected>`, which the remote checks under its own ref lock, so this
 * is a compare-and-swap. `expected` is always an ancestor of `oid` here, so nothing is ever
 * overwritten (no `+`). `--no-verify`: a pre-push hook is for code, not for every state commit.
 * REMOTE_UNREACHABLE when the remote does not answer (within `timeoutMs`).
 */
export async function pushRef(repo: GitRepo, remote: string, oid: string, dst: string, expected: string | null, timeoutMs: number, force = false): Promise<PushOutcome> {
  const via = transport(repo, remote);
  if (via.kind === 'http') return pushRefHttp(repo, remote, via.url, oid, dst, expected, timeoutMs, force);
  const run = await gitAsync(repo, ['push', '--porcelain', '--no-verify', `--force-with-lease=${dst}:${expected ?? ''}`, remote, `${force ? '+' : ''}${oid}:${dst}`], timeoutMs);
  const line = run.stdout.split('\n').find((l) => l.includes(`:${dst}\t`));
  if (!line || run.timedOut) throw unreachable(remote, run, timeoutMs);
  const flag = line[0];
  if (flag === ' ' || flag === '*' || flag === '=' || flag === '+') return { kind: 'ok' };
  const reason = line.split('\t')[2] ?? line;
  // Another pusher holding the remote's ref lock, or a tip that moved: both resolve by fetching.
  if (/stale info|fetch first|non-fast-forward|lock|expected|failed to update ref|already exists/i.test(reason + run.stderr)) return { kind: 'stale', reason };
  return { kind: 'rejected', reason: `${reason} ${lastLine(run.stderr)}`.trim() };
}

export type FetchOutcome = { kind: 'ok'; oid: string } | { kind: 'absent' };

/**
 * Fetch `src` from `remote` into the local `dst` (forced: `dst` mirrors the remote, whatever it
 * did). `absent` when the remote has no such ref (then `dst` is deleted).
 */
export async function fetchRef(repo: GitRepo, remote: string, src: string, dst: string, timeoutMs: number): Promise<FetchOutcome> {
  const via = transport(repo, remote);
  if (via.kind === 'http') {
    const oid = await fetchRefHttp(repo, remote, via.url, src, dst, timeoutMs);
    return oid === null ? { kind: 'absent' } : { kind: 'ok', oid };
  }
  const until = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const run = await gitAsync(repo, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote, `+${src}:${dst}`], Math.max(1, until - Date.now()));
    if (run.status === 0 && !run.timedOut) {
      const oid = runGit(['rev-parse', '--verify', '--quiet', `${dst}^{commit}`], repo.commonDir)?.stdout.trim() ?? '';
      if (!OID.test(oid)) throw new LockstepError('GIT_IO', `fetched ${src} from ${remote} but ${dst} holds no commit`, { remote, ref: dst });
      return { kind: 'ok', oid };
    }
    if (/couldn't find remote ref/i.test(run.stderr)) {
      await deleteRef(repo, dst);
      return { kind: 'absent' };
    }
    // Two local fetches updating the tracking ref at once (git's own lock, or its compare-and-swap
    // seeing the other one's value): the loser retries, jittered, within the same time bound, since
    // the servers of one machine can keep colliding for a while.
    const pause = Math.min(20 + 30 * attempt, 200) * (0.5 + Math.random());
    if (!run.timedOut && /cannot lock ref|unable to create .*\.lock/i.test(run.stderr) && Date.now() + pause < until) {
      await new Promise((r) => setTimeout(r, pause));
      continue;
    }
    throw unreachable(remote, run, timeoutMs);
  }
}

/** Set a local ref other than the state ref (a tracking ref) from `old` (null: absent) to `next`; false when it had moved. */
export async function updateRef(repo: GitRepo, ref: string, next: string, old: string | null): Promise<boolean> {
  if (!hasGitCli()) return compareAndSwapRef(repo, ref, old, next);
  const r = runGit(['update-ref', ref, next, old ?? ZERO], repo.commonDir);
  if (!r) throw needGit('git update-ref');
  return r.status === 0;
}

/** Delete a local ref other than the state ref (a tracking ref), whatever it holds. */
export async function deleteRef(repo: GitRepo, ref: string): Promise<void> {
  if (!hasGitCli()) return deleteRefAny(repo, ref);
  const r = runGit(['update-ref', '-d', ref], repo.commonDir);
  if (r && r.status !== 0) throw new LockstepError('GIT_IO', `git update-ref -d ${ref}: ${lastLine(r.stderr)}`, { ref });
}

/** The remote's URL (`remote.<name>.url`), or null when no such remote is configured; read from the config files without the git CLI (no `insteadOf` rewriting then). */
export function remoteUrl(repo: GitRepo, remote: string): string | null {
  if (!hasGitCli()) return configValues(repo, 'remote', remote, 'url').at(-1) ?? null;
  const r = runGit(['remote', 'get-url', remote], repo.commonDir);
  if (!r) throw needGit('git remote get-url');
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Add `refspec` to `remote.<name>.fetch` unless it is there; true when it was added. */
export function addFetchRefspec(repo: GitRepo, remote: string, refspec: string): boolean {
  const have = runGit(['config', '--get-all', `remote.${remote}.fetch`], repo.commonDir);
  if (!have) throw needGit('adding a fetch refspec (git config)');
  if (have.stdout.split('\n').some((l) => l.trim() === refspec)) return false;
  const r = runGit(['config', '--add', `remote.${remote}.fetch`, refspec], repo.commonDir);
  if (!r || r.status !== 0) throw new LockstepError('GIT_IO', `git config --add remote.${remote}.fetch: ${lastLine(r?.stderr ?? 'no git CLI')}`, { remote });
  return true;
}

/** Set a repository config value (e.g. `lockstep.remote`). */
export function setConfig(repo: GitRepo, key: string, value: string): void {
  const r = runGit(['config', key, value], repo.commonDir);
  if (!r) throw needGit(`git config ${key}`);
  if (r.status !== 0) throw new LockstepError('GIT_IO', `git config ${key}: ${lastLine(r.stderr)}`, { key });
}
