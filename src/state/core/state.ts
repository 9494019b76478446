// State: the typed, read-only view ops and queries see. One instance per snapshot, so lists are memoised.
import type { Decoded } from './codec.js';
import { LockstepError } from '../../errors.js';
import { META_PATH, paths } from './layout.js';
import { FORMAT_VERSION, Meta, type Agent, type Delivery, type Discussion, type Issue, type Lease, type Note, type Task } from './schema.js';

/**
 * A summary of the files below a directory, built bottom-up. The store remembers it per unchanged
 * subtree, so after one change only the changed path is summarised again (a per-commit check
 * over 10,000 tasks must not read 10,000 files).
 */
export interface Fold<T> {
  leaf(path: string, file: Decoded): T;
  combine(parts: T[]): T;
}

/** What the store hands to State: decoded files by path. Implemented over git trees in store/. */
export interface StateFiles {
  file(path: string): Decoded | undefined;
  /** Every file path below `dir` (recursive), in tree order. */
  walk(dir: string): Iterable<string>;
  /** `fold` over the files below `dir`; the same Fold object must be passed each time (it keys the memo). */
  fold<T>(dir: string, fold: Fold<T>): T;
}

/** Oldest first by createdAt, id breaking ties: the order tasks, notes and an issue's tasks are listed in. */
export function oldestFirst(a: { createdAt: string; id: string }, b: { createdAt: string; id: string }): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Task statuses that still need work; "all tasks complete" means none of these is left. */
export const OPEN_STATUSES: ReadonlySet<Task['status']> = new Set(['todo', 'in_progress', 'blocked', 'review']);

/** How many tasks are open (todo, in_progress, blocked, review); corrupt files count as none. */
const OPEN_TASKS: Fold<number> = {
  leaf: (_path, d) => (d.ok && d.kind === 'task' && OPEN_STATUSES.has((d.value as Task).status) ? 1 : 0),
  combine: (parts) => parts.reduce((a, b) => a + b, 0),
};

export interface CorruptFile {
  path: string;
  reason: string;
}

export interface Listing<T> {
  items: T[];
  corrupt: CorruptFile[];
}

const DEFAULT_META: Meta = Object.freeze(Meta.parse({ format: FORMAT_VERSION })) as Meta;

function corruptError(d: { path: string; reason: string }): LockstepError {
  return new LockstepError('STATE_CORRUPT', `${d.path} is corrupt (${d.reason}); fix or restore it with git (git log -p lockstep/state -- ${d.path})`, {
    path: d.path,
    reason: d.reason,
  });
}

export class State {
  private readonly memo = new Map<string, Listing<unknown>>();
  private byIssue: Map<string, Task[]> | undefined;

  constructor(private readonly files: StateFiles) {}

  /** lockstep.yaml, or the defaults for a repository that has no state yet. */
  meta(): Meta {
    const d = this.files.file(META_PATH);
    if (!d) return DEFAULT_META;
    if (!d.ok) throw corruptError(d);
    const meta = d.value as Meta;
    if (meta.format > FORMAT_VERSION) {
      throw new LockstepError('FORMAT_TOO_NEW', `the state was written in format ${meta.format}; this Lockstep reads format ${FORMAT_VERSION}. Upgrade Lockstep.`, {
        format: meta.format,
        supported: FORMAT_VERSION,
      });
    }
    return meta;
  }

  hasMeta(): boolean {
    return this.files.file(META_PATH) !== undefined;
  }

  /** True when any file exists at the path, even a corrupt one (ids must not be reused). */
  exists(path: string): boolean {
    const d = this.files.file(path);
    // A corrupt entry on the way (e.g. `tasks` as a symlink) is no answer for this path: say what is wrong.
    if (d && !d.ok && d.path !== path) throw corruptError(d);
    return d !== undefined;
  }

  private entity<T>(path: string): T | undefined {
    const d = this.files.file(path);
    if (!d) return undefined;
    if (!d.ok) throw corruptError(d);
    return d.value as T;
  }

  private listing<T>(dir: string): Listing<T> {
    let hit = this.memo.get(dir) as Listing<T> | undefined;
    if (hit) return hit;
    const items: T[] = [];
    const corrupt: CorruptFile[] = [];
    for (const path of this.files.walk(dir)) {
      const d = this.files.file(path);
      if (!d) continue;
      if (!d.ok) corrupt.push({ path: d.path, reason: d.reason });
      else if (d.kind !== 'unknown' && d.kind !== 'doc') items.push(d.value as T);
    }
    hit = { items, corrupt };
    this.memo.set(dir, hit);
    return hit;
  }

  task(id: string): Task | undefined {
    return this.entity<Task>(paths.task(id));
  }
  tasks(): Listing<Task> {
    return this.listing<Task>('tasks');
  }
  /** The tasks of one issue, oldest first (one pass over the tasks per snapshot). */
  issueTasks(issueId: string): Task[] {
    if (!this.byIssue) {
      this.byIssue = new Map();
      for (const t of this.tasks().items) {
        if (!t.issue) continue;
        let list = this.byIssue.get(t.issue);
        if (!list) this.byIssue.set(t.issue, (list = []));
        list.push(t);
      }
      for (const list of this.byIssue.values()) list.sort(oldestFirst);
    }
    return this.byIssue.get(issueId) ?? [];
  }
  /** Open tasks (todo, in_progress, blocked, review), counted in O(changed path) per commit. */
  openTaskCount(): number {
    return this.files.fold('tasks', OPEN_TASKS);
  }
  /** A summary of the files below `dir` (see Fold), memoised per unchanged subtree by the store. */
  fold<T>(dir: string, fold: Fold<T>): T {
    return this.files.fold(dir, fold);
  }
  issue(id: string): Issue | undefined {
    return this.entity<Issue>(paths.issue(id));
  }
  issues(): Listing<Issue> {
    return this.listing<Issue>('issues');
  }
  lease(id: string): Lease | undefined {
    return this.entity<Lease>(paths.lease(id));
  }
  leases(): Listing<Lease> {
    return this.listing<Lease>('leases');
  }
  agent(name: string): Agent | undefined {
    return this.entity<Agent>(paths.agent(name));
  }
  agents(): Listing<Agent> {
    return this.listing<Agent>('agents');
  }
  notes(): Listing<Note> {
    return this.listing<Note>('notes');
  }
  discussion(id: string): Discussion | undefined {
    return this.entity<Discussion>(paths.discussion(id));
  }
  discussions(): Listing<Discussion> {
    return this.listing<Discussion>('discussions');
  }
  deliveries(): Listing<Delivery> {
    return this.listing<Delivery>('deliveries');
  }
  delivery(id: string): Delivery | undefined {
    return this.entity<Delivery>(paths.delivery(id));
  }
  /** A markdown doc's text, or undefined when there is none at the path (STATE_CORRUPT for a symlink or a directory there). */
  doc(path: string): string | undefined {
    const d = this.files.file(path);
    if (d && !d.ok) throw corruptError(d);
    return d?.ok && typeof d.value === 'string' ? d.value : undefined;
  }

  /** Every file path below `dir`, whatever its kind (for ops that clear a whole directory). */
  filePaths(dir: string): string[] {
    return [...this.files.walk(dir)];
  }

  /** Every corrupt file in the state, for status and doctor. */
  corruptFiles(): CorruptFile[] {
    const out: CorruptFile[] = [];
    const m = this.files.file(META_PATH);
    if (m && !m.ok) out.push({ path: m.path, reason: m.reason });
    for (const dir of ['tasks', 'issues', 'leases', 'agents', 'notes', 'discussions', 'deliveries', 'docs']) out.push(...this.listing(dir).corrupt);
    return out;
  }
}
