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
  return JSON.stringify(RULES.map((r) => [r.kind, r.re.source, r.schema ? z.toJSONSchema(r.schema, { io: 'output', unrepresentable: 'any' }) : null]));
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
