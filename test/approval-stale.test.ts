// Git-native approvals (issue 17): approving a task records the tree of its owner's worktree branch;
// worktree_merge refuses that branch for the task once its tree changed since (APPROVAL_STALE).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fsckStrict, git, initAgent, makeRepo, toolError } from './helpers.js';

function commitIn(dir: string, file: string, text: string, message: string): string {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

test('an approval records the tree it approved; worktree_merge refuses the branch once it changed (APPROVAL_STALE), and merges the approved tree', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'lead');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const wt = await impl.call<{ dir: string; branch: string }>('worktree_create', {});
  const ids: string[] = [];
  for (const title of ['stale', 'fresh']) ids.push((await planner.call<{ task: { id: string } }>('task_create', { title })).task.id);
  const [stale, fresh] = ids as [string, string];

  await impl.call('task_claim', { id: stale });
  const reviewed = commitIn(wt.dir, 'src/stale.ts', 'export const s = 1;\n', 'stale: reviewed');
  await impl.call('task_submit_for_review', { id: stale, reviewNotes: 'done' });
  const approved = await planner.call<{ task: { approvedTree?: { tree: string; commit: string; branch: string } } }>('task_approve', { id: stale });
  assert.equal(approved.task.approvedTree?.commit, reviewed);
  assert.equal(approved.task.approvedTree?.tree, git(repo, 'rev-parse', `${reviewed}^{tree}`));
  // A commit after the approval: the merge for that task is refused, nothing moves.
  commitIn(wt.dir, 'src/stale.ts', 'export const s = 2; // not reviewed\n', 'after the approval');
  const main = git(repo, 'rev-parse', 'main');
  const err = await toolError(planner.call('worktree_merge', { agent: 'impl-1', task: stale }));
  assert.equal(err.code, 'APPROVAL_STALE');
  assert.equal(git(repo, 'rev-parse', 'main'), main);
  // Back to the approved tree (the extra commit reverted): the same tree merges.
  git(wt.dir, 'revert', '--no-edit', 'HEAD');
  const merged = await planner.call<{ task: { status: string; merged?: { commit: string } } }>('worktree_merge', { agent: 'impl-1', task: stale });
  assert.equal(merged.task.merged?.commit, git(repo, 'rev-parse', 'main'));

  // Approved without a worktree change afterwards: merges at once.
  await impl.call('task_claim', { id: fresh });
  commitIn(wt.dir, 'src/fresh.ts', 'export const f = 1;\n', 'fresh');
  await impl.call('task_submit_for_review', { id: fresh, reviewNotes: 'done' });
  await planner.call('task_approve', { id: fresh });
  await planner.call('worktree_merge', { agent: 'impl-1', task: fresh });
  fsckStrict(repo);
});
