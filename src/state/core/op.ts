// The pure op contract: run(state, input, ctx) -> {changes, result, event}, or throw LockstepError.
import type { z } from 'zod';
import type { Ctx } from './ctx.js';
import type { State } from './state.js';

/** A whole-file write (value) or a delete (null) at a state path. */
export interface Change {
  path: string;
  value: unknown;
}

export interface OpEvent {
  /** What the commit subject says after the op name, e.g. `T-7K2M` or `T-7K2M -> done`. */
  subject: string;
  /** Ids the op touched; one `Lockstep-Entity:` trailer each. */
  entities: string[];
  /** Small structured detail for events_wait readers (kept on one line in the commit). */
  data?: Record<string, unknown>;
  /** Commit as this agent instead of ctx.actor: only agent.register, which assigns the name. */
  actor?: string;
}

export interface OpResult<R> {
  changes: Change[];
  result: R;
  event?: OpEvent;
}

export interface Op<S extends z.ZodType, R> {
  /** Dotted name used in commit subjects and trailers: `task.claim`. */
  name: string;
  input: S;
  run(state: State, input: z.output<S>, ctx: Ctx): OpResult<R>;
}

export function defineOp<S extends z.ZodType, R>(op: Op<S, R>): Op<S, R> {
  return op;
}
