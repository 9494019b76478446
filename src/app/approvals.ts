// task.approve, then what was approved: the tree of the owner's worktree branch, in the next
// commit (task.approval_tree), so worktree_merge can refuse a branch changed since (APPROVAL_STALE).
import { agentBranches, treeOfCommit } from '../git/worktrees.js';
import { taskApprovalTree } from '../state/ops/task-approval-tree.js';
import { taskApprove } from '../state/ops/task-approve.js';
import { useCase } from './use-case.js';

export const taskApproveRecordingTree = useCase({
  name: taskApprove.name,
  input: taskApprove.input,
  async run(app, input, caller) {
    const r = await app.transact(taskApprove, input, caller.who);
    const owner = r.task.owner;
    const tip = owner === undefined ? undefined : agentBranches(app.repo).get(owner);
    if (owner === undefined || tip === undefined) return r;
    const { task } = await app.transact(taskApprovalTree, { id: r.task.id, branch: `lockstep/${owner}`, commit: tip, tree: await treeOfCommit(app.repo, tip) }, caller.who);
    return { ...r, task };
  },
});
