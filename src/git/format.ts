// Git object formats: tree and commit (de)serialisation, byte-exact with git so fsck --strict is clean.
import { LockstepError } from '../errors.js';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

export interface GitObject {
  type: ObjectType;
  data: Buffer;
}

export const EMPTY_TREE_OID = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
export const TREE_MODE = '40000';
export const FILE_MODE = '100644';
/** An executable file is still a regular file: its content reads the same (nothing is ever run). */
export const EXEC_MODE = '100755';

export function isRegularMode(mode: string): boolean {
  return mode === FILE_MODE || mode === EXEC_MODE;
}

/** What a tree entry of this mode is, for messages ("a symlink (mode 120000)"). */
export function describeMode(mode: string): string {
  if (isRegularMode(mode)) return 'a regular file';
  if (mode === TREE_MODE) return 'a directory';
  if (mode === '120000') return 'a symlink (mode 120000)';
  if (mode === '160000') return 'a submodule (mode 160000)';
  return `an entry of mode ${mode.slice(0, 10)}`;
}

export interface TreeEntry {
  mode: string;
  name: string;
  oid: string;
}

export function parseTree(buf: Buffer, oid: string): TreeEntry[] {
  const out: TreeEntry[] = [];
  let i = 0;
  while (i < buf.length) {
    const sp = buf.indexOf(0x20, i);
    const nul = buf.indexOf(0, sp + 1);
    if (sp < 0 || nul < 0 || nul + 21 > buf.length) throw new LockstepError('OBJECT_CORRUPT', `tree ${oid} is malformed`, { oid });
    out.push({
      mode: buf.toString('latin1', i, sp),
      name: buf.toString('utf8', sp + 1, nul),
      oid: buf.toString('hex', nul + 1, nul + 21),
    });
    i = nul + 21;
  }
  return out;
}

/** Names that sort the same as strings and as UTF-8 bytes (all of ours; a hand-made tree may differ). */
const ASCII = /^[\x00-\x7f]*$/;

/** A hex digit's value by char code, -1 for anything else. */
const HEX_VALUE = new Int8Array(65536).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;

function noOid(e: TreeEntry): LockstepError {
  return new LockstepError('OBJECT_CORRUPT', `tree entry ${JSON.stringify(e.name.slice(0, 80))} has no object id (${JSON.stringify(e.oid.slice(0, 48))})`, { name: e.name.slice(0, 80) });
}

/**
 * Git orders tree entries by name bytes, with directories compared as if their name ended in "/".
 * A tree of a few hundred entries is serialised on every commit that touches it, so the usual case
 * (ASCII names) sorts as strings and writes byte by byte into one buffer sized first.
 */
export function serializeTree(entries: TreeEntry[]): Buffer {
  const keyed = entries.map((e) => ({ e, key: e.mode === TREE_MODE ? `${e.name}/` : e.name }));
  if (!keyed.every((k) => ASCII.test(k.key) && ASCII.test(k.e.mode))) return serializeAnyTree(entries);
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let size = 0;
  for (const { e } of keyed) size += e.mode.length + e.name.length + 22;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const { e } of keyed) {
    const { mode, name, oid } = e;
    for (let i = 0; i < mode.length; i++) out[at++] = mode.charCodeAt(i);
    out[at++] = 0x20;
    for (let i = 0; i < name.length; i++) out[at++] = name.charCodeAt(i);
    out[at++] = 0;
    if (oid.length !== 40) throw noOid(e);
    for (let i = 0; i < 40; i += 2) {
      const hi = HEX_VALUE[oid.charCodeAt(i)]!;
      const lo = HEX_VALUE[oid.charCodeAt(i + 1)]!;
      if ((hi | lo) < 0) throw noOid(e);
      out[at++] = (hi << 4) | lo;
    }
  }
  return out;
}

/** Any names: sorted by their UTF-8 bytes. */
function serializeAnyTree(entries: TreeEntry[]): Buffer {
  const keyed = entries.map((e) => ({ e, key: Buffer.from(e.mode === TREE_MODE ? `${e.name}/` : e.name, 'utf8') }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  const parts: Buffer[] = [];
  for (const { e } of keyed) {
    const oid = Buffer.from(e.oid, 'hex');
    if (oid.length !== 20 || e.oid.length !== 40) throw noOid(e);
    parts.push(Buffer.from(`${e.mode} ${e.name}\0`, 'utf8'), oid);
  }
  return Buffer.concat(parts);
}

export interface Signature {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  time: number;
  tz: string;
}

export interface Commit {
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  message: string;
}

function sigLine(s: Signature): string {
  return `${s.name} <${s.email}> ${s.time} ${s.tz}`;
}

export function serializeCommit(c: Commit): Buffer {
  let head = `tree ${c.tree}\n`;
  for (const p of c.parents) head += `parent ${p}\n`;
  head += `author ${sigLine(c.author)}\ncommitter ${sigLine(c.committer)}\n\n`;
  return Buffer.from(head + c.message, 'utf8');
}

function parseSig(line: string): Signature {
  const m = /^(.*) <([^>]*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (!m) return { name: line, email: '', time: 0, tz: '+0000' };
  return { name: m[1]!, email: m[2]!, time: Number(m[3]), tz: m[4]! };
}

export function parseCommit(buf: Buffer, oid: string): Commit {
  const text = buf.toString('utf8');
  const split = text.indexOf('\n\n');
  const header = split < 0 ? text : text.slice(0, split);
  const message = split < 0 ? '' : text.slice(split + 2);
  let tree = '';
  const parents: string[] = [];
  let author: Signature | undefined;
  let committer: Signature | undefined;
  for (const line of header.split('\n')) {
    if (line.startsWith('tree ')) tree = line.slice(5);
    else if (line.startsWith('parent ')) parents.push(line.slice(7));
    else if (line.startsWith('author ')) author = parseSig(line.slice(7));
    else if (line.startsWith('committer ')) committer = parseSig(line.slice(10));
  }
  if (!/^[0-9a-f]{40}$/.test(tree) || !author || !committer) throw new LockstepError('OBJECT_CORRUPT', `commit ${oid} is malformed`, { oid });
  return { tree, parents, author, committer, message };
}

/** `Key: value` trailers from the last paragraph of a commit message. */
export function parseTrailers(message: string): [string, string][] {
  const paragraphs = message.trimEnd().split(/\n\s*\n/);
  const last = paragraphs[paragraphs.length - 1] ?? '';
  const out: [string, string][] = [];
  for (const line of last.split('\n')) {
    const m = /^([A-Za-z0-9-]+): (.*)$/.exec(line);
    if (m) out.push([m[1]!, m[2]!]);
  }
  return out;
}
