// Composition root: one Lockstep per repository and process. Adapters (mcp/, cli/, dashboard/) reach
// the state, git and the host only through it: call(useCase, input, caller) is the one door.
import type { z } from 'zod';
import { LockstepError } from '../errors.js';
import { checkDepth, REPLY_MAX_BYTES } from '../state/core/limits.js';
import type { Op } from '../state/core/op.js';
import type { ReadCtx } from '../state/core/query.js';
import type { State } from '../state/core/state.js';
import { inspectLock, refLockPath, STALE_LOCK_MS, type LockHolder } from '../git/refs.js';
import { discoverRepo, type GitRepo } from '../git/repo.js';
import { configValue } from '../git/config.js';
import { hostConfig, type HostConfig, type HostFlags } from '../host/files.js';
import type { StateEvent } from '../store/events.js';
import { STATE_REF, Store, type CommitDiff, type StoreOptions } from '../store/store.js';
import type { RemoteStatus, RemoteSync } from '../store/sync.js';
import type { App, Caller, Identity, UseCase, WaitEventsInput, WaitEventsResult, WaitLimits, WaitOptions, WaitResult } from './use-case.js';

/** The state ref, for what adapters print (only store/ writes it); the reply limit the MCP server keeps. */
export { REPLY_MAX_BYTES, STATE_REF };

export interface LockstepOptions extends Omit<StoreOptions, 'remote'> {
  /** Any directory inside the repository (a linked worktree works too). */
  dir: string;
  /**
   * Referee mode: publish every state commit to this git remote before answering (`--remote`).
   * Default: git config `lockstep.remote` (set by `lockstep sync --setup`); null: never.
   */
  remote?: string | null;
  /** How long one push or fetch may take before REMOTE_UNREACHABLE (`--remote-timeout-sec`, 10 s). */
  remoteTimeoutMs?: number;
  /** `--remote-mode` referee (default) or offline; default git config `lockstep.remoteMode`. */
  remoteMode?: string;
  /** Server flags --wait-default-sec / --wait-max-sec (25 / 50). */
  waits?: Partial<WaitLimits>;
  /** Server flags --mode, --roots, --command-mode, --command-allow (INVALID_INPUT when bad). */
  host?: HostFlags;
}

/** Turn a zod failure into INVALID_INPUT naming each bad field (too deep a nesting is refused before zod walks it). */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  checkDepth(raw);
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const text = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  throw new LockstepError('INVALID_INPUT', text.slice(0, 1000), { issues: issues.slice(0, 20) });
}

/** A git remote's name as git takes it (never one that reads as an option). */
function checkRemoteName(name: string): string {
  if (/^[A-Za-z0-9_][A-Za-z0-9._/-]{0,99}$/.test(name) && !name.includes('..')) return name;
  throw new LockstepError('INVALID_INPUT', `"${name.slice(0, 100)}" is not a git remote name (letters, digits, ".", "_", "-", "/")`, { remote: name.slice(0, 100) });
}

/** Blocked calls report progress this often when the client asked for it (keeps client timeouts alive). */
const PROGRESS_EVERY_MS = 5_000;
/** Re-check at least this often even without a ref change: leases and holds expire with time alone. */
const RECHECK_EVERY_MS = 5_000;

const strictInputs = new WeakMap<z.ZodObject, z.ZodObject>();
/** Unknown argument names are refused (a typo must not be silently ignored, seed bug A.4). */
function strict(schema: z.ZodObject): z.ZodObject {
  let s = strictInputs.get(schema);
  if (!s) strictInputs.set(schema, (s = schema.strict()));
  return s;
}

export class Lockstep implements App {
  readonly repo: GitRepo;
  readonly store: Store;
  readonly clock: () => number;
  readonly waits: WaitLimits;
  readonly host: HostConfig;

  constructor(opts: LockstepOptions) {
    this.repo = discoverRepo(opts.dir);
    this.clock = opts.clock ?? Date.now;
    this.waits = { defaultSec: opts.waits?.defaultSec ?? 25, maxSec: opts.waits?.maxSec ?? 50 };
    const { workTree, gitDir, commonDir } = this.repo;
    // A bare repository has no work tree; its git dir is then the root, and is never written.
    this.host = hostConfig({ root: workTree ?? commonDir, gitDirs: [gitDir, commonDir], commonDir }, opts.host ?? {});
    const remote = opts.remote === undefined ? (configValue(this.repo, 'lockstep', 'remote') ?? null) : opts.remote;
    this.remoteName = remote ? checkRemoteName(remote) : null;
    const mode = opts.remoteMode ?? configValue(this.repo, 'lockstep', 'remoteMode') ?? 'referee';
    if (mode !== 'referee' && mode !== 'offline') throw new LockstepError('INVALID_INPUT', `remote mode "${mode.slice(0, 40)}" is neither referee nor offline`, { remoteMode: mode.slice(0, 40) });
    this.store = new Store(this.repo, { ...opts, clock: this.clock, remote: this.remoteName ? { name: this.remoteName, timeoutMs: opts.remoteTimeoutMs, mode } : undefined });
  }

  /** The git remote this repository publishes its state to (referee mode), or null. */
  readonly remoteName: string | null;

  /** The sync with a git remote: the referee one by default. */
  remote(name?: string): RemoteSync {
    const n = name === undefined ? this.remoteName : checkRemoteName(name);
    if (!n) throw new LockstepError('INVALID_INPUT', 'no remote is configured: pass --remote NAME, or run `lockstep sync --setup origin` once', { remote: null });
    return this.store.syncWith(n);
  }

  /**
   * Referee mode, at a server's start: publish what an earlier process left committed here but not
   * pushed (it was killed in between). In the background; a failure is reported on stderr and the
   * next op's push tries again.
   */
  publishLeftovers(): void {
    if (!this.remoteName) return;
    this.store
      .syncWith(this.remoteName)
      .publish()
      .catch((err: unknown) => void process.stderr.write(`lockstep: could not publish to ${this.remoteName} at start: ${(err as Error).message}\n`));
  }

  /** Ids touched by state commits not yet on the remote (empty without one). */
  async unpublishedEntities(): Promise<Set<string>> {
    return this.store.remote ? this.store.remote.unpublishedEntities() : new Set();
  }

  /** What the referee remote looks like from here (for status and doctor), or null without one. */
  async remoteStatus(): Promise<RemoteStatus | null> {
    return this.remoteName ? this.store.syncWith(this.remoteName).status() : null;
  }

  /** The one door: validate the input (unknown fields refused) and run the use case for the caller. */
  async call<S extends z.ZodObject, R>(useCase: UseCase<S, R>, rawInput: unknown, caller: Caller): Promise<R> {
    const input = parseInput(strict(useCase.input), rawInput) as z.output<S>;
    const result = await useCase.run(this, input, caller);
    // Offline mode: the caller's earlier provisional ops that failed on the remote's state, told once.
    const conflicts = await this.store.takeConflicts(caller.who.agent);
    if (conflicts.length === 0 || typeof result !== 'object' || result === null || Array.isArray(result)) return result;
    return { ...result, conflicts } as R;
  }

  /** Validate input and run the op as one state commit (tests and scripts; adapters use call). */
  run<S extends z.ZodType, R>(op: Op<S, R>, rawInput: unknown, who: Identity): Promise<R> {
    return this.transact(op, parseInput(op.input, rawInput), who);
  }

  async transact<S extends z.ZodType, R>(op: Op<S, R>, input: z.output<S>, who: Identity): Promise<R> {
    const out = await this.store.transact(op, input, { actor: who.agent, role: who.role });
    // Offline mode: done here, not yet on the remote; the caller should know.
    if (out.provisional && typeof out.result === 'object' && out.result !== null && !Array.isArray(out.result)) return { ...out.result, provisional: true } as R;
    return out.result;
  }

  /** Run a pure query against the current state. */
  async read<R>(query: (state: State, ctx: ReadCtx) => R, who?: Identity): Promise<R> {
    const snap = await this.store.snapshot();
    snap.state.meta(); // FORMAT_TOO_NEW before anything else
    const result = query(snap.state, { now: this.clock(), workTree: this.repo.workTree, tip: snap.tip, actor: who?.agent ?? 'human', role: who?.role ?? 'all' });
    this.store.noteRead();
    return result;
  }

  /**
   * Events after `cursor` (default: now), waiting up to the timeout for the first one. Wakes on ref
   * change, not on a timer. The returned cursor covers everything read, filtered or not.
   */
  async waitEvents(input: WaitEventsInput): Promise<WaitEventsResult> {
    const start = Date.now();
    let cursor = input.cursor ?? this.store.tip();
    for (;;) {
      const { events, tip } = await this.store.eventsSince(cursor);
      const kept = events.filter(input.keep);
      if (kept.length > 0) {
        const page = kept.slice(0, input.limit);
        const hasMore = kept.length > input.limit;
        return { events: page, cursor: hasMore ? page[page.length - 1]!.cursor : tip, timedOut: false, hasMore };
      }
      cursor = tip;
      const left = input.timeoutMs - (Date.now() - start);
      if (left <= 0 || input.signal?.aborted) return { events: [], cursor, timedOut: true, hasMore: false };
      const slice = input.onProgress ? Math.min(left, PROGRESS_EVERY_MS) : left;
      await this.store.waitForChange(cursor, slice, input.signal);
      const waited = Date.now() - start;
      if (waited < input.timeoutMs) input.onProgress?.(waited);
    }
  }

  /**
   * The blocking primitive behind every wait (DESIGN 6): call `attempt` (a read, or an op that
   * claims something) until it returns a value, waking on ref change, capped by the timeout.
   * A timeout is a result, not an error.
   */
  async waitUntil<T>(attempt: () => Promise<T | undefined>, opts: WaitOptions): Promise<WaitResult<T>> {
    const start = Date.now();
    for (;;) {
      const seen = this.store.tip();
      const value = await attempt();
      if (value !== undefined) return { value, timedOut: false, cursor: this.store.tip() };
      const left = opts.timeoutMs - (Date.now() - start);
      if (left <= 0 || opts.signal?.aborted) return { value: undefined, timedOut: true, cursor: seen };
      const due = opts.retryAt?.();
      const untilDue = due === undefined ? RECHECK_EVERY_MS : Math.max(1, due - this.clock());
      await this.store.waitForChange(seen, Math.min(left, RECHECK_EVERY_MS, untilDue), opts.signal);
      const waited = Date.now() - start;
      if (waited < opts.timeoutMs) opts.onProgress?.(waited);
    }
  }

  /**
   * A pure query of the state as it was at one state commit (the dashboard's time slider), with
   * that commit's own time as "now", so leases and claims read as they did then.
   */
  async readAt<R>(commit: string, query: (state: State, ctx: ReadCtx) => R, who?: Identity): Promise<R> {
    const { snap, event } = await this.store.historySnapshot(commit);
    return query(snap.state, { now: Date.parse(event.at), workTree: this.repo.workTree, tip: commit, actor: who?.agent ?? 'human', role: who?.role ?? 'all' });
  }

  /** Resolve with the tip once the state ref moves away from `since` (or at the timeout or abort). */
  waitForTip(since: string | null, timeoutMs: number, signal?: AbortSignal): Promise<string | null> {
    return this.store.waitForChange(since, timeoutMs, signal);
  }

  /** What one state commit changed, file by file. */
  commitDiff(commit: string): Promise<CommitDiff> {
    return this.store.commitDiff(commit);
  }

  /** The state ref's commit, or null before the first write. */
  tip(): string | null {
    return this.store.tip();
  }

  /** Who holds the state ref's lock right now, and whether it is stale (for status and doctor). */
  stateLock(): LockHolder | null {
    return inspectLock(refLockPath(this.repo, STATE_REF), STALE_LOCK_MS);
  }

  /** The newest state events matching `keep`, newest first; with `before`, those older than that commit. */
  history(limit: number, keep: (e: StateEvent) => boolean, before?: string): Promise<StateEvent[]> {
    return this.store.recentEvents(limit, keep, before);
  }

  close(): void {
    this.store.close();
  }
}
