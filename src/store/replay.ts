// Re-running ops on another tip. A state commit carries its op, validated input, actor, role, time
// and entropy (store/commit.ts), and ops are pure, so the same op re-run on another parent is
// deterministic: the same ids, the same times, the same answer unless the new parent makes it fail.
// Also the first-parent history walks that tell which commits of one tip another lacks.
import { z } from 'zod';
import { LockstepError, type ErrorBody } from '../errors.js';
import type { Ctx } from '../state/core/ctx.js';
import type { Op } from '../state/core/op.js';
import { Role } from '../state/core/schema.js';
import { ops } from '../state/ops/index.js';
import { parseCommit, parseTrailers } from '../git/format.js';
import type { ObjectStore } from '../git/objects.js';
import { applyOp, type Applied, type Who } from './commit.js';
import { readEvent, TRAILER } from './events.js';
import type { Snapshot } from './snapshot.js';

const OPS_BY_NAME = new Map<string, Op<z.ZodType, unknown>>(Object.values(ops).map((op) => [op.name, op as Op<z.ZodType, unknown>]));

/** Everything needed to re-run the op a state commit recorded. */
export interface OpCall {
  commit: string;
  parent: string | null;
  opName: string;
  opId: string;
  op: Op<z.ZodType, unknown>;
  input: unknown;
  who: Who;
  ctx: Ctx;
}

/**
 * The op call a commit records; REPLAY_UNSUPPORTED for a commit that records none (made by hand
 * with git, or by a Lockstep older than Lockstep-Input). An input the op no longer accepts is an
 * INVALID_INPUT failure of that op, like any other.
 */
export async function readOpCall(objects: ObjectStore, oid: string, workTree: string | null): Promise<OpCall> {
  const commit = parseCommit(await objects.readAs(oid, 'commit'), oid);
  const trailers = parseTrailers(commit.message);
  const get = (k: string) => trailers.find(([key]) => key === k)?.[1];
  const opName = get(TRAILER.op);
  const rawInput = get(TRAILER.input);
  const opId = get(TRAILER.opId);
  const time = Date.parse(get(TRAILER.time) ?? '');
  const op = opName ? OPS_BY_NAME.get(opName) : undefined;
  const role = Role.safeParse(get(TRAILER.role));
  if (!op || rawInput === undefined || !opId || !Number.isFinite(time) || !role.success) {
    const subject = commit.message.split('\n')[0]?.slice(0, 120) ?? '';
    throw new LockstepError(
      'REPLAY_UNSUPPORTED',
      `state commit ${oid.slice(0, 12)} ("${subject}") is not published yet and records no op input to re-run (made with plain git, or by an older Lockstep); \`lockstep sync --republish\` or \`--adopt-remote\` decides`,
      { commit: oid, op: opName ?? null },
    );
  }
  let input: unknown;
  try {
    input = JSON.parse(rawInput);
  } catch (err) {
    throw new LockstepError('REPLAY_UNSUPPORTED', `state commit ${oid.slice(0, 12)} has a Lockstep-Input that is not JSON (${(err as Error).message})`, { commit: oid, op: opName });
  }
  const author = get(TRAILER.actor) ?? commit.author.name;
  const actor = get(TRAILER.caller) ?? author;
  return {
    commit: oid,
    parent: commit.parents[0] ?? null,
    opName: op.name,
    opId,
    op,
    input,
    who: { actor, role: role.data },
    ctx: { actor, role: role.data, now: time, entropy: opId, workTree },
  };
}

export type ReplayOutcome<R = unknown> =
  | { ok: true; result: R; commit: string | null }
  /** The op failed on the new parent: its normal error (TASK_NOT_CLAIMABLE naming the winner, LOCK_HELD, ...). */
  | { ok: false; error: ErrorBody };

/** Re-run one recorded op on `snap` (its input validated again by the op's schema). */
export function rerun(objects: ObjectStore, snap: Snapshot, call: OpCall): { outcome: ReplayOutcome; applied?: Applied<unknown> } {
  try {
    const parsed = call.op.input.safeParse(call.input);
    if (!parsed.success) {
      const text = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new LockstepError('INVALID_INPUT', `the recorded input of ${call.opName} no longer validates: ${text}`.slice(0, 1000));
    }
    const applied = applyOp(objects, snap, call.op as Op<never, unknown>, parsed.data, call.who, call.ctx);
    return { outcome: { ok: true, result: applied.result, commit: applied.commit }, applied };
  } catch (err) {
    if (err instanceof LockstepError) return { outcome: { ok: false, error: { code: err.code, message: err.message, data: err.data } } };
    throw err;
  }
}

export interface Fork {
  /** The newest commit both histories share (first parents only), or null when they share none. */
  base: string | null;
  /** Commits of `a` after the base, oldest first. */
  onlyA: string[];
  /** Commits of `b` after the base, oldest first. */
  onlyB: string[];
}

/**
 * Where the first-parent histories of `a` and `b` meet. Walks both at once, one commit each per
 * step, so the cost is the distance to the fork, not the length of the history.
 */
export async function forkPoint(objects: ObjectStore, a: string | null, b: string | null, max = 200_000): Promise<Fork> {
  const seenA = new Map<string, number>();
  const seenB = new Map<string, number>();
  const listA: string[] = [];
  const listB: string[] = [];
  let pa = a;
  let pb = b;
  const done = (base: string | null): Fork => {
    const cutA = base === null ? listA.length : seenA.get(base)!;
    const cutB = base === null ? listB.length : seenB.get(base)!;
    return { base, onlyA: listA.slice(0, cutA).reverse(), onlyB: listB.slice(0, cutB).reverse() };
  };
  for (let steps = 0; pa !== null || pb !== null; steps++) {
    if (steps > max) throw new LockstepError('GIT_IO', `the state histories ${a} and ${b} share no commit within ${max} commits`, { a, b });
    if (pa !== null) {
      seenA.set(pa, listA.length);
      listA.push(pa);
      if (seenB.has(pa)) return done(pa);
      pa = (await readEvent(objects, pa)).parent;
    }
    if (pb !== null) {
      seenB.set(pb, listB.length);
      listB.push(pb);
      if (seenA.has(pb)) return done(pb);
      pb = (await readEvent(objects, pb)).parent;
    }
  }
  return done(null);
}

/** Whether `ancestor` is `tip` or on its first-parent history. */
export async function isAncestor(objects: ObjectStore, ancestor: string, tip: string | null, max = 1_000_000): Promise<boolean> {
  let oid = tip;
  for (let i = 0; oid !== null && i < max; i++) {
    if (oid === ancestor) return true;
    oid = (await readEvent(objects, oid)).parent;
  }
  return false;
}

/** The commit of `opId` among the newest `max` first-parent commits of `tip`, or null. */
export async function findOp(objects: ObjectStore, tip: string | null, opId: string, max = 10_000): Promise<string | null> {
  let oid = tip;
  for (let i = 0; oid !== null && i < max; i++) {
    const { event, parent } = await readEvent(objects, oid);
    if (event.opId === opId) return oid;
    oid = parent;
  }
  return null;
}

/** The op ids of `commits`. */
export async function opIdsOf(objects: ObjectStore, commits: string[]): Promise<(string | undefined)[]> {
  const out: (string | undefined)[] = [];
  for (const c of commits) out.push((await readEvent(objects, c)).event.opId);
  return out;
}
