// Ref reads and compare-and-swap updates with git's own files-backend lock protocol:
// create `<ref>.lock` exclusively, read the current value, write `oid\n`, fsync, rename over the ref.
// `git update-ref` fails while we hold the lock and we wait while it holds it, so neither overwrites the other.
// Our lock appears with its owner (pid, host) already in it: a spare file, made before the lock is
// wanted, linked to the lock path.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LockstepError } from '../errors.js';
import type { GitRepo } from './repo.js';
import { makeSpare, processAlive, sparePrefix, sweepDeadSpares, warnSpare } from './spares.js';

const OID = /^[0-9a-f]{40}$/;
const LOCK_TAG = 'lockstep-lock';
const HOST = os.hostname();
/** A held ref lock older than this is stale: a live writer holds it for milliseconds. */
export const STALE_LOCK_MS = 5_000;
/** An mtime this far ahead of our clock says nothing about the lock's age (clock skew, a restored backup). */
const FUTURE_SLACK_MS = 1_000;
/** What our lock file holds from the moment it exists. */
const OWNER = `${LOCK_TAG} pid=${process.pid} host=${HOST}\n`;

function refFile(repo: GitRepo, ref: string): string {
  return path.join(repo.commonDir, ...ref.split('/'));
}

export function refLockPath(repo: GitRepo, ref: string): string {
  return `${refFile(repo, ref)}.lock`;
}

function readPacked(repo: GitRepo, ref: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(repo.commonDir, 'packed-refs'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const suffix = ` ${ref}`;
  for (const line of text.split('\n')) {
    if (line.endsWith(suffix) && OID.test(line.slice(0, 40)) && line.length === 40 + suffix.length) return line.slice(0, 40);
  }
  return null;
}

/** The ref's value: the loose file if present, else packed-refs (git pack-refs writes packed first, then prunes). */
export function readRef(repo: GitRepo, ref: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync(refFile(repo, ref), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return readPacked(repo, ref);
    if (code === 'EISDIR') throw new LockstepError('REF_INVALID', `${ref} is a directory in ${repo.commonDir}; remove refs under it`, { ref });
    throw err;
  }
  const value = text.trim();
  if (OID.test(value)) return value;
  throw new LockstepError('REF_INVALID', `${ref} does not hold a commit id (${JSON.stringify(value.slice(0, 60))}); inspect it with git show-ref`, { ref });
}

export interface LockHolder {
  path: string;
  /** Written by a Lockstep process (which records pid and host); git's own locks are empty or hold an oid. */
  lockstep: boolean;
  pid?: number;
  host?: string;
  alive?: boolean;
  /** Since its mtime; for an mtime in the future, how long the waiter has seen this very file (0 at first). */
  ageMs: number;
  /** Its mtime is ahead of our clock, so its age is counted from when we first saw it. */
  future: boolean;
  mtimeMs: number;
  ino: number;
  stale: boolean;
  /** Not a regular file ("a directory", "a symlink"): nobody can take the lock until a person removes it. */
  invalid?: string;
}

/** Who holds `<ref>.lock`, and whether it is stale: holder dead on this host, or held past `staleMs`. */
export function inspectLock(lockPath: string, staleMs: number): LockHolder | null {
  let st: fs.Stats | undefined;
  let content = '';
  try {
    st = fs.lstatSync(lockPath, { throwIfNoEntry: false });
    if (!st) return null;
    if (st.isFile()) content = fs.readFileSync(lockPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const now = Date.now();
  const future = st.mtimeMs - now > FUTURE_SLACK_MS;
  const ageMs = future ? 0 : Math.max(0, now - st.mtimeMs);
  const holder: LockHolder = { path: lockPath, lockstep: false, ageMs, future, mtimeMs: st.mtimeMs, ino: st.ino, stale: ageMs > staleMs };
  if (!st.isFile()) {
    holder.invalid = st.isDirectory() ? 'a directory' : st.isSymbolicLink() ? 'a symlink' : 'not a regular file';
    holder.stale = false;
    return holder;
  }
  const m = new RegExp(`^${LOCK_TAG} pid=(\\d+) host=(\\S+)`).exec(content);
  if (m) {
    holder.lockstep = true;
    holder.pid = Number(m[1]);
    holder.host = m[2]!;
    if (holder.host === HOST) {
      holder.alive = processAlive(holder.pid);
      if (!holder.alive) holder.stale = true;
    }
  }
  return holder;
}

function invalidLock(ref: string, holder: LockHolder): LockstepError {
  return new LockstepError(
    'STATE_LOCK_INVALID',
    `${holder.path} is ${holder.invalid}, not a lock file, so nothing can write ${ref}; no git or Lockstep process makes one: remove it (rm -r "${holder.path}") and call again`,
    { ref, path: holder.path, what: holder.invalid },
  );
}

/**
 * Remove a stale lock without ever removing a fresh one: move it aside, then check it is the very
 * file we judged stale (same inode). If a new holder slipped in, put its lock back.
 */
function recoverStaleLock(repo: GitRepo, holder: LockHolder): boolean {
  const aside = `${holder.path}.stale-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(holder.path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const st = fs.lstatSync(aside);
  if (st.ino === holder.ino) {
    fs.unlinkSync(aside);
    if (holder.alive === false) removeTempsOf(repo, holder.path, holder.pid!);
    return true;
  }
  try {
    fs.linkSync(aside, holder.path);
  } catch (err) {
    // EEXIST: yet another holder took the path; the one we moved will see STATE_LOCK_LOST at commit.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  fs.unlinkSync(aside);
  return false;
}

/** Spare lock files (`<host hash>-<pid>-<token>-<n>.lock`) live here, outside refs/, so git never sees them and making them does not contend with the refs directory. */
function spareDir(repo: GitRepo): string {
  return path.join(repo.commonDir, 'lockstep', 'locks');
}

/**
 * A dead holder may have died between linking its lock and removing its spare's name: remove that
 * too (and, from older versions, a temp name beside the lock).
 */
function removeTempsOf(repo: GitRepo, lockPath: string, pid: number): void {
  const dirs: [string, string][] = [
    [spareDir(repo), sparePrefix(pid)],
    [path.dirname(lockPath), `${path.basename(lockPath, '.lock')}..${pid}-`],
  ];
  for (const [dir, prefix] of dirs) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue; // none made there
      throw err;
    }
    for (const name of names) if (name.startsWith(prefix) && name.endsWith('.lock')) fs.rmSync(path.join(dir, name), { force: true });
  }
}

export interface LockOptions {
  timeoutMs?: number;
  staleMs?: number;
  fsync?: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Wake = 'commit' | 'lock' | 'timer';

/**
 * Wakes lock waiters through one fs.watch per ref directory, so they neither poll nor burn the CPU
 * the holder needs. A commit renames `<ref>.lock` over `<ref>`: an event for the ref's name means
 * the lock was just released (`'commit'`). An event for the lock's own name is a holder taking it or
 * giving it up without a commit (`'lock'`: check before trying). The timer covers unreliable watching.
 */
class LockRelease {
  private watcher: fs.FSWatcher | undefined;
  private readonly waiters = new Set<(why: Wake) => void>();
  private idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly dir: string,
    private readonly refName: string,
  ) {}

  wait(maxMs: number): Promise<Wake> {
    if (!this.watcher) {
      try {
        this.watcher = fs.watch(this.dir, { persistent: false }, (_e, name) => {
          const why: Wake | null = name === null ? 'timer' : String(name) === this.refName ? 'commit' : String(name) === `${this.refName}.lock` ? 'lock' : null;
          if (why) for (const w of [...this.waiters]) w(why);
        });
        // A watcher that fails (its directory removed) is dropped; the timer keeps waiters moving.
        this.watcher.on('error', () => this.close());
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    clearTimeout(this.idle);
    return new Promise((resolve) => {
      const done = (why: Wake) => {
        clearTimeout(timer);
        this.waiters.delete(done);
        if (this.waiters.size === 0) this.idle = setTimeout(() => this.close(), 1000).unref();
        resolve(why);
      };
      const timer = setTimeout(() => done('timer'), maxMs);
      this.waiters.add(done);
    });
  }

  private close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

const releases = new Map<string, LockRelease>();

/**
 * How long to hold back after a release before retrying: old waiters go at once, newcomers a
 * moment later, so hand-offs favour whoever has waited longest and nobody starves.
 */
function handoffDelay(waitedMs: number): number {
  return waitedMs > 20 ? 0 : 1 + Math.random() * 2;
}

export class RefLock {
  private fd: number | null;
  constructor(
    private readonly repo: GitRepo,
    readonly ref: string,
    private readonly lockPath: string,
    fd: number,
    private readonly fsync: boolean,
    /** Stale locks this acquisition removed, for the audit trail. */
    readonly recovered: LockHolder[],
    /** The spare this lock was linked from, and its name (still linked to the lock's inode). */
    private readonly spare: { pool: SparePool; name: string } | null,
  ) {
    this.fd = fd;
  }

  /** What the lock file holds before the commit: the owner line. */
  private readonly written = OWNER.length;

  /** The lock is gone without becoming the ref: its spare name goes too. */
  private dropSpareName(): void {
    if (this.spare) fs.rmSync(this.spare.name, { force: true });
  }

  /** The ref's value now; nobody else can change it while we hold the lock. */
  current(): string | null {
    return readRef(this.repo, this.ref);
  }

  /** Point the ref at `oid` and release the lock. */
  commit(oid: string): void {
    if (!OID.test(oid)) throw new LockstepError('REF_INVALID', `refusing to write ${JSON.stringify(oid)} to ${this.ref}`);
    const fd = this.fd;
    if (fd === null) throw new LockstepError('STATE_LOCK_LOST', `lock on ${this.ref} was already released`);
    this.fd = null;
    let ino: number;
    try {
      // Overwrite, then cut off the rest of the owner line (when it is longer): the lock is never empty on the way.
      fs.writeSync(fd, `${oid}\n`, 0);
      if (this.written > oid.length + 1) fs.ftruncateSync(fd, oid.length + 1);
      if (this.fsync) fs.fsyncSync(fd);
      ino = fs.fstatSync(fd).ino;
    } finally {
      fs.closeSync(fd);
    }
    const now = fs.lstatSync(this.lockPath, { throwIfNoEntry: false });
    if (!now || now.ino !== ino) {
      this.dropSpareName();
      throw new LockstepError('STATE_LOCK_LOST', `our lock on ${this.ref} was removed as stale by another process; nothing was written, retry`, { ref: this.ref });
    }
    fs.renameSync(this.lockPath, refFile(this.repo, this.ref));
    this.spare?.pool.committed(this.spare.name);
  }

  /** Give up the lock without changing the ref. Safe to call after commit. */
  release(): void {
    const fd = this.fd;
    if (fd === null) return;
    this.fd = null;
    const ino = fs.fstatSync(fd).ino;
    fs.closeSync(fd);
    const now = fs.lstatSync(this.lockPath, { throwIfNoEntry: false });
    if (now && now.ino === ino) fs.unlinkSync(this.lockPath);
    this.dropSpareName();
  }
}

/**
 * Take `<ref>.lock`, waiting with jittered exponential backoff while another process (ours or git)
 * holds it. Lock-first means no work is wasted and nothing livelocks (DESIGN 4).
 */
export async function lockRef(repo: GitRepo, ref: string, opts: LockOptions = {}): Promise<RefLock> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const staleMs = opts.staleMs ?? STALE_LOCK_MS;
  const lockPath = refLockPath(repo, ref);
  const start = Date.now();
  const recovered: LockHolder[] = [];
  let nextStaleCheck = start + 50;
  let seen: { ino: number; mtimeMs: number; at: number } | undefined;
  for (;;) {
    const taken = tryTake(repo, lockPath);
    if (taken !== null) return new RefLock(repo, ref, lockPath, taken.fd, opts.fsync ?? false, recovered, taken.spare ? { pool: taken.spare, name: taken.spareName } : null);
    // Held: wait until it is released, and only then try again (a failing create takes the
    // directory's write lock, which slows the holder down).
    for (;;) {
      const now = Date.now();
      if (now >= nextStaleCheck) {
        nextStaleCheck = now + 50;
        const holder = inspectLock(lockPath, staleMs);
        if (holder?.invalid) throw invalidLock(ref, holder);
        if (holder?.future && !holder.stale) {
          // Its mtime says nothing: age it by how long we have been looking at this very file.
          if (seen?.ino !== holder.ino || seen.mtimeMs !== holder.mtimeMs) seen = { ino: holder.ino, mtimeMs: holder.mtimeMs, at: now };
          holder.ageMs = now - seen.at;
          holder.stale = holder.ageMs > staleMs;
        }
        if (holder?.stale && recoverStaleLock(repo, holder)) {
          recovered.push(holder);
          break;
        }
      }
      if (now - start > timeoutMs) {
        const holder = inspectLock(lockPath, staleMs);
        throw new LockstepError('STATE_LOCK_TIMEOUT', `${ref}.lock is held${holder?.pid ? ` by pid ${holder.pid}` : ''} for over ${timeoutMs} ms; run \`lockstep doctor\``, {
          ref,
          holder,
        });
      }
      let release = releases.get(lockPath);
      if (!release) releases.set(lockPath, (release = new LockRelease(path.dirname(lockPath), path.basename(lockPath, '.lock'))));
      if ((await release.wait(25)) === 'commit' || !fs.existsSync(lockPath)) break;
    }
    const holdBack = handoffDelay(Date.now() - start);
    if (holdBack > 0) await sleep(holdBack);
  }
}

/** Spare names are unique per process without a random draw per lock (that costs a syscall). */
const TEMP_TOKEN = crypto.randomBytes(4).toString('hex');
let tempCount = 0;

interface Spare {
  path: string;
  fd: number;
  madeAt: number;
}

/**
 * This process's spare lock files in one spare directory. The next one is made in the background
 * after each commit, so taking a lock costs one link(). The spare that became the ref keeps its
 * name until this process's next commit: the next rename over the ref then does not free the old
 * inode (the slow part of a rename over a file), and the name is removed in the background, after
 * the lock is gone.
 */
class SparePool {
  private readonly ready: Spare[] = [];
  private making = false;
  /** The name of the spare that became the ref at our last commit. */
  private kept: string | null = null;
  private dropped = false;

  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    sweepDeadSpares(dir);
  }

  private nextName(): string {
    return path.join(this.dir, `${sparePrefix(process.pid)}${TEMP_TOKEN}-${++tempCount}.lock`);
  }

  take(): Spare {
    const spare = this.ready.pop();
    if (spare) return spare;
    const file = this.nextName();
    const fd = createFile(file);
    try {
      fs.writeSync(fd, OWNER);
    } catch (err) {
      fs.closeSync(fd);
      fs.rmSync(file, { force: true });
      throw err;
    }
    return { path: file, fd, madeAt: Date.now() };
  }

  /** A refused attempt: the spare waits for the next one. */
  giveBack(spare: Spare): void {
    this.ready.push(spare);
  }

  /** After a commit: remember the name now on the ref's inode, drop the one before, make the next spare. */
  committed(name: string): void {
    const old = this.kept;
    this.kept = name;
    // After the reply has gone out: on two cores this work otherwise slows the caller's answer.
    setImmediate(() => {
      if (old) fs.unlink(old, (err) => warnSpare(`removing spare lock name ${old}`, err));
      if (!this.dropped) this.prepare();
    });
  }

  /** Two ahead: back-to-back commits (one process's queue) would otherwise find none made yet. */
  private prepare(): void {
    if (this.making || this.ready.length >= 2) return;
    this.making = true;
    const file = this.nextName();
    makeSpare(file, 'a spare lock file', OWNER, 0o644, (fd) => {
      this.making = false;
      if (fd === null || this.dropped) return false;
      this.ready.push({ path: file, fd, madeAt: Date.now() });
      this.prepare();
      return true;
    });
  }

  /** At exit: no name of ours stays behind. */
  drop(): void {
    this.dropped = true;
    for (const spare of this.ready.splice(0)) {
      fs.closeSync(spare.fd);
      fs.rmSync(spare.path, { force: true });
    }
    if (this.kept) fs.rmSync(this.kept, { force: true });
    this.kept = null;
  }
}

/** By spare directory; null where it cannot be made (a file in its place): locks are then created as git does. */
const pools = new Map<string, SparePool | null>();

function poolOf(repo: GitRepo): SparePool | null {
  const dir = spareDir(repo);
  let pool = pools.get(dir);
  if (pool === undefined) {
    try {
      pool = new SparePool(dir);
    } catch (err) {
      warnSpare(`making spare lock files in ${dir} (locks are created directly instead)`, err as NodeJS.ErrnoException);
      pool = null;
    }
    pools.set(dir, pool);
  }
  return pool;
}

/** Remove this process's spare lock files of `repo` (a store closing). */
export function dropSpareLocks(repo: GitRepo): void {
  const dir = spareDir(repo);
  pools.get(dir)?.drop();
  pools.delete(dir);
}

/** Filesystems without hard links (some FUSE, exFAT) get git's plain O_EXCL create instead. */
let noHardLinks = false;

/**
 * Take the lock with our identity already in it: link() a spare (owner line written) to the lock
 * path, which fails with EEXIST while anyone (git included) holds it, as atomically as O_EXCL. So
 * the lock path never exists without its owner's pid, and a writer that dies at any moment leaves a
 * lock that is stale at once. A refused attempt costs that one link(). Returns the lock's fd, or
 * null when someone holds it.
 */
function tryTake(repo: GitRepo, lockPath: string): { fd: number; spare: SparePool; spareName: string } | { fd: number; spare: null; spareName: null } | null {
  const pool = noHardLinks ? null : poolOf(repo);
  if (!pool) {
    const fd = tryCreate(lockPath);
    return fd === null ? null : { fd, spare: null, spareName: null };
  }
  const spare = pool.take();
  // A lock's age is its mtime: a spare kept through a long wait must not be born looking stale.
  if (Date.now() - spare.madeAt > 1_000) {
    const now = new Date();
    fs.futimesSync(spare.fd, now, now);
    spare.madeAt = now.getTime();
  }
  try {
    fs.linkSync(spare.path, lockPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      pool.giveBack(spare);
      return null;
    }
    if (code === 'ENOENT' && !fs.existsSync(path.dirname(lockPath))) {
      pool.giveBack(spare);
      fs.mkdirSync(path.dirname(lockPath), { recursive: true }); // the ref's first write
      return tryTake(repo, lockPath);
    }
    fs.closeSync(spare.fd);
    fs.rmSync(spare.path, { force: true });
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EXDEV') throw err;
    noHardLinks = true;
    return tryTake(repo, lockPath);
  }
  return { fd: spare.fd, spare: pool, spareName: spare.path };
}

/** git's way: create the lock exclusively, then write the owner (a death in between leaves an empty lock). */
function tryCreate(lockPath: string): number | null {
  let fd: number;
  try {
    fd = createFile(lockPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw err;
  }
  fs.writeSync(fd, OWNER);
  return fd;
}

/** Create `file` exclusively (EEXIST when it is there), making its directory when missing. */
function createFile(file: string): number {
  for (;;) {
    try {
      return fs.openSync(file, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      fs.mkdirSync(path.dirname(file), { recursive: true });
    }
  }
}

/**
 * Delete a ref other than the state ref (e.g. a merged worktree branch) if it still holds `expected`:
 * loose file, packed-refs line and reflog, as `git branch -d` does. False, changing nothing, when
 * the ref moved meanwhile.
 */
export async function deleteRefIf(repo: GitRepo, ref: string, expected: string): Promise<boolean> {
  const lock = await lockRef(repo, ref, { timeoutMs: 10_000 });
  try {
    if (lock.current() !== expected) return false;
    if (readPacked(repo, ref) !== null) removePacked(repo, ref);
    fs.rmSync(refFile(repo, ref), { force: true });
    fs.rmSync(path.join(repo.commonDir, 'logs', ...ref.split('/')), { force: true });
    return true;
  } finally {
    lock.release();
  }
}

/** Drop one line from packed-refs under git's own `packed-refs.lock`. */
function removePacked(repo: GitRepo, ref: string): void {
  const file = path.join(repo.commonDir, 'packed-refs');
  const lockPath = `${file}.lock`;
  const fd = fs.openSync(lockPath, 'wx', 0o644);
  let renamed = false;
  try {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const out: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]!.endsWith(` ${ref}`) && OID.test(lines[i]!.slice(0, 40))) {
        if (lines[i + 1]?.startsWith('^')) i++; // its peeled line goes with it
        continue;
      }
      out.push(lines[i]!);
    }
    fs.writeSync(fd, out.join('\n'));
    fs.fsyncSync(fd);
    fs.renameSync(lockPath, file);
    renamed = true;
  } finally {
    fs.closeSync(fd);
    if (!renamed) fs.rmSync(lockPath, { force: true });
  }
}

/**
 * Move `ref` from `expected` (null: absent) to `next` under git's ref lock, for refs other than the
 * state ref (branches). `beforeWrite` runs while the lock is held and the value is checked (e.g. to
 * update a checkout); if it throws, the ref is left as it was. False, with nothing written, when the
 * ref no longer holds `expected`.
 */
export async function compareAndSwapRef(repo: GitRepo, ref: string, expected: string | null, next: string, beforeWrite?: () => Promise<void>): Promise<boolean> {
  const lock = await lockRef(repo, ref, { timeoutMs: 10_000 });
  try {
    if (lock.current() !== expected) return false;
    if (beforeWrite) await beforeWrite();
    lock.commit(next);
    return true;
  } finally {
    lock.release();
  }
}
