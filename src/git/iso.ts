// isomorphic-git, loaded on first use: most commands never need it (worktrees, merges and a fallback
// object read do), and importing it costs about 100 ms of every process start.
import type IsoGit from 'isomorphic-git';

let loaded: Promise<typeof IsoGit> | undefined;

export function isoGit(): Promise<typeof IsoGit> {
  loaded ??= import('isomorphic-git').then((m) => m.default);
  return loaded;
}
