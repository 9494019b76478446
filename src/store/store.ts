// The store: the ONLY writer of refs/lockstep/state. transact = lock the ref, refresh the snapshot,
// run the pure op, write blobs/trees/commit, swap the ref (DESIGN 3); with a remote, then publish
// the commit there (sync.ts) before answering. Also events and waiting.
import crypto from 'node:crypto';
import path from 'node:path';
import type { z } from 'zod';
import { LockstepError, type ErrorCode } from '../errors.js';
import type { Op } from '../state/core/op.js';
import { ops } from '../state/ops/index.js';
import type { Ctx } from '../state/core/ctx.js';
import { fsyncComponents } from '../git/config.js';
import { startAutoGc } from '../git/maintenance.js';
import { ObjectStore } from '../git/objects.js';
import { dropSpareLocks, lockRef, readRef, type RefLock } from '../git/refs.js';
import type { GitRepo } from '../git/repo.js';
import { applyOp, lockWords, type Who } from './commit.js';
import { eventsSince, readEvent, recentEvents, type StateEvent } from './events.js';
import { loadSavedSnapshot, saveSnapshot } from './persist.js';
import { freshFiles, loadSnapshot, Snapshot, type DirNode } from './snapshot.js';
import { RemoteSync, SAME_RESULT, type RemoteOptions, type SyncHost } from './sync.js';
import { RefWatcher } from './watch.js';

export type { Who } from './commit.js';

export const STATE_REF = 'refs/lockstep/state';

export interface StoreOptions {
  clock?: () => number;
  lockTimeoutMs?: number;
  staleLockMs?: number;
  /**
   * fsync the new ref value before renaming it into place. Default: as git does for this
   * repository (`core.fsync` naming `reference`; git's own default does not).
   */
  fsync?: boolean;
  /** Keep a persisted snapshot under the git dir for fast cold starts (default true). */
  persist?: boolean;
  /** Run `git gc --auto` after this many commits by this process (default 1000; 0 = never). */
  gcEvery?: number;
  /** Referee mode: every commit is pushed to this git remote before its op answers. */
  remote?: RemoteOptions;
  /** A long-lived writer (a server): make object files ahead of the commits that fill them. */
  spareFiles?: boolean;
}

export interface TransactResult<R> {
  result: R;
  /** The new state commit, or null when the op changed nothing. */
  commit: string | null;
  tip: string | null;
  /** Offline mode: committed here while the remote was unreachable; published by a later sync. */
  provisional?: boolean;
}

/** An op committed offline that failed when re-run on the remote's state, for its agent's next call. */
export interface Conflict {
  op: string;
  opId: string;
  error: { code: string; message: string; data?: Record<string, unknown> };
}

const PERSIST_AFTER_FILES = 500;
/** How often a blocked call fetches the referee remote for other machines' commits. */
export const REMOTE_POLL_MS = 2_000;
/** Offline mode: after the remote was unreachable, ops commit here without trying it for this long; the background sync retries this often. */
const OFFLINE_RETRY_MS = 2_000;

/** Failures of the machinery, not of the op: refetching the remote state would not change them. */
const NOT_STALENESS = new Set<ErrorCode>([
  'STATE_LOCK_TIMEOUT', 'STATE_LOCK_INVALID', 'STATE_LOCK_LOST', 'OBJECT_MISSING', 'OBJECT_CORRUPT', 'REF_INVALID', 'GIT_IO', 'FORMAT_TOO_NEW',
  'STATE_CORRUPT', 'INPUT_TOO_LARGE', 'INTERNAL', 'REMOTE_UNREACHABLE', 'REMOTE_DIVERGED', 'REMOTE_REJECTED', 'REPLAY_UNSUPPORTED', 'IDENTITY_MISMATCH',
]);
/** The remote's answers that leave an op unpublished: its caller is told it failed, so it is taken back. */
const UNPUBLISHED = new Set<ErrorCode>(['REMOTE_UNREACHABLE', 'REMOTE_DIVERGED', 'REMOTE_REJECTED']);

export interface CommitDiff {
  commit: string;
  parent: string | null;
  event: StateEvent;
  files: { path: string; change: 'added' | 'removed' | 'modified'; before?: string; after?: string }[];
  truncated: boolean;
}

/** Files that differ between two trees, skipping equal subtrees by oid; blob oids on each side. */
function diffDirs(a: DirNode | undefined, b: DirNode | undefined, prefix: string, out: { path: string; before?: string; after?: string }[], max: number): void {
  if (a?.oid === b?.oid || out.length >= max) return;
  const names = new Set([...(a?.entries.keys() ?? []), ...(b?.entries.keys() ?? [])]);
  for (const name of [...names].sort()) {
    const x = a?.entries.get(name);
    const y = b?.entries.get(name);
    if (x?.oid === y?.oid) continue;
    const p = prefix + name;
    if (x?.kind === 'dir' || y?.kind === 'dir') diffDirs(x?.kind === 'dir' ? x : undefined, y?.kind === 'dir' ? y : undefined, `${p}/`, out, max);
    const xf = x?.kind === 'file' ? x.oid : undefined;
    const yf = y?.kind === 'file' ? y.oid : undefined;
    if (xf !== undefined || yf !== undefined) out.push({ path: p, before: xf, after: yf });
  }
}

export class Store {
  readonly objects: ObjectStore;
  readonly watcher: RefWatcher;
  private current: Snapshot | undefined;
  private savedLoaded = false;
  private queue: Promise<unknown> = Promise.resolve();
  private commitsSinceGc = 0;
  private freshAtSave = 0;
  private persistTimer: NodeJS.Timeout | undefined;
  private readonly clock: () => number;
  private readonly fsync: boolean;
  /** The remote this store publishes to (referee mode), if any. */
  readonly remote: RemoteSync | undefined;

  constructor(
    readonly repo: GitRepo,
    private readonly opts: StoreOptions = {},
  ) {
    this.objects = new ObjectStore(repo, { spares: opts.spareFiles ?? false });
    this.clock = opts.clock ?? Date.now;
    this.fsync = opts.fsync ?? fsyncComponents(repo).has('reference');
    this.watcher = new RefWatcher(path.join(repo.commonDir, 'refs', 'lockstep'), repo.commonDir, () => this.tip());
    this.syncHost = {
      repo,
      objects: this.objects,
      stateRef: STATE_REF,
      tip: () => this.tip(),
      lock: () => this.lock(),
      snapshotAt: (tip) => this.snapshotOf(tip),
      adopt: (snap) => void (this.current = snap),
    };
    if (opts.remote) this.remote = new RemoteSync(this.syncHost, opts.remote);
  }

  private readonly syncHost: SyncHost;

  /** The sync with `name` (the referee remote when it is that one): for `lockstep sync` and status. */
  syncWith(name: string, timeoutMs?: number): RemoteSync {
    if (this.remote?.name === name) return this.remote;
    return new RemoteSync(this.syncHost, { name, timeoutMs: timeoutMs ?? this.opts.remote?.timeoutMs });
  }

  private lock(): Promise<RefLock> {
    return lockRef(this.repo, STATE_REF, { timeoutMs: this.opts.lockTimeoutMs, staleMs: this.opts.staleLockMs, fsync: this.fsync });
  }

  /** The snapshot at any commit, reusing the cached one's unchanged parts, without replacing it. */
  private async snapshotOf(tip: string | null): Promise<Snapshot> {
    if (this.current?.tip === tip) return this.current;
    return loadSnapshot(this.objects, tip, this.current?.root);
  }

  /** The state ref's current commit (one small file read). */
  tip(): string | null {
    return readRef(this.repo, STATE_REF);
  }

  /** The snapshot at the current tip, reusing the cached one while the ref is unchanged. */
  snapshot(): Promise<Snapshot> {
    return this.snapshotAt(this.tip());
  }

  private async snapshotAt(tip: string | null): Promise<Snapshot> {
    if (this.current && this.current.tip === tip) return this.current;
    let prev = this.current?.root;
    if (!prev && !this.savedLoaded && this.opts.persist !== false) {
      this.savedLoaded = true;
      prev = loadSavedSnapshot(this.repo);
      this.freshAtSave = freshFiles.count;
    }
    const snap = await loadSnapshot(this.objects, tip, prev);
    this.current = snap;
    return snap;
  }

  /**
   * Run one op as one commit. Serialised within the process; the ref lock serialises processes.
   * With a remote, the answer waits until the commit is on the remote (re-run on its tip when
   * another machine got there first: then the re-run's answer, or its error, is the op's).
   */
  async transact<S extends z.ZodType, R>(op: Op<S, R>, input: z.output<S>, who: Who): Promise<TransactResult<R>> {
    const remote = this.remote;
    if (!remote) return this.transactQueued(op, input, who);
    remote.checkWritable();
    let out: TransactResult<R> & { opId?: string };
    try {
      out = await this.transactQueued(op, input, who);
    } catch (err) {
      // Refused on what this machine knows: the remote may know better (a task created elsewhere).
      if (!(err instanceof LockstepError) || NOT_STALENESS.has(err.code)) throw err;
      if (remote.mode === 'offline' && Date.now() < this.offlineUntil) throw err;
      let moved: boolean;
      try {
        moved = await remote.refresh();
      } catch (refreshErr) {
        // Offline mode works from what this machine knows while the remote is away; referee mode cannot confirm the refusal.
        if (remote.mode === 'offline' && refreshErr instanceof LockstepError && refreshErr.code === 'REMOTE_UNREACHABLE') {
          this.offlineUntil = Date.now() + OFFLINE_RETRY_MS;
          throw err;
        }
        throw refreshErr;
      }
      if (!moved) throw err;
      out = await this.transactQueued(op, input, who);
    }
    if (out.commit === null || out.opId === undefined) return out;
    if (remote.mode === 'offline' && Date.now() < this.offlineUntil) return this.provisionally(out, op.name, who);
    let published;
    try {
      published = await remote.publish(out.opId, out.commit);
    } catch (err) {
      if (remote.mode === 'offline' && err instanceof LockstepError && err.code === 'REMOTE_UNREACHABLE') {
        this.offlineUntil = Date.now() + OFFLINE_RETRY_MS;
        return this.provisionally(out, op.name, who);
      }
      if (err instanceof LockstepError && UNPUBLISHED.has(err.code)) {
        const withdrawn = await remote.withdraw(out.opId, err);
        throw new LockstepError(err.code, `${err.message}${withdrawn ? '; nothing was done' : '; the op stays committed here and is published by the next sync'}`, { ...err.data, withdrawn });
      }
      throw err;
    }
    if (!published) return out;
    if (!published.ok) throw new LockstepError(published.error.code as ErrorCode, published.error.message, published.error.data);
    if (published.result === SAME_RESULT) return out;
    // Re-run on the remote's tip (here or by another process of this machine): that run's answer.
    return { result: published.result as R, commit: published.commit, tip: this.tip() };
  }

  private readonly provisional = new Map<string, { op: string; agent: string }>();
  private offlineUntil = 0;
  private background: NodeJS.Timeout | undefined;
  private backgroundRun: Promise<void> | undefined;

  /** Offline mode: the op stays committed here, answered as provisional; the background sync publishes it. */
  private provisionally<R>(out: TransactResult<R> & { opId?: string }, opName: string, who: Who): TransactResult<R> {
    this.provisional.set(out.opId!, { op: opName, agent: who.actor });
    this.startBackgroundSync();
    return { ...out, provisional: true };
  }

  private startBackgroundSync(): void {
    if (this.background || !this.remote) return;
    this.background = setInterval(() => {
      this.backgroundRun ??= this.syncInBackground().finally(() => (this.backgroundRun = undefined));
    }, OFFLINE_RETRY_MS);
    this.background.unref();
  }

  /**
   * Publish what was committed offline, and keep fetching (so this machine converges on what the
   * others publish). Ops that fail on the remote's state are recorded there as
   * conflicts (a system note: who, what, why); their agents are told on their next call.
   */
  private async syncInBackground(): Promise<void> {
    const remote = this.remote!;
    try {
      const report = await remote.sync();
      this.offlineUntil = 0;
      for (const f of report.failed) {
        if (!f.opId) continue; // a commit without an op: REPLAY_UNSUPPORTED stops the sync before this
        await this.transact(ops.syncConflict, { agent: f.actor, op: f.op, opId: f.opId, input: f.input ?? '{}', error: { code: f.error.code, message: f.error.message.slice(0, 1_000) }, task: f.task }, { actor: 'system', role: 'all' });
      }
    } catch (err) {
      if (err instanceof LockstepError && err.code === 'REMOTE_UNREACHABLE') return; // still away: the next tick tries again
      process.stderr.write(`lockstep: background sync with ${remote.name} failed: ${(err as Error).message}\n`);
    }
  }

  /**
   * The agent's ops committed offline that have since failed on the remote's state (each told
   * once); ops found published are forgotten.
   */
  async takeConflicts(agent: string): Promise<Conflict[]> {
    if (!this.remote || this.provisional.size === 0) return [];
    const out: Conflict[] = [];
    for (const [opId, p] of this.provisional) {
      if (p.agent !== agent) continue;
      const s = await this.remote.provisionalState(opId);
      if (s.state === 'pending') continue;
      this.provisional.delete(opId);
      if (s.state === 'failed') out.push({ op: p.op, opId, error: s.error });
    }
    return out;
  }

  private transactQueued<S extends z.ZodType, R>(op: Op<S, R>, input: z.output<S>, who: Who): Promise<TransactResult<R> & { opId?: string }> {
    const run = this.queue.then(
      () => this.transactNow(op, input, who),
      () => this.transactNow(op, input, who),
    );
    // The queue only orders transactions; each caller still gets its own result or error from `run`.
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async transactNow<S extends z.ZodType, R>(op: Op<S, R>, input: z.output<S>, who: Who): Promise<TransactResult<R> & { opId?: string }> {
    await this.snapshot(); // refresh outside the lock, so inside it only the last few commits are read
    for (let attempt = 0; ; attempt++) {
      const lock = await this.lock();
      try {
        for (const r of lock.recovered) {
          process.stderr.write(`lockstep: recovered a stale ${STATE_REF}.lock (${lockWords(r)})\n`);
        }
        const tip = lock.current();
        const snap = await this.snapshotAt(tip);
        const ctx: Ctx = { actor: who.actor, role: who.role, now: this.clock(), entropy: crypto.randomBytes(8).toString('hex'), workTree: this.repo.workTree };
        const out = applyOp(this.objects, snap, op as Op<never, R>, input, who, ctx, lock.recovered);
        if (out.commit === null) return { result: out.result, commit: null, tip };
        const commit = out.commit;
        lock.commit(commit);
        this.current = out.snapshot;
        this.afterCommit();
        return { result: out.result, commit, tip: commit, opId: ctx.entropy };
      } catch (err) {
        if (err instanceof LockstepError && err.code === 'STATE_LOCK_LOST' && attempt < 3) continue;
        throw err;
      } finally {
        lock.release();
      }
    }
  }

  private afterCommit(): void {
    this.objects.refillSpares();
    const gcEvery = this.opts.gcEvery ?? 1000;
    if (gcEvery > 0 && ++this.commitsSinceGc >= gcEvery) {
      this.commitsSinceGc = 0;
      startAutoGc(this.repo);
    }
    this.schedulePersist();
  }

  /** Save the decoded tree once a cold start would otherwise have to parse many files again. */
  private schedulePersist(): void {
    if (this.opts.persist === false || this.persistTimer) return;
    if (freshFiles.count - this.freshAtSave < PERSIST_AFTER_FILES) return;
    this.persistTimer = setTimeout(() => this.persistNow(), 2000);
    this.persistTimer.unref();
  }

  private persistNow(): void {
    this.persistTimer = undefined;
    if (!this.current) return;
    this.freshAtSave = freshFiles.count;
    try {
      saveSnapshot(this.repo, this.current.root);
    } catch (err) {
      // The cache only speeds up cold starts; the state is in git. Say why, and keep serving.
      process.stderr.write(`lockstep: could not save the snapshot cache: ${(err as Error).message}\n`);
    }
  }

  /** Reads call this after querying, so expensive cold loads are saved too. */
  noteRead(): void {
    this.schedulePersist();
  }

  async eventsSince(cursor: string | null): Promise<{ events: StateEvent[]; tip: string | null }> {
    const tip = this.tip();
    if (cursor !== null && cursor !== tip) {
      try {
        await this.objects.readAs(cursor, 'commit');
      } catch (err) {
        if (err instanceof LockstepError && (err.code === 'OBJECT_MISSING' || err.code === 'OBJECT_CORRUPT')) {
          throw new LockstepError('CURSOR_UNKNOWN', `cursor ${cursor} is not a state commit here; call again without a cursor`, { cursor });
        }
        throw err;
      }
    }
    return { events: await eventsSince(this.objects, tip, cursor), tip };
  }

  /** Newest first from the tip, or from the parent of `before` (a state commit) for older pages. */
  async recentEvents(limit: number, keep: (e: StateEvent) => boolean, before?: string): Promise<StateEvent[]> {
    const from = before === undefined ? this.tip() : (await this.stateCommit(before)).parent;
    return from === null ? [] : recentEvents(this.objects, from, limit, keep);
  }

  /** The state as it was at one commit of its history (the dashboard's time slider); the current snapshot is kept. */
  async historySnapshot(commit: string): Promise<{ snap: Snapshot; event: StateEvent; parent: string | null }> {
    const { event, parent } = await this.historyCommit(commit);
    const snap = this.current?.tip === commit ? this.current : await loadSnapshot(this.objects, commit, this.current?.root);
    return { snap, event, parent };
  }

  /** What one state commit changed: each file's text before and after (texts over `maxText` chars are cut). */
  async commitDiff(commit: string, maxFiles = 200, maxText = 64 * 1024): Promise<CommitDiff> {
    const { snap: after, event, parent } = await this.historySnapshot(commit);
    const before = parent === null ? null : await loadSnapshot(this.objects, parent, after.root);
    const changed: { path: string; before?: string; after?: string }[] = [];
    diffDirs(before?.root, after.root, '', changed, maxFiles + 1);
    const text = async (oid: string | undefined) => (oid === undefined ? undefined : (await this.objects.readAs(oid, 'blob')).toString('utf8').slice(0, maxText));
    const files = [];
    for (const c of changed.slice(0, maxFiles)) {
      files.push({ path: c.path, change: c.before === undefined ? 'added' : c.after === undefined ? 'removed' : 'modified', before: await text(c.before), after: await text(c.after) } as const);
    }
    return { commit, parent, event, files, truncated: changed.length > maxFiles };
  }

  /**
   * A commit that is in the state's history: one Lockstep wrote (its trailers say so), or a foreign
   * one found on the first-parent chain from the tip. Never a code commit, whose tree would be read
   * as if it were state.
   */
  private async historyCommit(oid: string) {
    const found = await this.stateCommit(oid);
    if (found.event.op !== 'external') return found;
    let at = this.tip();
    for (let i = 0; at !== null && i < 20_000; i++) {
      if (at === oid) return found;
      at = (await readEvent(this.objects, at)).parent;
    }
    throw new LockstepError('CURSOR_UNKNOWN', `${oid} is not a commit of ${STATE_REF}; pick one from the state history (lockstep log)`, { cursor: oid });
  }

  /** A commit object here, or CURSOR_UNKNOWN (a typo, or a commit that is not ours). */
  private async stateCommit(oid: string) {
    try {
      return await readEvent(this.objects, oid);
    } catch (err) {
      if (err instanceof LockstepError && (err.code === 'OBJECT_MISSING' || err.code === 'OBJECT_CORRUPT')) {
        throw new LockstepError('CURSOR_UNKNOWN', `${oid} is not a state commit here; pick one from the state history (lockstep log)`, { cursor: oid });
      }
      throw err;
    }
  }

  /** Wait until the ref moves away from `since` (or the timeout/abort); resolves with the tip then. */
  async waitForChange(since: string | null, timeoutMs: number, signal?: AbortSignal): Promise<string | null> {
    const remote = this.remote;
    if (!remote) return this.watcher.wait(since, timeoutMs, signal);
    // Referee mode: other machines' commits arrive only by fetching, so a waiter fetches every
    // REMOTE_POLL_MS (one fetch at a time per process, shared by every waiter).
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const tip = await this.watcher.wait(since, Math.max(0, Math.min(deadline - Date.now(), REMOTE_POLL_MS)), signal);
      if (tip !== since || Date.now() >= deadline || signal?.aborted) return tip;
      this.polling ??= remote
        .refresh()
        .catch((err: unknown) => void process.stderr.write(`lockstep: fetching ${remote.name} for a waiting call failed: ${(err as Error).message}\n`))
        .finally(() => (this.polling = undefined));
      await this.polling;
      if (this.tip() !== since) return this.tip();
    }
  }

  private polling: Promise<unknown> | undefined;

  /** Flush a pending persisted snapshot and stop watchers. */
  close(): void {
    clearInterval(this.background);
    this.watcher.close();
    dropSpareLocks(this.repo);
    this.objects.close();
    if (this.persistTimer) {
      clearTimeout(this.persistTimer);
      this.persistNow();
    }
  }
}
