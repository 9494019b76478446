// One cold worktree_merge (fresh process): `tsx bench/wt-merge.ts <repo> <agent>` prints ms. The
// agent's branch changed a few files, main moved on elsewhere: a two-parent merge, and the clean
// main checkout's working tree is updated.
import { discoverRepo } from '../src/git/repo.js';
import { mergeBranch } from '../src/git/merge.js';

const [dir, agent] = process.argv.slice(2);
const repo = discoverRepo(dir!);
const start = performance.now();
const r = await mergeBranch(repo, { agent: agent!, author: { name: 'bench', email: 'bench@example.com' } });
const elapsed = performance.now() - start;
if (r.status !== 'merged') throw new Error(`${agent}: ${r.status}`);
process.stdout.write(`${elapsed}\n`);
