// Persisted snapshot: the decoded state tree saved under the common git dir, keyed by tree oids.
// A fresh process loads it and then reads from git only the subtrees whose oids differ, so a cold
// start on a 10k-task state does not parse 10k YAML files. Content-addressed, so never stale,
// only incomplete; a file that fails to load is reported and ignored (the state is in git).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { schemaFingerprint } from '../state/core/layout.js';
import { FORMAT_VERSION } from '../state/core/schema.js';
import type { GitRepo } from '../git/repo.js';
import type { Decoded } from '../state/core/codec.js';
import type { DirNode, FileNode, Node } from './snapshot.js';

const CACHE_VERSION = 1;

type FileJson = { o: string; m: string; d?: Decoded; x?: string };
type DirJson = { t: string; e: Record<string, NodeJson> };
type NodeJson = FileJson | DirJson;

let fingerprint: string | undefined;
function cacheKey(): string {
  fingerprint ??= crypto.createHash('sha1').update(`${CACHE_VERSION}:${FORMAT_VERSION}:${schemaFingerprint()}`).digest('hex');
  return fingerprint;
}

export function cachePath(repo: GitRepo): string {
  return path.join(repo.commonDir, 'lockstep', 'snapshot.json');
}

function toJson(node: Node): NodeJson {
  if (node.kind === 'file') {
    const out: FileJson = { o: node.oid, m: node.mode };
    if (node.decoded) out.d = node.decoded;
    else if (node.text !== undefined) out.x = node.text;
    return out;
  }
  const e: Record<string, NodeJson> = {};
  for (const [name, child] of node.entries) e[name] = toJson(child);
  return { t: node.oid, e };
}

function deepFreeze(value: unknown): void {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
}

function fromJson(json: NodeJson): Node {
  if ('e' in json) {
    const entries = new Map<string, Node>();
    for (const [name, child] of Object.entries(json.e)) entries.set(name, fromJson(child));
    return { kind: 'dir', oid: json.t, entries };
  }
  const node: FileNode = { kind: 'file', mode: json.m, oid: json.o };
  if (json.d) {
    if (json.d.ok) deepFreeze(json.d.value);
    node.decoded = json.d;
  } else if (json.x !== undefined) node.text = json.x;
  return node;
}

export function saveSnapshot(repo: GitRepo, root: DirNode): void {
  const file = cachePath(repo);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify({ key: cacheKey(), root: toJson(root) }));
  fs.renameSync(tmp, file);
}

/** The saved tree, or undefined when there is none or it was written by another schema version. */
export function loadSavedSnapshot(repo: GitRepo): DirNode | undefined {
  let text: string;
  try {
    text = fs.readFileSync(cachePath(repo), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: { key?: string; root?: DirJson };
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    process.stderr.write(`lockstep: ignoring unreadable snapshot cache ${cachePath(repo)}: ${(err as Error).message}\n`);
    return undefined;
  }
  if (parsed.key !== cacheKey() || !parsed.root || !('e' in parsed.root)) return undefined;
  return fromJson(parsed.root) as DirNode;
}
