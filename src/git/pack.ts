// Reading objects from git pack files (idx v2 + pack v2), synchronously. isomorphic-git reads
// ~2,000 packed objects/s one promise at a time; a cold start on a packed 10k-task state needs
// 11k objects, so the state's hot path reads packs itself (pread per entry, deltas resolved).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { LockstepError } from '../errors.js';
import type { GitObject, ObjectType } from './format.js';

/** Files git is still writing in objects/pack (`.tmp-*`, `tmp_*`): never read them. */
export function isPackTemp(name: string): boolean {
  return name.startsWith('.tmp') || name.startsWith('tmp_');
}

const TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;

class PackIndex {
  readonly count: number;
  private readonly fanout: Uint32Array;

  constructor(
    readonly idxPath: string,
    private readonly buf: Buffer,
  ) {
    if (buf.readUInt32BE(0) !== 0xff744f63 || buf.readUInt32BE(4) !== 2) throw new LockstepError('OBJECT_CORRUPT', `${idxPath} is not a version 2 pack index`);
    this.fanout = new Uint32Array(256);
    for (let i = 0; i < 256; i++) this.fanout[i] = buf.readUInt32BE(8 + i * 4);
    this.count = this.fanout[255]!;
  }

  /** Offset of the object whose 20-byte id is `key`, or -1. */
  find(key: Buffer): number {
    const first = key[0]!;
    let lo = first === 0 ? 0 : this.fanout[first - 1]!;
    let hi = this.fanout[first]!;
    const base = 8 + 256 * 4;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const cmp = this.buf.compare(key, 0, 20, base + mid * 20, base + mid * 20 + 20);
      if (cmp === 0) return this.offsetAt(mid);
      if (cmp > 0) hi = mid;
      else lo = mid + 1;
    }
    return -1;
  }

  private offsetAt(i: number): number {
    const offsets = 8 + 256 * 4 + this.count * 24;
    const off = this.buf.readUInt32BE(offsets + i * 4);
    if (!(off & 0x80000000)) return off;
    const large = offsets + this.count * 4 + (off & 0x7fffffff) * 8;
    return Number(this.buf.readBigUInt64BE(large));
  }
}

interface Entry {
  type: number;
  size: number;
  /** Where the zlib data starts. */
  dataAt: number;
  baseOffset?: number;
  baseOid?: string;
}

/** Packs up to this size are read into memory once; larger ones are read entry by entry. */
const IN_MEMORY_MAX = 64 * 1024 * 1024;

class Pack {
  readonly fd: number;
  readonly size: number;
  private readonly whole: Buffer | null;

  constructor(
    readonly index: PackIndex,
    readonly packPath: string,
  ) {
    this.fd = fs.openSync(packPath, 'r');
    this.size = fs.fstatSync(this.fd).size;
    this.whole = this.size <= IN_MEMORY_MAX ? fs.readFileSync(this.fd) : null;
  }

  private read(at: number, length: number): Buffer {
    const len = Math.max(0, Math.min(length, this.size - at));
    if (this.whole) return this.whole.subarray(at, at + len);
    const buf = Buffer.allocUnsafe(len);
    const n = fs.readSync(this.fd, buf, 0, len, at);
    return buf.subarray(0, n);
  }

  entry(offset: number): Entry {
    const head = this.read(offset, 32);
    let i = 0;
    let c = head[i++]!;
    const type = (c >> 4) & 7;
    let size = c & 15;
    let shift = 4;
    while (c & 0x80) {
      c = head[i++]!;
      size += (c & 0x7f) * 2 ** shift;
      shift += 7;
    }
    if (type === OFS_DELTA) {
      c = head[i++]!;
      let back = c & 0x7f;
      while (c & 0x80) {
        c = head[i++]!;
        back = (back + 1) * 128 + (c & 0x7f);
      }
      return { type, size, dataAt: offset + i, baseOffset: offset - back };
    }
    if (type === REF_DELTA) {
      const baseOid = this.read(offset + i, 20).toString('hex');
      return { type, size, dataAt: offset + i + 20, baseOid };
    }
    return { type, size, dataAt: offset + i };
  }

  /** Inflate the entry's data; the compressed length is unknown, so read a bound and grow if short. */
  inflate(e: Entry): Buffer {
    let want = e.size + (e.size >> 9) + 64;
    for (;;) {
      const chunk = this.read(e.dataAt, want);
      try {
        const out = zlib.inflateSync(chunk);
        if (out.length !== e.size) throw new LockstepError('OBJECT_CORRUPT', `pack entry at ${e.dataAt} in ${this.packPath} has the wrong size`);
        return out;
      } catch (err) {
        if (err instanceof LockstepError || chunk.length < want || want > e.size * 4 + (1 << 20)) throw err;
        want *= 2;
      }
    }
  }
}

function varint(buf: Buffer, pos: { i: number }): number {
  let result = 0;
  let shift = 0;
  let c: number;
  do {
    c = buf[pos.i++]!;
    result += (c & 0x7f) * 2 ** shift;
    shift += 7;
  } while (c & 0x80);
  return result;
}

/** Apply a git delta to its base. */
function applyDelta(base: Buffer, delta: Buffer): Buffer {
  const pos = { i: 0 };
  const srcSize = varint(delta, pos);
  if (srcSize !== base.length) throw new LockstepError('OBJECT_CORRUPT', 'delta base has the wrong size');
  const out = Buffer.allocUnsafe(varint(delta, pos));
  let o = 0;
  while (pos.i < delta.length) {
    const op = delta[pos.i++]!;
    if (op & 0x80) {
      let off = 0;
      let len = 0;
      for (let b = 0; b < 4; b++) if (op & (1 << b)) off += delta[pos.i++]! * 2 ** (8 * b);
      for (let b = 0; b < 3; b++) if (op & (0x10 << b)) len += delta[pos.i++]! * 2 ** (8 * b);
      if (len === 0) len = 0x10000;
      base.copy(out, o, off, off + len);
      o += len;
    } else if (op > 0) {
      delta.copy(out, o, pos.i, pos.i + op);
      o += op;
      pos.i += op;
    } else {
      throw new LockstepError('OBJECT_CORRUPT', 'delta has a zero opcode');
    }
  }
  if (o !== out.length) throw new LockstepError('OBJECT_CORRUPT', 'delta result has the wrong size');
  return out;
}

/** All packs of an object directory. Rescanned when an object is not found (gc makes new packs). */
export class PackSet {
  private packs = new Map<string, Pack>();
  /** Resolved delta bases by pack offset: tree deltas chain, and siblings share bases. */
  private readonly bases = new Map<string, GitObject>();

  constructor(private readonly packDir: string) {}

  private rescan(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.packDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const idx = new Set(names.filter((n) => n.endsWith('.idx') && !isPackTemp(n) && names.includes(n.replace(/\.idx$/, '.pack'))));
    for (const [name, pack] of this.packs) {
      if (!idx.has(name)) {
        fs.closeSync(pack.fd);
        this.packs.delete(name);
      }
    }
    for (const name of idx) {
      if (this.packs.has(name)) continue;
      const idxPath = path.join(this.packDir, name);
      try {
        this.packs.set(name, new Pack(new PackIndex(idxPath, fs.readFileSync(idxPath)), idxPath.replace(/\.idx$/, '.pack')));
      } catch (err) {
        // A pack being replaced by `git gc` can vanish between listing and opening.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }

  private locate(oid: string): { pack: Pack; offset: number } | null {
    const key = Buffer.from(oid, 'hex');
    for (const pack of this.packs.values()) {
      const offset = pack.index.find(key);
      if (offset >= 0) return { pack, offset };
    }
    return null;
  }

  /**
   * The object, or null when no pack has it. With `rescan` false only packs already open are asked
   * (memory only); with true the pack directory is listed again first (gc makes new packs).
   * `external` resolves ref-delta bases stored elsewhere.
   */
  read(oid: string, rescan: boolean, external: (oid: string) => GitObject | null): GitObject | null {
    if (rescan) this.rescan();
    const hit = this.locate(oid);
    return hit ? this.readAt(hit.pack, hit.offset, external, 0) : null;
  }

  private readAt(pack: Pack, offset: number, external: (oid: string) => GitObject | null, depth: number): GitObject {
    const key = `${pack.packPath}:${offset}`;
    const cached = this.bases.get(key);
    if (cached) return cached;
    if (depth > 10_000) throw new LockstepError('OBJECT_CORRUPT', `delta chain too long in ${pack.packPath}`);
    const e = pack.entry(offset);
    let obj: GitObject;
    if (e.type === OFS_DELTA || e.type === REF_DELTA) {
      let base: GitObject | null;
      if (e.baseOffset !== undefined) base = this.readAt(pack, e.baseOffset, external, depth + 1);
      else {
        const local = pack.index.find(Buffer.from(e.baseOid!, 'hex'));
        base = local >= 0 ? this.readAt(pack, local, external, depth + 1) : external(e.baseOid!);
      }
      if (!base) throw new LockstepError('OBJECT_MISSING', `delta base ${e.baseOid} is missing`, { oid: e.baseOid });
      obj = { type: base.type, data: applyDelta(base.data, pack.inflate(e)) };
      this.remember(key, obj);
    } else {
      const type = TYPES[e.type];
      if (!type) throw new LockstepError('OBJECT_CORRUPT', `unknown pack entry type ${e.type} in ${pack.packPath}`);
      obj = { type, data: pack.inflate(e) };
      // Trees are the usual delta bases; keep them so a chain is resolved once.
      if (type === 'tree') this.remember(key, obj);
    }
    return obj;
  }

  private remember(key: string, obj: GitObject): void {
    this.bases.set(key, obj);
    if (this.bases.size > 2048) this.bases.delete(this.bases.keys().next().value!);
  }
}
