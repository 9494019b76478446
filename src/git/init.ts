// Creating a repository without the git CLI (isomorphic-git), for scratch repos and tests.
import fs from 'node:fs';
import { isoGit } from './iso.js';

export interface InitOptions {
  defaultBranch?: string;
  /** Commit every file already in `dir` as the first commit (a brand-new repository: nobody else reads its refs yet). */
  initialCommit?: { message: string; author: { name: string; email: string } };
}

export async function initRepo(dir: string, opts: InitOptions = {}): Promise<void> {
  const git = await isoGit();
  await git.init({ fs, dir, defaultBranch: opts.defaultBranch ?? 'main' });
  if (!opts.initialCommit) return;
  const files = (await git.statusMatrix({ fs, dir })).map(([file]) => file);
  if (files.length) await git.add({ fs, dir, filepath: files });
  await git.commit({ fs, dir, message: opts.initialCommit.message, author: opts.initialCommit.author });
}
