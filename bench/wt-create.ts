// One cold worktree_create (fresh process, empty caches), timed inside: `tsx bench/wt-create.ts <repo> <agent>` prints ms.
import { discoverRepo } from '../src/git/repo.js';
import { createWorktree } from '../src/git/worktrees.js';

const [dir, agent] = process.argv.slice(2);
const repo = discoverRepo(dir!);
const start = performance.now();
const r = await createWorktree(repo, agent!);
const elapsed = performance.now() - start;
if (!r.created) throw new Error(`${agent}: worktree already existed`);
process.stdout.write(`${elapsed}\n`);
