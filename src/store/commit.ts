// One op as one commit object: run the pure op on a snapshot, write its files, trees and the commit
// (subject + Lockstep-* trailers, the op's validated input included so any op can be re-run).
// Used by transact (parent = the local tip) and by replay (parent = another tip).
import { activityChanges } from '../state/activity.js';
import { encodeFile } from '../state/core/codec.js';
import { isoTime, type Ctx } from '../state/core/ctx.js';
import { META_PATH } from '../state/core/layout.js';
import type { Op, OpEvent } from '../state/core/op.js';
import type { Role } from '../state/core/schema.js';
import { serializeCommit } from '../git/format.js';
import type { ObjectStore } from '../git/objects.js';
import type { LockHolder } from '../git/refs.js';
import { TRAILER } from './events.js';
import { Snapshot, type DirNode } from './snapshot.js';
import { writeTree } from './write-tree.js';

export interface Who {
  actor: string;
  role: Role;
}

export interface Applied<R> {
  result: R;
  /** The new commit (parent = the snapshot's tip), or null when the op changed nothing. */
  commit: string | null;
  /** The snapshot at the new commit (the same one when nothing changed). */
  snapshot: Snapshot;
}

function oneLine(s: string, max: number): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, max);
}

/** A recovered lock in one line: whose, and how old (an mtime in the future: how long it was watched). */
export function lockWords(r: LockHolder): string {
  return `${r.lockstep ? `pid ${r.pid} on ${r.host}` : 'git'}, ${Math.round(r.ageMs)} ms old${r.future ? ' (mtime in the future)' : ''}`;
}

/**
 * Subject and trailers. Lockstep-Input is the op's validated input as one line of JSON (JSON escapes
 * every newline), whatever its size: kept in the commit object itself, it travels with every push
 * and fetch and can never be pruned apart from the commit (a separate blob named only in a message
 * would be neither pushed nor kept by gc). With Lockstep-Time (ctx.now), Lockstep-Op-Id
 * (ctx.entropy), the actor and role it is everything a re-run needs.
 */
function commitMessage(opName: string, author: Who, ctx: Ctx, input: unknown, event: OpEvent | undefined, recovered: LockHolder[]): string {
  const subject = oneLine(`${opName}${event?.subject ? ` ${event.subject}` : ''} by ${author.actor}`, 200);
  const trailers = [`${TRAILER.op}: ${opName}`, `${TRAILER.opId}: ${ctx.entropy}`, `${TRAILER.actor}: ${author.actor}`, `${TRAILER.role}: ${author.role}`, `${TRAILER.time}: ${isoTime(ctx.now)}`];
  // agent.register commits as the agent it names; a re-run needs the caller it ran for.
  if (author.actor !== ctx.actor) trailers.push(`${TRAILER.caller}: ${ctx.actor}`);
  for (const id of new Set(event?.entities ?? [])) trailers.push(`${TRAILER.entity}: ${oneLine(id, 200)}`);
  if (event?.data) trailers.push(`${TRAILER.data}: ${JSON.stringify(event.data).slice(0, 4000)}`);
  for (const r of recovered) trailers.push(`${TRAILER.recoveredLock}: ${lockWords(r)}`);
  // JSON leaves U+2028/U+2029 raw, and they end a line for a trailer parser: escaped, JSON.parse reads them back.
  trailers.push(`${TRAILER.input}: ${JSON.stringify(input ?? {}).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}`);
  return `${subject}\n\n${trailers.join('\n')}\n`;
}

/** Run `op` on `snap` with `ctx` and write the commit on top of it (objects only; no ref is touched). */
export function applyOp<R>(objects: ObjectStore, snap: Snapshot, op: Op<never, R>, input: unknown, who: Who, ctx: Ctx, recovered: LockHolder[] = []): Applied<R> {
  const meta = snap.state.meta(); // FORMAT_TOO_NEW or a corrupt lockstep.yaml stops every write
  const out = op.run(snap.state, input as never, ctx);
  if (out.changes.length === 0) return { result: out.result, commit: null, snapshot: snap };
  const author: Who = { actor: out.event?.actor ?? who.actor, role: who.role };
  const changes = [...out.changes, ...activityChanges(snap.state, ctx, out.changes)];
  if (!snap.state.hasMeta() && !changes.some((c) => c.path === META_PATH)) changes.push({ path: META_PATH, value: meta });
  const writes = changes.map((c) => ({ path: c.path, value: c.value, text: c.value === null ? null : encodeFile(c.path, c.value) }));
  const root: DirNode = writeTree(objects, snap.root, writes);
  if (root.oid === snap.root.oid) return { result: out.result, commit: null, snapshot: snap };
  const seconds = Math.floor(ctx.now / 1000);
  const sig = { name: author.actor, email: `${author.actor}@lockstep`, time: seconds, tz: '+0000' };
  const message = commitMessage(op.name, author, ctx, input, out.event, recovered);
  const commit = objects.write('commit', serializeCommit({ tree: root.oid, parents: snap.tip ? [snap.tip] : [], author: sig, committer: sig, message }));
  return { result: out.result, commit, snapshot: new Snapshot(commit, root) };
}
