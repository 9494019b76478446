// What a query of the state is given: the clock and the caller, never more (queries are pure).
import type { Role } from './schema.js';

export interface ReadCtx {
  now: number;
  /** The caller's working tree, for repo-relative paths; null in a bare repository. */
  workTree: string | null;
  /** The state commit read, or null before the first write. */
  tip: string | null;
  /** Who asks (for "mine" queries such as discussion_inbox); `human`/`all` when nobody in particular. */
  actor: string;
  role: Role;
}
