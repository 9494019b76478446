// The store: the ONLY writer of refs/lockstep/state. transact = lock the ref, refresh the snapshot,
// run the pure op, write blobs/trees/commit, swap the ref (DESIGN 3). Also events and waiting.
import crypto from 'node:crypto';
import path from 'node:path';
import type { z } from 'zod';
import { activityChanges } from '../state/activity.js';
import { encodeFile } from '../state/core/codec.js';
import { LockstepError } from '../errors.js';
import { META_PATH } from '../state/core/layout.js';
import type { Op, OpEvent } from '../state/core/op.js';
import { type Ctx, isoTime } from '../state/core/ctx.js';
import type { Role } from '../state/core/schema.js';
import { fsyncComponents } from '../git/config.js';
import { serializeCommit } from '../git/format.js';
import { startAutoGc } from '../git/maintenance.js';
import { ObjectStore } from '../git/objects.js';
import { lockRef, readRef, type LockHolder } from '../git/refs.js';
import type { GitRepo } from '../git/repo.js';
import { eventsSince, readEvent, recentEvents, TRAILER, type StateEvent } from './events.js';
import { loadSavedSnapshot, saveSnapshot } from './persist.js';
import { freshFiles, loadSnapshot, Snapshot, type DirNode } from './snapshot.js';
import { RefWatcher } from './watch.js';
import { writeTree } from './write-tree.js';

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
}

export interface Who {
  actor: string;
  role: Role;
}

export interface TransactResult<R> {
  result: R;
  /** The new state commit, or null when the op changed nothing. */
  commit: string | null;
  tip: string | null;
}

const PERSIST_AFTER_FILES = 500;

function oneLine(s: string, max: number): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, max);
}

/** A recovered lock in one line: whose, and how old (an mtime in the future: how long it was watched). */
function lockWords(r: LockHolder): string {
  return `${r.lockstep ? `pid ${r.pid} on ${r.host}` : 'git'}, ${Math.round(r.ageMs)} ms old${r.future ? ' (mtime in the future)' : ''}`;
}

function commitMessage(opName: string, who: Who, ctx: Ctx, event: OpEvent | undefined, recovered: LockHolder[]): string {
  const subject = oneLine(`${opName}${event?.subject ? ` ${event.subject}` : ''} by ${who.actor}`, 200);
  const trailers = [`${TRAILER.op}: ${opName}`, `${TRAILER.opId}: ${ctx.entropy}`, `${TRAILER.actor}: ${who.actor}`, `${TRAILER.role}: ${who.role}`, `${TRAILER.time}: ${isoTime(ctx.now)}`];
  for (const id of new Set(event?.entities ?? [])) trailers.push(`${TRAILER.entity}: ${oneLine(id, 200)}`);
  if (event?.data) trailers.push(`${TRAILER.data}: ${JSON.stringify(event.data).slice(0, 4000)}`);
  for (const r of recovered) trailers.push(`${TRAILER.recoveredLock}: ${lockWords(r)}`);
  return `${subject}\n\n${trailers.join('\n')}\n`;
}

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

  constructor(
    readonly repo: GitRepo,
    private readonly opts: StoreOptions = {},
  ) {
    this.objects = new ObjectStore(repo);
    this.clock = opts.clock ?? Date.now;
    this.fsync = opts.fsync ?? fsyncComponents(repo).has('reference');
    this.watcher = new RefWatcher(path.join(repo.commonDir, 'refs', 'lockstep'), repo.commonDir, () => this.tip());
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

  /** Run one op as one commit. Serialised within the process; the ref lock serialises processes. */
  transact<S extends z.ZodType, R>(op: Op<S, R>, input: z.output<S>, who: Who): Promise<TransactResult<R>> {
    const run = this.queue.then(
      () => this.transactNow(op, input, who),
      () => this.transactNow(op, input, who),
    );
    // The queue only orders transactions; each caller still gets its own result or error from `run`.
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async transactNow<S extends z.ZodType, R>(op: Op<S, R>, input: z.output<S>, who: Who): Promise<TransactResult<R>> {
    await this.snapshot(); // refresh outside the lock, so inside it only the last few commits are read
    for (let attempt = 0; ; attempt++) {
      const lock = await lockRef(this.repo, STATE_REF, {
        timeoutMs: this.opts.lockTimeoutMs,
        staleMs: this.opts.staleLockMs,
        fsync: this.fsync,
      });
      try {
        for (const r of lock.recovered) {
          process.stderr.write(`lockstep: recovered a stale ${STATE_REF}.lock (${lockWords(r)})\n`);
        }
        const tip = lock.current();
        const snap = await this.snapshotAt(tip);
        const ctx: Ctx = { actor: who.actor, role: who.role, now: this.clock(), entropy: crypto.randomBytes(8).toString('hex'), workTree: this.repo.workTree };
        const meta = snap.state.meta(); // FORMAT_TOO_NEW or a corrupt lockstep.yaml stops every write
        const out = op.run(snap.state, input, ctx);
        if (out.changes.length === 0) return { result: out.result, commit: null, tip };
        const author: Who = { actor: out.event?.actor ?? who.actor, role: who.role };
        const changes = [...out.changes, ...activityChanges(snap.state, ctx, out.changes)];
        if (!snap.state.hasMeta() && !changes.some((c) => c.path === META_PATH)) changes.push({ path: META_PATH, value: meta });
        const writes = changes.map((c) => ({ path: c.path, value: c.value, text: c.value === null ? null : encodeFile(c.path, c.value) }));
        const root = writeTree(this.objects, snap.root, writes);
        if (root.oid === snap.root.oid) return { result: out.result, commit: null, tip };
        const seconds = Math.floor(ctx.now / 1000);
        const sig = { name: author.actor, email: `${author.actor}@lockstep`, time: seconds, tz: '+0000' };
        const commit = this.objects.write(
          'commit',
          serializeCommit({ tree: root.oid, parents: tip ? [tip] : [], author: sig, committer: sig, message: commitMessage(op.name, author, ctx, out.event, lock.recovered) }),
        );
        lock.commit(commit);
        this.current = new Snapshot(commit, root);
        this.afterCommit();
        return { result: out.result, commit, tip: commit };
      } catch (err) {
        if (err instanceof LockstepError && err.code === 'STATE_LOCK_LOST' && attempt < 3) continue;
        throw err;
      } finally {
        lock.release();
      }
    }
  }

  private afterCommit(): void {
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
  async recentEvents(limit: number, keep: (e: StateEvent) => boolean, before?: string, from?: string): Promise<StateEvent[]> {
    if (from !== undefined) await this.stateCommit(from);
    else from = (before === undefined ? this.tip() : (await this.stateCommit(before)).parent) ?? undefined;
    if (from === undefined) return [];
    return recentEvents(this.objects, from, limit, keep);
  }

  /** The state as it was at one commit of its history (the dashboard's time slider); the current snapshot is kept. */
  async snapshotOf(commit: string): Promise<Snapshot> {
    if (this.current?.tip === commit) return this.current;
    await this.historyCommit(commit);
    return loadSnapshot(this.objects, commit, this.current?.root);
  }

  /** What one state commit changed: each file's text before and after (texts over `maxText` chars are cut). */
  async commitDiff(commit: string, maxFiles = 200, maxText = 64 * 1024): Promise<CommitDiff> {
    const { event, parent } = await this.historyCommit(commit);
    const after = await this.snapshotOf(commit);
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
  waitForChange(since: string | null, timeoutMs: number, signal?: AbortSignal): Promise<string | null> {
    return this.watcher.wait(since, timeoutMs, signal);
  }

  /** Flush a pending persisted snapshot and stop watchers. */
  close(): void {
    this.watcher.close();
    if (this.persistTimer) {
      clearTimeout(this.persistTimer);
      this.persistNow();
    }
  }
}
