// Opportunistic `git gc --auto` when the git CLI exists: loose objects grow with every state commit.
// Never `--prune=now` (DESIGN 4): objects written by a concurrent agent must survive.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { pruneExpiresNow } from './config.js';
import type { GitRepo } from './repo.js';

let gitMissing = false;

/** Start `git gc --auto` detached; returns false when there is no git CLI to run it with. */
export function startAutoGc(repo: GitRepo): boolean {
  if (gitMissing) return false;
  // A repository set to gc.pruneExpire=now would prune what a concurrent agent is writing: not in our gc.
  const safePrune = pruneExpiresNow(repo) ? ['-c', 'gc.pruneExpire=2.weeks.ago'] : [];
  const child = spawn('git', [`--git-dir=${repo.commonDir}`, ...safePrune, 'gc', '--auto', '--quiet'], { stdio: 'ignore', detached: true });
  child.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') gitMissing = true;
    else process.stderr.write(`lockstep: git gc --auto failed to start: ${err.message}\n`);
  });
  // Maintenance must not slow the agents down: lowest CPU priority (it only reads and packs).
  if (child.pid !== undefined) os.setPriority(child.pid, 19);
  child.unref();
  return true;
}
