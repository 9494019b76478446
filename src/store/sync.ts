// The git remote as the referee (DESIGN 4): the state ref is pushed without force, with a lease on
// the value last seen there, so the remote accepts exactly one of two racing machines. A refused
// push means fetch, re-run this machine's unpublished ops on the remote tip (replay.ts), swap the
// local ref, push again. Also what was last published (to tell a rewritten remote, REMOTE_DIVERGED,
// from one that moved on), and the ways out of a divergence.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LockstepError, type ErrorBody } from '../errors.js';
import type { ObjectStore } from '../git/objects.js';
import { readRef, type RefLock } from '../git/refs.js';
import { deleteRef, fetchRef, pushRef, remoteUrl, transport, updateRef } from '../git/remote.js';
import type { GitRepo } from '../git/repo.js';
import { readEvent } from './events.js';
import { findOp, forkPoint, isAncestor, readOpCall, rerun, type ReplayOutcome } from './replay.js';
import type { Snapshot } from './snapshot.js';

/** Where the remote's state ref is mirrored: outside refs/lockstep/, so no fetch ever touches the local state ref. */
export function trackingRef(remote: string): string {
  return `refs/remotes/${remote}/lockstep/state`;
}

/** The refspec `lockstep sync --setup` adds, so a plain `git fetch` carries the state too. */
export function stateRefspec(remote: string): string {
  return `+refs/lockstep/*:refs/remotes/${remote}/lockstep/*`;
}

export interface RemoteOptions {
  /** The git remote's name (`origin`). */
  name: string;
  /** Each push or fetch that takes longer is REMOTE_UNREACHABLE (default 10 s). */
  timeoutMs?: number;
  /**
   * referee (default): an op answers only once it is on the remote; unreachable is an error.
   * offline: when the remote is unreachable, ops commit here and answer `provisional: true`; a
   * background sync publishes them once it is back, recording ops that fail there as conflicts.
   */
  mode?: RemoteMode;
}

export type RemoteMode = 'referee' | 'offline';

/** What the store lends the sync: its ref lock, its snapshots, and its cached snapshot to update. */
export interface SyncHost {
  repo: GitRepo;
  objects: ObjectStore;
  stateRef: string;
  tip(): string | null;
  lock(): Promise<RefLock>;
  snapshotAt(tip: string | null): Promise<Snapshot>;
  adopt(snap: Snapshot): void;
}

/** What this machine last knew of the remote (`<git dir>/lockstep/remotes/<name>.json`). */
export interface SyncRecord {
  remote: string;
  /** The newest remote tip this machine saw (pushed or fetched, checked to descend from the one before). */
  published: string | null;
  /** When a push or fetch last succeeded (ms). */
  lastSync?: number;
  lastError?: { code: string; message: string; at: number };
  /** Set when the remote was rewritten; every write stops until `lockstep sync --adopt-remote` or `--republish`. */
  diverged?: { remoteTip: string | null; published: string | null; at: number };
}

export interface SyncReport {
  remote: string;
  url: string | null;
  tip: string | null;
  remoteTip: string | null;
  /** Commits pushed by this sync. */
  pushed: number;
  /** Ops re-run on a newer remote tip. */
  replayed: number;
  /** Ops that failed on the re-run, with their errors (nothing is dropped without being listed). */
  failed: { opId: string; op: string; actor: string; error: ErrorBody; input?: string; task?: string }[];
  /** A local ref that keeps what a divergence fix left behind (`--adopt-remote`, `--republish`). */
  backup?: string;
  /** Commits the backup holds that are no longer in the state. */
  setAside?: number;
}

export interface RemoteStatus {
  remote: string;
  url: string | null;
  trackingRef: string;
  remoteTip: string | null;
  unpublished: number;
  mode: RemoteMode;
  lastSync: string | null;
  lastError: SyncRecord['lastError'] | null;
  diverged: SyncRecord['diverged'] | null;
}

const MAX_ROUNDS = 200;

/** The op was published as the very commit its caller made: the caller's own result stands. */
export const SAME_RESULT = Symbol('same result');

export type PublishOutcome = ReplayOutcome | { ok: true; commit: string; result: typeof SAME_RESULT };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RemoteSync {
  readonly name: string;
  readonly timeoutMs: number;
  readonly mode: RemoteMode;
  private readonly tracking: string;
  /** Tracking tips already checked to descend from what was published (keyed `published..tip`). */
  private readonly verified = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  /** The remote's URL, read once (status_get asks for it on every call). */
  private url: string | null | undefined;

  constructor(
    private readonly host: SyncHost,
    opts: RemoteOptions,
  ) {
    this.name = opts.name;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.mode = opts.mode ?? 'referee';
    this.tracking = trackingRef(opts.name);
  }

  private remoteUrl(): string | null {
    if (this.url === undefined) this.url = remoteUrl(this.host.repo, this.name);
    return this.url;
  }

  private recordPath(): string {
    return path.join(this.host.repo.commonDir, 'lockstep', 'remotes', `${this.name}.json`);
  }

  private outcomePath(opId: string): string {
    return path.join(this.host.repo.commonDir, 'lockstep', 'replayed', `${opId}.json`);
  }

  record(): SyncRecord {
    let text: string;
    try {
      text = fs.readFileSync(this.recordPath(), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { remote: this.name, published: null };
      throw err;
    }
    try {
      return JSON.parse(text) as SyncRecord;
    } catch (err) {
      // Only ever written whole (temp file + rename): a damaged one is a person's edit. Start over from the remote.
      process.stderr.write(`lockstep: ignoring unreadable ${this.recordPath()}: ${(err as Error).message}\n`);
      return { remote: this.name, published: null };
    }
  }

  /**
   * Read-modify-write of the record under a small lock file, since every server process of this
   * machine shares it; `change` sees the record as it is now and returns null to leave it be.
   */
  private writeRecord(change: (r: SyncRecord) => SyncRecord | null): boolean {
    const file = this.recordPath();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const release = lockFile(`${file}.lock`);
    try {
      const next = change(this.record());
      if (next === null) return false;
      const tmp = `${file}.${process.pid}-${crypto.randomBytes(4).toString('hex')}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(next, null, 2));
      fs.renameSync(tmp, file);
      return true;
    } finally {
      release();
    }
  }

  /**
   * Record `tip` as published, only ever forward: another process of this machine may have recorded
   * a newer tip meanwhile (a push that finished after this fetch saw the remote), and an older value
   * must not replace it. Checked outside the lock, written only if the record still holds what was checked.
   */
  private async notePublished(tip: string | null, extra: Partial<SyncRecord>): Promise<void> {
    for (;;) {
      const seen = this.record().published;
      const forward = seen === null || seen === tip || (tip !== null && (await isAncestor(this.host.objects, seen, tip)));
      if (this.writeRecord((r) => (r.published === seen ? { ...r, published: forward ? tip : seen, ...extra } : null))) return;
    }
  }

  private noteError(err: unknown): void {
    if (err instanceof LockstepError) this.writeRecord((r) => ({ ...r, lastError: { code: err.code, message: err.message, at: Date.now() } }));
  }

  /**
   * REMOTE_DIVERGED while a rewritten remote waits for a person's decision; GIT_CLI_REQUIRED, before
   * anything is committed, when this machine has no way to reach the remote (no git CLI, and not
   * an http(s) remote).
   */
  checkWritable(): void {
    transport(this.host.repo, this.name);
    const d = this.record().diverged;
    if (d) throw this.divergedError(d.remoteTip, d.published);
  }

  private divergedError(remoteTip: string | null, published: string | null): LockstepError {
    const what = remoteTip === null ? 'was deleted' : `was rewritten (it is at ${remoteTip.slice(0, 12)}, which does not descend from ${published?.slice(0, 12)}, last published from here)`;
    return new LockstepError(
      'REMOTE_DIVERGED',
      `${this.host.stateRef} on remote ${this.name} ${what}; nothing more is published until you choose: \`lockstep sync --adopt-remote\` (re-run this machine's unpublished ops on the remote's state) or \`lockstep sync --republish\` (put this machine's state back on the remote); local ops are kept either way`,
      { remote: this.name, remoteTip, published },
    );
  }

  /** Fetch the remote's state ref into the tracking ref; REMOTE_DIVERGED if it no longer descends from what was published. */
  async fetch(): Promise<string | null> {
    const got = await fetchRef(this.host.repo, this.name, this.host.stateRef, this.tracking, this.timeoutMs);
    const remoteTip = await this.verify(got.kind === 'ok' ? got.oid : null);
    await this.notePublished(remoteTip, { lastSync: Date.now(), lastError: undefined });
    return remoteTip;
  }

  /**
   * The remote tip must descend from the one last published from here (else someone rewrote or
   * deleted it); returns the tip to go on with. `remoteTip` may be an old sighting: the tracking ref
   * or a fetch that saw the remote before another process of this machine pushed (and recorded)
   * something newer, and a fetch's forced update can even set the tracking ref back to it. So a tip
   * that does not descend is asked of the remote again, in a fetch started after the record was
   * read: since each recorded `published` was on the remote when recorded, and a remote that is not
   * rewritten only moves forward, only a rewritten (or deleted) remote fails that second look.
   */
  private async verify(remoteTip: string | null): Promise<string | null> {
    if (await this.descends(this.record().published, remoteTip)) return remoteTip;
    // Read before the second fetch starts, so the remote had this one when that fetch looks.
    const published = this.record().published;
    const fresh = await this.fetchFresh();
    if (!(await this.descends(published, fresh))) {
      this.writeRecord((r) => ({ ...r, diverged: { remoteTip: fresh, published, at: Date.now() } }));
      throw this.divergedError(fresh, published);
    }
    // The tracking ref may hold the old sighting (a forced fetch that lost the race): move it on.
    const cur = readRef(this.host.repo, this.tracking);
    if (fresh !== null && cur !== fresh && (cur === null || (await isAncestor(this.host.objects, cur, fresh)))) await updateRef(this.host.repo, this.tracking, fresh, cur);
    return fresh;
  }

  private async descends(published: string | null, tip: string | null): Promise<boolean> {
    if (published === null || published === tip || this.verified.has(`${published}..${tip}`)) return true;
    if (tip === null || !(await isAncestor(this.host.objects, published, tip))) return false;
    this.verified.add(`${published}..${tip}`);
    return true;
  }

  /** The remote's tip as of now, fetched into a ref of this call alone (no other fetch can set it back). */
  private async fetchFresh(): Promise<string | null> {
    const ref = `refs/lockstep-check/${this.name}/${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    try {
      const got = await fetchRef(this.host.repo, this.name, this.host.stateRef, ref, this.timeoutMs);
      return got.kind === 'ok' ? got.oid : null;
    } finally {
      await deleteRef(this.host.repo, ref);
    }
  }

  /**
   * Put the local state on the remote; when `opId` is given, resolve once that op is there (with
   * the outcome of its last run) or has failed on a re-run (its normal error).
   */
  publish(opId?: string, original?: string): Promise<PublishOutcome | undefined> {
    const run = this.queue.then(
      () => this.publishNow(opId, original),
      () => this.publishNow(opId, original),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async publishNow(opId: string | undefined, original?: string, report?: SyncReport): Promise<PublishOutcome | undefined> {
    try {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        this.checkWritable();
        const local = this.host.tip();
        let remote = readRef(this.host.repo, this.tracking);
        // No tracking ref (never fetched, or pruned by a plain `git fetch --prune`): ask the remote.
        if (remote === null) remote = await this.fetch();
        else remote = await this.verify(remote);
        const fork = await forkPoint(this.host.objects, local, remote);
        if (opId !== undefined) {
          const pending = await this.pendingHas(fork.onlyA, opId);
          if (!pending) return await this.outcomeOf(opId, remote, original);
        } else if (fork.onlyA.length === 0) {
          // Nothing of ours to publish: catch up with what the remote has (a fast-forward).
          if (fork.base !== remote) await this.replayOnto(remote, report);
          return undefined;
        }
        if (fork.base !== remote) {
          // The local state does not sit on the remote tip: re-run its own ops there first.
          await this.replayOnto(remote, report);
          continue;
        }
        const out = await pushRef(this.host.repo, this.name, local!, this.host.stateRef, remote, this.timeoutMs);
        if (out.kind === 'ok') {
          // The tracking ref moved meanwhile only by a fetch of something newer: leave that one.
          await updateRef(this.host.repo, this.tracking, local!, remote);
          await this.notePublished(local, { lastSync: Date.now(), lastError: undefined });
          if (report) report.pushed += fork.onlyA.length;
          continue;
        }
        const before = remote;
        const now = await this.fetch();
        if (out.kind === 'rejected' && now === before) {
          throw new LockstepError('REMOTE_REJECTED', `remote ${this.name} refused ${this.host.stateRef}: ${out.reason}`, { remote: this.name, reason: out.reason });
        }
        // Refused while the remote tip stayed put: another machine's push held the remote's ref lock. Let it finish.
        if (now === before) await sleep(5 + Math.random() * 20 * Math.min(round + 1, 10));
      }
      throw new LockstepError('REMOTE_UNREACHABLE', `remote ${this.name} kept moving: ${MAX_ROUNDS} pushes of ${this.host.stateRef} in a row were refused; call again`, { remote: this.name, rounds: MAX_ROUNDS });
    } catch (err) {
      this.noteError(err);
      throw err;
    }
  }

  /** Whether `opId` is among the unpublished commits. */
  private async pendingHas(unpublished: string[], opId: string): Promise<boolean> {
    for (const c of unpublished) if ((await readOpCallOrNull(this.host, c))?.opId === opId) return true;
    return false;
  }

  /** The op is no longer pending: published (maybe re-run here or by another process of this machine), or failed on a re-run. */
  private async outcomeOf(opId: string, remote: string | null, original: string | undefined): Promise<PublishOutcome> {
    const file = this.outcomePath(opId);
    if (fs.existsSync(file)) {
      const o = JSON.parse(fs.readFileSync(file, 'utf8')) as ReplayOutcome;
      fs.rmSync(file, { force: true });
      return o;
    }
    const commit = await findOp(this.host.objects, remote, opId);
    if (commit === null) throw new LockstepError('INTERNAL', `op ${opId} is neither pending, published on ${this.name}, nor recorded as failed`, { opId });
    if (commit === original) return { ok: true, commit, result: SAME_RESULT };
    // Re-run by another process of this machine: run it again on the same parent for its answer (pure, so the same).
    const call = await readOpCall(this.host.objects, commit, this.host.repo.workTree);
    return rerun(this.host.objects, await this.host.snapshotAt(call.parent), call).outcome;
  }

  /**
   * Under the local ref lock: re-run every local commit the remote lacks on `base` (oldest first)
   * and point the local ref at the result. An op that now fails is left out, its error kept for
   * its caller. `skip` ops are left out too (withdrawn by their caller).
   */
  private async replayOnto(base: string | null, report?: SyncReport, skip?: { opId: string; error: ErrorBody }, chainFrom?: string | null, lenient = false): Promise<void> {
    const lock = await this.host.lock();
    try {
      const local = lock.current();
      const fork = await forkPoint(this.host.objects, local, chainFrom === undefined ? base : chainFrom);
      if (skip) base = fork.base; // a withdrawal rebuilds the unpublished commits where they started
      else if (fork.base === base) return; // another process got there first
      let snap = await this.host.snapshotAt(base);
      const outcomes: [string, ReplayOutcome][] = [];
      for (const c of fork.onlyA) {
        let call;
        try {
          call = await readOpCall(this.host.objects, c, this.host.repo.workTree);
        } catch (err) {
          // `--adopt-remote` sets a commit it cannot re-run aside (listed, and kept in the backup ref); a publish stops.
          if (!(lenient && report && err instanceof LockstepError && err.code === 'REPLAY_UNSUPPORTED')) throw err;
          report.failed.push({ opId: '', op: 'external', actor: '', error: { code: err.code, message: err.message, data: err.data } });
          continue;
        }
        if (skip && call.opId === skip.opId) continue;
        const { outcome, applied } = rerun(this.host.objects, snap, call);
        if (applied?.commit) snap = applied.snapshot;
        // A failure, or a re-run that changed nothing, leaves no commit to find: its caller reads why here.
        if (!outcome.ok || outcome.commit === null) outcomes.push([call.opId, outcome]);
        if (report) {
          report.replayed++;
          if (!outcome.ok) report.failed.push({ opId: call.opId, op: call.opName, actor: call.who.actor, error: outcome.error, input: JSON.stringify(call.input).slice(0, 2_000), task: taskOf(call.input) });
        }
      }
      // Nothing left to point the ref at (a withdrawal of the very first op): the commit stays, unpublished.
      if (snap.tip === null) return;
      // Written before the ref moves, so a caller that finds its op gone finds why.
      for (const [opId, o] of outcomes) {
        const file = this.outcomePath(opId);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, JSON.stringify(o));
      }
      if (snap.tip !== local) {
        lock.commit(snap.tip);
        this.host.adopt(snap);
      }
    } finally {
      lock.release();
    }
  }

  /**
   * Take `opId` back out of the unpublished local commits (its caller is told it failed, e.g. the
   * remote was unreachable), re-running the ops after it; false when it is no longer unpublished.
   */
  async withdraw(opId: string, error: LockstepError): Promise<boolean> {
    // Counted from what was last published from here: the tracking ref may be gone with a deleted remote ref.
    const local = this.host.tip();
    const published = this.record().published;
    const remote = published !== null && (await isAncestor(this.host.objects, published, local)) ? published : readRef(this.host.repo, this.tracking);
    const fork = await forkPoint(this.host.objects, local, remote);
    if (!(await this.pendingHas(fork.onlyA, opId))) return false;
    await this.replayOnto(fork.base, undefined, { opId, error: { code: error.code, message: error.message, data: error.data } }, remote);
    return !(await this.pendingHas((await forkPoint(this.host.objects, this.host.tip(), remote)).onlyA, opId));
  }

  /**
   * Where an op committed offline stands: still unpublished, published, or failed on a re-run
   * (its error, read once: the caller is told).
   */
  async provisionalState(opId: string): Promise<{ state: 'pending' | 'published' } | { state: 'failed'; error: ErrorBody }> {
    const file = this.outcomePath(opId);
    if (fs.existsSync(file)) {
      const o = JSON.parse(fs.readFileSync(file, 'utf8')) as ReplayOutcome;
      fs.rmSync(file, { force: true });
      return o.ok ? { state: 'published' } : { state: 'failed', error: o.error };
    }
    const fork = await forkPoint(this.host.objects, this.host.tip(), readRef(this.host.repo, this.tracking));
    return (await this.pendingHas(fork.onlyA, opId)) ? { state: 'pending' } : { state: 'published' };
  }

  /** Ids touched by local commits the remote does not have yet (offline mode: provisional leases). */
  async unpublishedEntities(): Promise<Set<string>> {
    const fork = await forkPoint(this.host.objects, this.host.tip(), readRef(this.host.repo, this.tracking));
    const ids = new Set<string>();
    for (const c of fork.onlyA) for (const id of (await readEvent(this.host.objects, c)).event.entities) ids.add(id);
    return ids;
  }

  /** Fetch, then bring the local state up to the remote (re-running local ops there); true when the local tip moved. */
  async refresh(): Promise<boolean> {
    const before = this.host.tip();
    await this.queue.catch(() => undefined);
    const remote = await this.fetch();
    const fork = await forkPoint(this.host.objects, before, remote);
    if (fork.base !== remote) await this.replayOnto(remote);
    return this.host.tip() !== before;
  }

  /** `lockstep sync`: fetch, re-run what is unpublished on the remote tip, push; a report of all of it. */
  async sync(): Promise<SyncReport> {
    const report = this.emptyReport();
    const run = this.queue.then(async () => {
      report.remoteTip = await this.fetch();
      await this.publishNow(undefined, undefined, report);
    });
    this.queue = run.catch(() => undefined);
    await run;
    return this.finish(report);
  }

  private emptyReport(): SyncReport {
    return { remote: this.name, url: this.remoteUrl(), tip: null, remoteTip: null, pushed: 0, replayed: 0, failed: [] };
  }

  private finish(report: SyncReport): SyncReport {
    report.tip = this.host.tip();
    report.remoteTip = readRef(this.host.repo, this.tracking);
    return report;
  }

  private async backup(what: string, oid: string): Promise<string> {
    const ref = `refs/lockstep-backup/${this.name}/${what}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await updateRef(this.host.repo, ref, oid, null);
    return ref;
  }

  /**
   * `--adopt-remote`: the remote's state wins. This machine's ops that it never published are
   * re-run on the remote tip (those that fail are listed); the old local history is kept under a
   * backup ref, and what it had that is now gone is counted.
   */
  async adoptRemote(): Promise<SyncReport> {
    const report = this.emptyReport();
    const got = await fetchRef(this.host.repo, this.name, this.host.stateRef, this.tracking, this.timeoutMs);
    if (got.kind === 'absent') throw new LockstepError('REMOTE_DIVERGED', `remote ${this.name} has no ${this.host.stateRef} to adopt; \`lockstep sync --republish\` puts this machine's state there`, { remote: this.name, remoteTip: null });
    const local = this.host.tip();
    // Every local commit the remote lacks is re-run on it, published once or not: whoever rewrote
    // the remote may not have meant to drop this machine's work. The old history stays in a backup ref.
    if (local !== null) report.backup = await this.backup('local', local);
    this.writeRecord((r) => ({ ...r, published: got.oid, diverged: undefined, lastSync: Date.now() }));
    this.verified.clear();
    if (local !== null) await this.replayOnto(got.oid, report, undefined, undefined, true);
    await this.publishNow(undefined, undefined, report);
    report.setAside = report.failed.length;
    return this.finish(report);
  }

  /**
   * `--republish`: this machine's state wins. Pushed over whatever the remote has now (a lease on
   * that very value, so nothing newer is overwritten); the remote's old tip is kept under a backup ref.
   */
  async republish(): Promise<SyncReport> {
    const report = this.emptyReport();
    const got = await fetchRef(this.host.repo, this.name, this.host.stateRef, this.tracking, this.timeoutMs);
    const remote = got.kind === 'ok' ? got.oid : null;
    const local = this.host.tip();
    if (local === null) throw new LockstepError('REMOTE_DIVERGED', `there is no local ${this.host.stateRef} to republish; \`lockstep sync --adopt-remote\` takes the remote's`, { remote: this.name, remoteTip: remote });
    if (remote !== null) {
      report.backup = await this.backup('remote', remote);
      report.setAside = (await forkPoint(this.host.objects, local, remote)).onlyB.length;
    }
    const out = await pushRef(this.host.repo, this.name, local, this.host.stateRef, remote, this.timeoutMs, true);
    if (out.kind !== 'ok') throw new LockstepError('REMOTE_REJECTED', `remote ${this.name} refused ${this.host.stateRef}: ${out.reason}; run it again`, { remote: this.name, reason: out.reason });
    await updateRef(this.host.repo, this.tracking, local, remote);
    this.verified.clear();
    this.writeRecord((r) => ({ ...r, published: local, diverged: undefined, lastSync: Date.now(), lastError: undefined }));
    report.pushed = (await forkPoint(this.host.objects, local, remote)).onlyA.length;
    return this.finish(report);
  }

  async status(): Promise<RemoteStatus> {
    const rec = this.record();
    const remoteTip = readRef(this.host.repo, this.tracking);
    const fork = await forkPoint(this.host.objects, this.host.tip(), remoteTip);
    return {
      remote: this.name,
      url: this.remoteUrl(),
      trackingRef: this.tracking,
      remoteTip,
      unpublished: fork.onlyA.length,
      mode: this.mode,
      lastSync: rec.lastSync ? new Date(rec.lastSync).toISOString() : null,
      lastError: rec.lastError ?? null,
      diverged: rec.diverged ?? null,
    };
  }
}

/**
 * Take the lock file `file` (created exclusively), waiting for another process's; one left behind
 * by a process that died is taken over after a few seconds. Held only around a tiny file write.
 */
function lockFile(file: string): () => void {
  const wait = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; ; i++) {
    try {
      fs.closeSync(fs.openSync(file, 'wx'));
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    try {
      if (Date.now() - fs.statSync(file).mtimeMs > 5_000) fs.rmSync(file, { force: true });
    } catch {
      // gone meanwhile: try again
    }
    Atomics.wait(wait, 0, 0, Math.min(1 + i, 20));
  }
}

/** The task an op's input names (`id` or `task`), for the conflict note. */
function taskOf(input: unknown): string | undefined {
  const i = input as { id?: unknown; task?: unknown } | null;
  for (const v of [i?.id, i?.task]) if (typeof v === 'string' && /^T-[0-9A-Z]+$/.test(v)) return v;
  return undefined;
}

async function readOpCallOrNull(host: SyncHost, oid: string): Promise<{ opId: string } | null> {
  try {
    return await readOpCall(host.objects, oid, host.repo.workTree);
  } catch (err) {
    if (err instanceof LockstepError && err.code === 'REPLAY_UNSUPPORTED') return null;
    throw err;
  }
}

