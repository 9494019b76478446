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
import { eventsSince, recentEvents, TRAILER, type StateEvent } from './events.js';
import { loadSavedSnapshot, saveSnapshot } from './persist.js';
import { freshFiles, loadSnapshot, Snapshot } from './snapshot.js';
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

  recentEvents(limit: number, keep: (e: StateEvent) => boolean): Promise<StateEvent[]> {
    return recentEvents(this.objects, this.tip(), limit, keep);
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
