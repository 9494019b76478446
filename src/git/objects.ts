// Object storage: loose objects read and written directly (node:zlib + node:crypto), packs read by
// our own reader (pack.ts), and isomorphic-git, with one long-lived cache per process, as the
// fallback for anything else (e.g. alternates). Writes are atomic (a whole file renamed to a new
// name; the file made ahead of time, since creating one is what costs); an object already there is
// checked, and kept when whole, never renamed over.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { isoGit } from './iso.js';
import { commondirFs } from './commondir-fs.js';
import { LockstepError } from '../errors.js';
import { PackSet } from './pack.js';
import type { GitObject, ObjectType } from './format.js';
import type { GitRepo } from './repo.js';
import { makeSpare, sparePrefix, sweepDeadSpares, warnSpare } from './spares.js';

/** Objects up to this size are stored, not compressed: a loose file takes a 4 KiB block either way, and zlib's setup costs more than the object. */
const STORE_UNDER = 4096;

function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; ) {
    // 5552 bytes is the most that cannot overflow before the modulo (RFC 1950).
    const end = Math.min(data.length, i + 5552);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A zlib stream of one stored (uncompressed) deflate block, under 64 KiB: valid for every inflater, with no zlib work. */
function zlibStored(data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(2 + 5 + data.length + 4);
  out[0] = 0x78; // deflate, 32 KiB window
  out[1] = 0x01; // no dictionary; 0x7801 is a multiple of 31 (FCHECK)
  out[2] = 1; // BFINAL, BTYPE 00 (stored)
  out.writeUInt16LE(data.length, 3);
  out.writeUInt16LE(data.length ^ 0xffff, 5);
  data.copy(out, 7);
  out.writeUInt32BE(adler32(data), 7 + data.length);
  return out;
}

/** What a loose object file holds: zlib of `<type> <size>\0<data>`. */
function deflateObject(wrapped: Buffer): Buffer {
  return wrapped.length <= STORE_UNDER ? zlibStored(wrapped) : zlib.deflateSync(wrapped, { level: 1 });
}

/** Not rewritten within this long, an existing object gets a fresh mtime, so a concurrent `git prune` keeps it. */
const FRESHEN_AFTER_MS = 60 * 60 * 1000;

/** The loose file inflates to an object whose hash is its name: not half-written, not damaged. */
function intact(raw: Buffer, oid: string): boolean {
  let buf: Buffer;
  try {
    buf = zlib.inflateSync(raw);
  } catch {
    return false;
  }
  const nul = buf.indexOf(0);
  if (nul < 0) return false;
  const size = Number(buf.toString('latin1', buf.indexOf(0x20) + 1, nul));
  return size === buf.length - nul - 1 && crypto.createHash('sha1').update(buf).digest('hex') === oid;
}

/** Write all of `data` to the new file `file` open as `fd`, and close it; a failed write leaves no file. */
function fill(file: string, fd: number, data: Buffer): void {
  try {
    for (let at = 0; at < data.length; ) at += fs.writeSync(fd, data, at);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw err;
  }
  fs.closeSync(fd);
}

/** Create `file` (it must not exist) holding `data`; a failed write leaves no file. */
function writeNew(file: string, data: Buffer): void {
  fill(file, fs.openSync(file, 'wx', 0o444), data);
}

/** How many checked objects a store remembers (a few hundred KiB). */
const CHECKED_MAX = 4096;

/** Object files kept made ahead: a task op's commit writes 5 to 8 new objects. */
const SPARE_TARGET = 12;

/**
 * Empty files made in the background (libuv's threads) between commits, so writing an object in a
 * commit is a write and a rename, not a file creation (on ext4 in a VM, 50 to 800 us each). They
 * live in `<common dir>/lockstep/spares`, named by host and pid: a dead process's are swept.
 */
class ObjectSpares {
  private readonly ready: { path: string; fd: number }[] = [];
  private making = 0;
  private swept = false;
  private off = false;
  private readonly token = crypto.randomBytes(4).toString('hex');
  private count = 0;

  constructor(
    private readonly dir: string,
    /** Otherwise it only sweeps the dead's spares, once (a one-shot CLI makes none). */
    private readonly makeAhead: boolean,
  ) {}

  take(): { path: string; fd: number } | undefined {
    return this.off ? undefined : this.ready.pop();
  }

  /** Make spares back up to the target, in the background. */
  refill(): void {
    // The dead's are swept even by a store that has just closed (a one-shot CLI's).
    if (!this.swept) {
      fs.mkdirSync(this.dir, { recursive: true });
      sweepDeadSpares(this.dir);
      this.swept = true;
    }
    if (this.off || !this.makeAhead) return;
    while (this.ready.length + this.making < SPARE_TARGET) {
      this.making++;
      const file = path.join(this.dir, `${sparePrefix(process.pid)}${this.token}-${++this.count}`);
      makeSpare(file, 'a spare object file', '', 0o444, (fd) => {
        this.making--;
        if (fd === null || this.off) return false;
        this.ready.push({ path: file, fd });
        return true;
      });
    }
  }

  /** Closing, or spares cannot be renamed into objects/ (another filesystem): no more of them. */
  drop(): void {
    this.off = true;
    for (const spare of this.ready.splice(0)) {
      fs.closeSync(spare.fd);
      fs.rmSync(spare.path, { force: true });
    }
  }
}

export class ObjectStore {
  private readonly objectsDir: string;
  private readonly fanoutMade = new Set<string>();
  /** isomorphic-git's pack cache; essential once objects are packed (DESIGN 4). */
  private readonly isoCache = {};
  private readonly isoFs: ReturnType<typeof commondirFs>;
  private readonly packs: PackSet;
  /** Random start so a reused pid after a crash never collides with a leftover temp file. */
  private tmpCounter = crypto.randomInt(1 << 30);

  private readonly spares: ObjectSpares;
  /** Objects this store found whole, with how their file looked then (inode, size, times). */
  private readonly checked = new Map<string, string>();

  constructor(
    readonly repo: GitRepo,
    /** A long-lived writer (a server's store) keeps object files made ahead. */
    opts: { spares?: boolean } = {},
  ) {
    this.spares = new ObjectSpares(path.join(repo.commonDir, 'lockstep', 'spares'), opts.spares ?? false);
    this.objectsDir = path.join(repo.commonDir, 'objects');
    this.isoFs = commondirFs(repo);
    this.packs = new PackSet(path.join(this.objectsDir, 'pack'));
  }

  private loosePath(oid: string): string {
    return path.join(this.objectsDir, oid.slice(0, 2), oid.slice(2));
  }

  /** A loose object, or null when it is not stored loose (it may be packed). */
  readLoose(oid: string): GitObject | null {
    let raw: Buffer;
    try {
      raw = fs.readFileSync(this.loosePath(oid));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    let buf: Buffer;
    try {
      buf = zlib.inflateSync(raw);
    } catch {
      throw new LockstepError('OBJECT_CORRUPT', `loose object ${oid} does not inflate; run git fsck`, { oid });
    }
    const nul = buf.indexOf(0);
    const header = buf.toString('latin1', 0, nul);
    const sp = header.indexOf(' ');
    const type = header.slice(0, sp) as ObjectType;
    const size = Number(header.slice(sp + 1));
    const data = buf.subarray(nul + 1);
    if (data.length !== size) throw new LockstepError('OBJECT_CORRUPT', `loose object ${oid} has the wrong size`, { oid });
    return { type, data };
  }

  /** Loose or packed, synchronously; null when neither has it. Open packs first: no syscall. */
  readSync(oid: string): GitObject | null {
    const external = (base: string) => this.readSync(base);
    return this.packs.read(oid, false, external) ?? this.readLoose(oid) ?? this.packs.read(oid, true, external);
  }

  async read(oid: string): Promise<GitObject> {
    // Two tries: a concurrent `git gc` can swap packs between listing and reading them.
    for (let attempt = 0; ; attempt++) {
      const found = this.readSync(oid);
      if (found) return found;
      try {
        const git = await isoGit();
        const res = await git.readObject({ fs: this.isoFs, gitdir: this.repo.gitDir, oid, format: 'content', cache: this.isoCache });
        return { type: res.type as ObjectType, data: Buffer.from(res.object as Uint8Array) };
      } catch (err) {
        if (attempt === 0) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        if ((err as { code?: string }).code === 'NotFoundError') throw new LockstepError('OBJECT_MISSING', `object ${oid} is missing from ${this.objectsDir}; run git fsck`, { oid });
        throw new LockstepError('GIT_IO', `reading object ${oid}: ${(err as Error).message}`, { oid });
      }
    }
  }

  async readAs(oid: string, type: ObjectType): Promise<Buffer> {
    const obj = await this.read(oid);
    if (obj.type !== type) throw new LockstepError('OBJECT_CORRUPT', `object ${oid} is a ${obj.type}, expected a ${type}`, { oid });
    return obj.data;
  }

  static hash(type: ObjectType, data: Buffer): { oid: string; wrapped: Buffer } {
    const wrapped = Buffer.concat([Buffer.from(`${type} ${data.length}\0`, 'latin1'), data]);
    return { oid: crypto.createHash('sha1').update(wrapped).digest('hex'), wrapped };
  }

  /**
   * Write a loose object atomically (temp file in the fan-out dir, then rename to the object's
   * name), so no reader ever sees a partial object. One already there is read and checked, not
   * trusted: kept when whole (renaming over an existing file is what makes a write slow on ext4,
   * which flushes the new file's data and frees the old inode in the rename), replaced when damaged,
   * and rewritten when old, so a concurrent `git prune` does not delete an object we reference.
   */
  write(type: ObjectType, data: Buffer): string {
    const { oid, wrapped } = ObjectStore.hash(type, data);
    const final = this.loosePath(oid);
    // A commit names its parent and time: one already here (a replay made it before) is just rewritten.
    if (type === 'commit' || !this.keep(final, oid)) this.replace(final, deflateObject(wrapped));
    return oid;
  }

  /** The object is already here, whole, and recently written. */
  private keep(final: string, oid: string): boolean {
    // Most objects are new: a stat that returns nothing costs far less than an open that throws.
    const st = fs.statSync(final, { throwIfNoEntry: false });
    if (!st || Date.now() - st.mtimeMs > FRESHEN_AFTER_MS) return false;
    // Checked whole before and its file unchanged since (any rewrite, truncation or replacement changes these).
    const looks = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    if (this.checked.get(oid) === looks) return true;
    let raw: Buffer;
    try {
      raw = fs.readFileSync(final);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false; // pruned or packed away just now
      throw err;
    }
    if (!intact(raw, oid)) return false;
    if (this.checked.size >= CHECKED_MAX) this.checked.clear();
    this.checked.set(oid, looks);
    return true;
  }

  /**
   * Make spare object files back up to the target, in the background: called after a commit, so
   * making them does not slow the writes of the commit itself (on two cores it does).
   */
  refillSpares(): void {
    setImmediate(() => {
      try {
        this.spares.refill();
      } catch (err) {
        // E.g. lockstep/spares is not a directory: commits go on with temp files, and say why once.
        this.spares.drop();
        warnSpare('making spare object files (commits write temp files instead)', err as NodeJS.ErrnoException);
      }
    });
  }

  /** Remove this store's spare files (it is closing). */
  close(): void {
    this.spares.drop();
  }

  private replace(final: string, deflated: Buffer): void {
    const fanout = path.dirname(final);
    if (!this.fanoutMade.has(fanout)) {
      fs.mkdirSync(fanout, { recursive: true });
      this.fanoutMade.add(fanout);
    }
    const spare = this.spares.take();
    if (spare && this.placeSpare(spare, fanout, final, deflated)) return;
    const tmp = path.join(fanout, `tmp_obj_${process.pid}_${++this.tmpCounter}`);
    try {
      writeNew(tmp, deflated);
    } catch (err) {
      // `git gc` removes emptied fan-out dirs; make it again and retry once.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      fs.mkdirSync(fanout, { recursive: true });
      writeNew(tmp, deflated);
    }
    fs.renameSync(tmp, final);
  }

  /** Fill a spare and rename it to the object's name; false when it cannot go there (then a temp file beside it does). */
  private placeSpare(spare: { path: string; fd: number }, fanout: string, final: string, deflated: Buffer): boolean {
    fill(spare.path, spare.fd, deflated);
    for (let attempt = 0; ; attempt++) {
      try {
        fs.renameSync(spare.path, final);
        return true;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // `git gc` removes emptied fan-out dirs: make it again, once.
        if (code === 'ENOENT' && attempt === 0) {
          fs.mkdirSync(fanout, { recursive: true });
          continue;
        }
        fs.rmSync(spare.path, { force: true });
        if (code === 'EXDEV' || code === 'EPERM' || code === 'EACCES') this.spares.drop();
        else if (code !== 'ENOENT') throw err;
        return false;
      }
    }
  }
}
