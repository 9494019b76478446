// Writing a change set: new blobs, then copy-on-write trees along each changed path, bottom up.
// Unchanged subtrees keep their oids, so a commit costs O(depth x width of the changed dirs).
// An entry that is not a regular file where one is written, or not a directory on the way, is never
// replaced: the write fails with STATE_CORRUPT naming it, for a person to restore with git.
import { decodeWritten } from '../state/core/codec.js';
import { misplacedEntry } from '../state/core/layout.js';
import { LockstepError } from '../errors.js';
import { describeMode, FILE_MODE, isRegularMode, serializeTree, TREE_MODE, type TreeEntry } from '../git/format.js';
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

function refuseToReplace(path: string, node: Node): LockstepError {
  const reason = misplacedEntry(path, node.kind === 'dir' ? 'a directory' : describeMode(node.mode));
  return new LockstepError('STATE_CORRUPT', `${path} is corrupt (${reason}); nothing was written. Restore it with git (git log -p lockstep/state -- ${path}), then call again`, {
    path,
    reason,
  });
}

function applyDir(objects: ObjectStore, dir: DirNode | undefined, pending: Pending[], depth: number): DirNode | undefined {
  const entries = new Map<string, Node>(dir?.entries ?? []);
  const deeper = new Map<string, Pending[]>();
  for (const p of pending) {
    const name = p.segments[depth]!;
    if (depth === p.segments.length - 1) {
      const old = entries.get(name);
      if (old && (old.kind === 'dir' || !isRegularMode(old.mode))) throw refuseToReplace(p.path, old);
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
    if (child && child.kind !== 'dir') throw refuseToReplace(list[0]!.segments.slice(0, depth + 1).join('/'), child);
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
