// An fs for isomorphic-git that honours `commondir`: isomorphic-git would look for objects and refs
// inside a linked worktree's own git dir; git keeps them in the common dir.
import fs from 'node:fs';
import path from 'node:path';
import type { PromiseFsClient } from 'isomorphic-git';
import { isPackTemp } from './pack.js';
import type { GitRepo } from './repo.js';

/** Per-worktree paths (relative to the git dir), after git's own list in path.c; all else is common. */
const PER_WORKTREE = [/^HEAD$/, /^index$/, /^[A-Z_]+_HEAD$/, /^MERGE_(MSG|MODE)$/, /^logs\/HEAD$/, /^(logs\/)?refs\/(bisect|worktree|rewritten)(\/|$)/, /^info\/sparse-checkout$/, /^(commondir|gitdir|locked|config\.worktree)$/];
const COMMON = /^(objects|refs|logs|hooks|info|remotes|branches|rr-cache|svn|worktrees|lost-found|common)(\/|$)|^(config|packed-refs|shallow)$/;

export function commonPath(repo: GitRepo, p: string): string {
  // Non-strings go through untouched: isomorphic-git probes e.g. readFile(undefined) and needs the
  // rejected promise, not a synchronous throw from path.relative (which hangs its caller).
  if (typeof p !== 'string' || repo.gitDir === repo.commonDir) return p;
  const rel = path.relative(repo.gitDir, p);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return p;
  const posix = rel.split(path.sep).join('/');
  if (PER_WORKTREE.some((re) => re.test(posix))) return p;
  return COMMON.test(posix) ? path.join(repo.commonDir, rel) : p;
}

/** The promise fs isomorphic-git needs, with every path argument mapped through commonPath. */
export function commondirFs(repo: GitRepo): PromiseFsClient {
  const p = fs.promises as unknown as Record<string, (...a: unknown[]) => unknown>;
  const map1 = (name: string) => (file: string, ...rest: unknown[]) => p[name]!(commonPath(repo, file), ...rest);
  return {
    promises: {
      readFile: map1('readFile'),
      writeFile: map1('writeFile'),
      unlink: map1('unlink'),
      // git writes packs as objects/pack/.tmp-*; isomorphic-git would try to read them mid-gc.
      readdir: async (dir: string, ...rest: unknown[]) => {
        const names = (await p.readdir!(commonPath(repo, dir), ...rest)) as string[];
        return /[\\/]objects[\\/]pack[\\/]?$/.test(dir) ? names.filter((n) => !isPackTemp(n)) : names;
      },
      mkdir: map1('mkdir'),
      rmdir: map1('rmdir'),
      stat: map1('stat'),
      lstat: map1('lstat'),
      readlink: map1('readlink'),
      symlink: (target: string, file: string) => p.symlink!(target, commonPath(repo, file)),
      chmod: map1('chmod'),
    },
  };
}
