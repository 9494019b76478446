// Snapshot: the state tree at one commit, materialised in memory. Loading reuses every subtree and
// file whose oid is unchanged from the previous snapshot, so a refresh after one change reads
// only the changed path (DESIGN 4). Files decode lazily and remember the result. An entry that is
// not what Lockstep keeps at its path (a symlink, a submodule, a directory for a file, an unknown
// name in its directories) reads as a corrupt file naming that path.
import { decodeFile, type Decoded } from '../state/core/codec.js';
import { expectedAt, kindOf, misplacedEntry } from '../state/core/layout.js';
import { State, type Fold, type StateFiles } from '../state/core/state.js';
import { describeMode, EMPTY_TREE_OID, isRegularMode, parseCommit, parseTree, TREE_MODE } from '../git/format.js';
import type { ObjectStore } from '../git/objects.js';

export interface FileNode {
  kind: 'file';
  mode: string;
  oid: string;
  /** Raw content until first decoded; absent for non-regular entries (symlinks, submodules). */
  text?: string;
  decoded?: Decoded;
}

export interface DirNode {
  kind: 'dir';
  oid: string;
  entries: ReadonlyMap<string, Node>;
}

export type Node = FileNode | DirNode;

export const EMPTY_ROOT: DirNode = Object.freeze({ kind: 'dir', oid: EMPTY_TREE_OID, entries: new Map() }) as DirNode;

/**
 * Files decoded from YAML or written by this process: the work a persisted snapshot saves the next
 * cold start. The store saves one when enough has accumulated.
 */
export const freshFiles = { count: 0 };

export class Snapshot implements StateFiles {
  readonly state: State;

  constructor(
    /** The commit this snapshot is of; null before the state ref exists. */
    readonly tip: string | null,
    readonly root: DirNode,
  ) {
    this.state = new State(this);
  }

  private lookup(path: string): Node | undefined {
    let node: Node | undefined = this.root;
    if (path === '') return node;
    for (const seg of path.split('/')) {
      if (node?.kind !== 'dir') return undefined;
      node = node.entries.get(seg);
    }
    return node;
  }

  fold<T>(dir: string, fold: Fold<T>): T {
    const node = this.lookup(dir);
    if (node?.kind !== 'dir') return fold.combine([]);
    return foldNode(dir, node, fold);
  }

  file(path: string): Decoded | undefined {
    const segments = path.split('/');
    let node: Node = this.root;
    for (let i = 0; i < segments.length; i++) {
      // Something other than a directory on the way (e.g. `tasks` as a symlink): that entry is what is wrong.
      if (node.kind !== 'dir') {
        const d = decodeNode(segments.slice(0, i).join('/'), node);
        return d.ok ? undefined : d;
      }
      const next = node.entries.get(segments[i]!);
      if (!next) return undefined;
      node = next;
    }
    if (node.kind === 'file') return decodeNode(path, node);
    const expected = expectedAt(path);
    if (expected === 'dir' || expected === undefined) return undefined;
    return { ok: false, kind: kindOf(path)?.kind ?? 'unknown', path, reason: misplacedEntry(path, 'a directory') };
  }

  *walk(dir: string): Iterable<string> {
    const node = this.lookup(dir);
    if (!node) return;
    if (node.kind === 'dir') yield* walkDir(dir, node);
    else yield dir; // the directory itself is a file or a symlink: file(dir) says so
  }
}

/** Every file below `dir`, and every directory where Lockstep keeps none (at a file's name, at an unknown name): file() reports it. */
function* walkDir(dir: string, node: DirNode): Iterable<string> {
  for (const [name, child] of node.entries) {
    const p = `${dir}/${name}`;
    if (child.kind === 'file') yield p;
    else {
      const expected = expectedAt(p);
      if (expected === 'dir' || expected === undefined) yield* walkDir(p, child);
      else yield p;
    }
  }
}

/** Folded values per directory node; nodes are reused across snapshots while their oid is unchanged. */
const folded = new WeakMap<DirNode, Map<Fold<unknown>, unknown>>();

function foldNode<T>(dir: string, node: DirNode, fold: Fold<T>): T {
  let memo = folded.get(node);
  if (memo?.has(fold as Fold<unknown>)) return memo.get(fold as Fold<unknown>) as T;
  const parts: T[] = [];
  for (const [name, child] of node.entries) {
    const p = `${dir}/${name}`;
    parts.push(child.kind === 'dir' ? foldNode(p, child, fold) : fold.leaf(p, decodeNode(p, child)));
  }
  const value = fold.combine(parts);
  if (!memo) folded.set(node, (memo = new Map()));
  memo.set(fold as Fold<unknown>, value);
  return value;
}

export function decodeNode(path: string, node: FileNode): Decoded {
  if (!node.decoded) {
    node.decoded = node.text === undefined ? decodeOther(path, node.mode) : decodeFile(path, node.text);
    delete node.text;
    freshFiles.count++;
  }
  return node.decoded;
}

/**
 * A symlink or submodule entry is never read or followed. Outside Lockstep's names it is someone
 * else's and kept as is; where Lockstep keeps anything, it is corrupt.
 */
function decodeOther(path: string, mode: string): Decoded {
  if (expectedAt(path) === undefined) return { ok: true, kind: 'unknown', value: null };
  return { ok: false, kind: kindOf(path)?.kind ?? 'unknown', path, reason: misplacedEntry(path, describeMode(mode)) };
}

/** Load the tree `oid` at `path`, reusing whatever `prev` already has with the same oids. */
export async function loadTree(objects: ObjectStore, oid: string, prev: DirNode | undefined): Promise<DirNode> {
  if (prev && prev.oid === oid) return prev;
  if (oid === EMPTY_TREE_OID) return EMPTY_ROOT;
  const entries = parseTree(await objects.readAs(oid, 'tree'), oid);
  const map = new Map<string, Node>();
  for (const e of entries) {
    const old = prev?.entries.get(e.name);
    if (e.mode === TREE_MODE) {
      map.set(e.name, await loadTree(objects, e.oid, old?.kind === 'dir' ? old : undefined));
    } else if (old?.kind === 'file' && old.oid === e.oid && old.mode === e.mode) {
      map.set(e.name, old);
    } else if (isRegularMode(e.mode)) {
      map.set(e.name, { kind: 'file', mode: e.mode, oid: e.oid, text: (await objects.readAs(e.oid, 'blob')).toString('utf8') });
    } else {
      map.set(e.name, { kind: 'file', mode: e.mode, oid: e.oid });
    }
  }
  return { kind: 'dir', oid, entries: map };
}

export async function loadSnapshot(objects: ObjectStore, tip: string | null, prev: DirNode | undefined): Promise<Snapshot> {
  if (tip === null) return new Snapshot(null, EMPTY_ROOT);
  const commit = parseCommit(await objects.readAs(tip, 'commit'), tip);
  return new Snapshot(tip, await loadTree(objects, commit.tree, prev));
}
