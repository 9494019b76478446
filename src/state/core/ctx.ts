// What every op and query is given about its call (ctx), and the one way times are written.
import type { Role } from './schema.js';

/** Built once per call by the store; ops never read the clock, env or randomness themselves. */
export interface Ctx {
  actor: string;
  role: Role;
  /** Milliseconds since the epoch, from the injected clock. */
  now: number;
  /** Random hex from the store; the seed for ids minted by this op (and its op id). */
  entropy: string;
  /** The caller's working tree, for turning absolute paths into repo-relative ones; null if bare. */
  workTree: string | null;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
