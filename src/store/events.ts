// Events are state commits: subject plus Lockstep-* trailers. Reading "what happened since cursor"
// walks first parents from the tip back to the cursor commit.
import { LockstepError } from '../errors.js';
import { parseCommit, parseTrailers } from '../git/format.js';
import type { ObjectStore } from '../git/objects.js';

export interface StateEvent {
  /** The commit oid; pass it back as `cursor` to read what came after. */
  cursor: string;
  op: string;
  opId?: string;
  actor: string;
  role?: string;
  entities: string[];
  subject: string;
  data?: Record<string, unknown>;
  /** When the op ran, from its Lockstep-Time trailer (else the commit time, in whole seconds). */
  at: string;
}

export const TRAILER = {
  op: 'Lockstep-Op',
  opId: 'Lockstep-Op-Id',
  actor: 'Lockstep-Actor',
  /** The op's clock in milliseconds (the commit dates of git have whole seconds only). */
  time: 'Lockstep-Time',
  role: 'Lockstep-Role',
  entity: 'Lockstep-Entity',
  data: 'Lockstep-Data',
  recoveredLock: 'Lockstep-Recovered-Lock',
  /** The op's validated input, one line of JSON: what a replay on another tip re-runs. */
  input: 'Lockstep-Input',
  /** Who called the op, when the commit is authored as someone else (agent.register). */
  caller: 'Lockstep-Caller',
} as const;

interface Parsed {
  event: StateEvent;
  parent: string | null;
}

/** Parsed commits by oid (immutable, so never invalid); bounded so a long-lived server stays small. */
const cache = new Map<string, Parsed>();
const CACHE_MAX = 4096;

export async function readEvent(objects: ObjectStore, oid: string): Promise<Parsed> {
  const hit = cache.get(oid);
  if (hit) return hit;
  const commit = parseCommit(await objects.readAs(oid, 'commit'), oid);
  const trailers = parseTrailers(commit.message);
  const get = (k: string) => trailers.find(([key]) => key === k)?.[1];
  let data: Record<string, unknown> | undefined;
  const rawData = get(TRAILER.data);
  if (rawData) {
    try {
      data = JSON.parse(rawData) as Record<string, unknown>;
    } catch {
      data = { unparsed: rawData };
    }
  }
  const event: StateEvent = {
    cursor: oid,
    op: get(TRAILER.op) ?? 'external',
    opId: get(TRAILER.opId),
    actor: get(TRAILER.actor) ?? commit.author.name,
    role: get(TRAILER.role),
    entities: trailers.filter(([k]) => k === TRAILER.entity).map(([, v]) => v),
    subject: commit.message.split('\n')[0] ?? '',
    data,
    at: get(TRAILER.time) ?? new Date(commit.committer.time * 1000).toISOString(),
  };
  const parsed = { event, parent: commit.parents[0] ?? null };
  cache.set(oid, parsed);
  if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value!);
  return parsed;
}

/**
 * Commits after `cursor` up to `tip`, oldest first. A cursor that is not in the history (a typo,
 * or another repository's) is CURSOR_UNKNOWN rather than a silent replay of everything.
 */
export async function eventsSince(objects: ObjectStore, tip: string | null, cursor: string | null, maxWalk = 100_000): Promise<StateEvent[]> {
  const out: StateEvent[] = [];
  let oid = tip;
  while (oid !== null && oid !== cursor) {
    if (out.length >= maxWalk) throw new LockstepError('CURSOR_UNKNOWN', `cursor ${cursor} is more than ${maxWalk} commits back; call again without a cursor`, { cursor });
    const { event, parent } = await readEvent(objects, oid);
    out.push(event);
    oid = parent;
  }
  if (oid !== cursor) {
    throw new LockstepError('CURSOR_UNKNOWN', `cursor ${cursor} is not a commit of the state history; call again without a cursor`, { cursor });
  }
  return out.reverse();
}

/** The newest `limit` events matching `keep`, newest first, scanning at most `maxScan` commits. */
export async function recentEvents(objects: ObjectStore, tip: string | null, limit: number, keep: (e: StateEvent) => boolean, maxScan = 20_000): Promise<StateEvent[]> {
  const out: StateEvent[] = [];
  let oid = tip;
  for (let scanned = 0; oid !== null && out.length < limit && scanned < maxScan; scanned++) {
    const { event, parent } = await readEvent(objects, oid);
    if (keep(event)) out.push(event);
    oid = parent;
  }
  return out;
}
