// Writing a change set: new blobs, then copy-on-write trees along each changed path, bottom up.
// Unchanged subtrees keep their oids, so a commit costs O(depth x width of the changed dirs).
import { decodeWritten } from '../state/core/codec.js';
import { FILE_MODE, serializeTree, TREE_MODE, type TreeEntry } from '../git/format.js';
import type { ObjectStore } from '../git/objects.js';
import { EMPTY_ROOT, freshFiles, type DirNode, type Node } from './snapshot.js';

export interface FileWrite {
  path: string;
  /** New file content, or null to delete. */
  text: string | null;
  /** The value `text` encodes (the op's output). */
  value: unknown;
}

interface Pending extends FileWrite {
  segments: string[];
}

function applyDir(objects: ObjectStore, dir: DirNode | undefined, pending: Pending[], depth: number): DirNode | undefined {
  const entries = new Map<string, Node>(dir?.entries ?? []);
  const deeper = new Map<string, Pending[]>();
  for (const p of pending) {
    const name = p.segments[depth]!;
    if (depth === p.segments.length - 1) {
      if (p.text === null) entries.delete(name);
      else {
        const oid = objects.write('blob', Buffer.from(p.text, 'utf8'));
        // The new snapshot must hold exactly what other processes will decode from the file.
        entries.set(name, { kind: 'file', mode: FILE_MODE, oid, decoded: decodeWritten(p.path, p.value) });
        freshFiles.count++;
      }
    } else {
      let list = deeper.get(name);
      if (!list) deeper.set(name, (list = []));
      list.push(p);
    }
  }
  for (const [name, list] of deeper) {
    const child = entries.get(name);
    const next = applyDir(objects, child?.kind === 'dir' ? child : undefined, list, depth + 1);
    if (next) entries.set(name, next);
    else entries.delete(name);
  }
  if (entries.size === 0 && depth > 0) return undefined; // git has no empty directories
  const list: TreeEntry[] = [];
  for (const [name, node] of entries) list.push({ mode: node.kind === 'dir' ? TREE_MODE : node.mode, name, oid: node.oid });
  return { kind: 'dir', oid: objects.write('tree', serializeTree(list)), entries };
}

/** Write blobs and trees for `writes` on top of `root`; returns the new root (possibly the empty tree). */
export function writeTree(objects: ObjectStore, root: DirNode, writes: FileWrite[]): DirNode {
  const pending = writes.map((w) => ({ ...w, segments: w.path.split('/') }));
  return applyDir(objects, root, pending, 0) ?? EMPTY_ROOT;
}
