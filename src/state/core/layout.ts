// Where each entity lives in the state tree (DESIGN 5), and which schema a path is read with.
import { z } from 'zod';
import { Agent, Delivery, Discussion, Issue, Lease, Meta, Note, Task } from './schema.js';

export const META_PATH = 'lockstep.yaml';

/** Shard = the first two characters after the prefix, so a 10k-entity directory never becomes one flat tree. */
export function shardOf(id: string): string {
  return id.slice(2, 4);
}

export const paths = {
  task: (id: string) => `tasks/${shardOf(id)}/${id}.yaml`,
  issue: (id: string) => `issues/${id}.yaml`,
  note: (day: string, id: string) => `notes/${day}/${id}.yaml`,
  lease: (id: string) => `leases/${id}.yaml`,
  agent: (name: string) => `agents/${name}.yaml`,
  discussion: (id: string) => `discussions/${id}.yaml`,
  delivery: (id: string) => `deliveries/${id}.yaml`,
  /** Docs library folders; a doc is `<folder>/<name>.md` with a validated name (state/docs.ts). */
  docFolder: (scope: 'shared' | 'issue' | 'task', owner?: string) => (scope === 'shared' ? 'docs/shared' : `docs/${scope}s/${owner}`),
};

export interface FileKind {
  kind: string;
  schema: z.ZodType | null; // null: raw text (markdown docs)
  /** The id the file name promises; the decoded entity must carry the same one. */
  id?: { field: string; value: string };
  /** Set when the path itself is wrong for its kind (e.g. a task in the wrong shard). */
  problem?: string;
}

const RULES: { re: RegExp; kind: string; schema: z.ZodType | null; idField?: string }[] = [
  { re: /^lockstep\.yaml$/, kind: 'meta', schema: Meta },
  { re: /^tasks\/([0-9A-Z]{2})\/(T-[0-9A-Z]+)\.yaml$/, kind: 'task', schema: Task, idField: 'id' },
  { re: /^issues\/(I-[0-9A-Z]+)\.yaml$/, kind: 'issue', schema: Issue, idField: 'id' },
  { re: /^notes\/\d{4}-\d{2}-\d{2}\/(N-[0-9A-Z]+)\.yaml$/, kind: 'note', schema: Note, idField: 'id' },
  { re: /^leases\/(L-[0-9A-Z]+)\.yaml$/, kind: 'lease', schema: Lease, idField: 'id' },
  { re: /^agents\/([A-Za-z0-9][A-Za-z0-9._-]*)\.yaml$/, kind: 'agent', schema: Agent, idField: 'name' },
  { re: /^discussions\/(D-[0-9A-Z]+)\.yaml$/, kind: 'discussion', schema: Discussion, idField: 'id' },
  { re: /^deliveries\/(V-[0-9A-Z]+)\.yaml$/, kind: 'delivery', schema: Delivery, idField: 'id' },
  { re: /^docs\/.+\.md$/, kind: 'doc', schema: null },
];

/** Every schema a file may be decoded with; a persisted snapshot is only valid for the same set. */
export function schemaFingerprint(): string {
  const rules = RULES.map((r) => [r.kind, r.re.source, r.schema ? z.toJSONSchema(r.schema, { io: 'output', unrepresentable: 'any' }) : null]);
  return JSON.stringify([rules, [...OWNED], DIRS.map((re) => re.source)]);
}

/** The top-level names Lockstep keeps; anything else in the state tree is someone else's and kept untouched. */
const OWNED = new Set(['lockstep.yaml', 'tasks', 'issues', 'notes', 'leases', 'agents', 'discussions', 'deliveries', 'docs']);

/** Every directory Lockstep makes: the ancestors of the files in RULES (doc names may have sub-folders). */
const DIRS: RegExp[] = [
  /^(tasks|issues|notes|leases|agents|discussions|deliveries|docs)$/,
  /^tasks\/[0-9A-Z]{2}$/,
  /^notes\/\d{4}-\d{2}-\d{2}$/,
  /^docs\/(issues|tasks)$/,
  /^docs\/(shared|issues\/I-[0-9A-Z]+|tasks\/T-[0-9A-Z]+)(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/,
];

/**
 * What Lockstep keeps at a state path: a regular file, a directory, nothing (a name it never
 * writes, inside its own directories), or undefined when the path is not Lockstep's at all.
 * Anything else found there (a symlink, a submodule, a directory for a file) is corrupt.
 */
export function expectedAt(path: string): 'file' | 'dir' | 'nothing' | undefined {
  const slash = path.indexOf('/');
  if (!OWNED.has(slash < 0 ? path : path.slice(0, slash))) return undefined;
  const dir = DIRS.some((re) => re.test(path));
  // Directories are checked first (the store asks for each one it walks); only a doc's name, ending
  // in .md, matches both, and there a file belongs.
  if (dir && !path.endsWith('.md')) return 'dir';
  if (kindOf(path)) return 'file';
  return dir ? 'dir' : 'nothing';
}

/** The reason an entry at `path` is corrupt: `what` (e.g. "a symlink (mode 120000)") is not what Lockstep keeps there. */
export function misplacedEntry(path: string, what: string): string {
  const expected = expectedAt(path);
  const there = expected === 'file' ? 'a regular file' : expected === 'dir' ? 'a directory' : 'nothing (Lockstep never writes this name)';
  return `${what} where Lockstep keeps ${there}`;
}

/** The kind of file at a state path, or undefined for files Lockstep does not own (kept untouched). */
export function kindOf(path: string): FileKind | undefined {
  for (const rule of RULES) {
    const m = rule.re.exec(path);
    if (!m) continue;
    const fk: FileKind = { kind: rule.kind, schema: rule.schema };
    if (rule.idField) {
      const id = m[m.length - 1]!;
      fk.id = { field: rule.idField, value: id };
      if (rule.kind === 'task' && shardOf(id) !== m[1]) fk.problem = `task ${id} belongs in shard ${shardOf(id)}, not ${m[1]}`;
    }
    return fk;
  }
  return undefined;
}
