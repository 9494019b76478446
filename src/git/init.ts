// Creating a repository without the git CLI (isomorphic-git), for scratch repos and tests.
import fs from 'node:fs';
import git from 'isomorphic-git';

export async function initRepo(dir: string, defaultBranch = 'main'): Promise<void> {
  await git.init({ fs, dir, defaultBranch });
}
