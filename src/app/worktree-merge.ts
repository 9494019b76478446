// worktree.merge: the git work in git/merge.ts, then one state commit (worktree.merge_record).
// Git outcomes become LockstepErrors with stable codes here.
import { z } from 'zod';
import { LockstepError } from '../errors.js';
import { mergeBranch, type Resolution } from '../git/merge.js';
import { agentBranches, treeOfCommit } from '../git/worktrees.js';
import { AgentName, TaskId, type Task } from '../state/core/schema.js';
import { worktreeMergeRecord } from '../state/ops/worktree-merge-record.js';
import { mergeRecordRefusal } from '../state/tasks.js';
import { useCase, type App, type Caller } from './use-case.js';

export interface MergeResult {
  branch: string;
  into: string;
  commit: string;
  previous: string;
  fastForward: boolean;
  /** The main checkout had the target checked out and was brought to the new tip. */
  checkoutUpdated: boolean;
  changedFiles: string[];
  task?: Task;
  note: string;
  /** Lease patterns of the agent released because they cover merged paths. */
  released: string[];
}

/** Planner only. Validates the task first: once the branch has moved, the record must not fail. */
const mergeInput = z.object({
  agent: AgentName,
  into: z.string().max(255).optional(),
  task: TaskId.optional(),
  message: z.string().max(2_000).optional(),
  resolveIn: z.enum(['worktree', 'none']).optional(),
});
type MergeInput = z.output<typeof mergeInput>;

export const worktreeMerge = useCase({ name: 'worktree.merge', input: mergeInput, run: (app, input, caller) => mergeAgentWorktree(app, input, caller) });

async function mergeAgentWorktree(app: App, input: MergeInput, { who }: Caller): Promise<MergeResult> {
  if (who.role !== 'planner' && who.role !== 'all') throw new LockstepError('ROLE_FORBIDDEN', 'only a planner can merge worktrees', { role: who.role });
  const approvedTree = await app.read((state) => {
    mergeRecordRefusal(state, input.task);
    return input.task ? state.task(input.task)?.approvedTree : undefined;
  });
  // The tree approved for the task must be the one merged: commits after the approval were not reviewed.
  const branchTip = agentBranches(app.repo).get(input.agent);
  if (approvedTree && branchTip && approvedTree.branch === `lockstep/${input.agent}`) {
    const tree = await treeOfCommit(app.repo, branchTip);
    if (tree !== approvedTree.tree) {
      throw new LockstepError('APPROVAL_STALE', `${approvedTree.branch} has changed since task ${input.task} was approved (tree ${approvedTree.tree.slice(0, 7)} then, ${tree.slice(0, 7)} now); nothing was merged`, {
        task: input.task,
        approved: approvedTree,
        tree,
        commit: branchTip,
      });
    }
  }
  const r = await mergeBranch(app.repo, {
    agent: input.agent,
    into: input.into,
    message: input.message,
    resolveIn: input.resolveIn,
    author: { name: who.agent, email: `${who.agent}@lockstep` },
  });
  const at = { branch: r.branch, into: r.into };
  switch (r.status) {
    case 'merged': {
      const branchTip = agentBranches(app.repo).get(input.agent); // recorded, so a later check does not see this merge as new
      const rec = await app.transact(worktreeMergeRecord, { agent: input.agent, branch: r.branch, into: r.into, commit: r.commit, fastForward: r.fastForward, changedFiles: r.changedFiles, task: input.task, branchTip }, who);
      return { ...at, commit: r.commit, previous: r.previous, fastForward: r.fastForward, checkoutUpdated: r.checkoutUpdated, changedFiles: r.changedFiles, task: rec.task, note: rec.note.id, released: rec.released };
    }
    case 'up_to_date':
      throw new LockstepError('NOTHING_TO_MERGE', `${r.branch} has nothing ${r.into} does not already have (${r.commit.slice(0, 7)})`, { ...at, commit: r.commit });
    case 'conflict':
      throw new LockstepError('MERGE_CONFLICT', `${r.branch} conflicts with ${r.into} in ${r.files.length} file(s); nothing was changed. ${resolveHint(r.resolve, r.into)}`, { ...at, files: r.files, resolve: r.resolve });
    case 'dirty':
      throw new LockstepError('WORKTREE_DIRTY', `${r.into} is checked out in ${r.worktree} with uncommitted or blocking files (${r.files.slice(0, 5).join(', ')}); commit or stash them, then merge again. Nothing was changed`, { ...at, worktree: r.worktree, files: r.files.slice(0, 100) });
    case 'needs_rebase':
      throw new LockstepError('MERGE_NEEDS_REBASE', `${r.branch} and ${r.into} have ${r.bases.length === 0 ? 'no common history' : `${r.bases.length} merge bases (criss-cross merges)`}; rebase ${r.branch} onto ${r.into} in its worktree (git rebase ${r.into}), then merge again`, { ...at, bases: r.bases });
    case 'branch_missing':
      throw new LockstepError('BRANCH_NOT_FOUND', `branch ${r.missing} does not exist; worktree_list shows agent branches`, { ...at, branch: r.missing });
    case 'checked_out_elsewhere':
      throw new LockstepError('BRANCH_CHECKED_OUT', `${r.into} is checked out in the linked worktree ${r.worktree}; merge into a branch the main checkout has, or one not checked out`, { ...at, worktree: r.worktree });
  }
}

function resolveHint(res: Resolution, into: string): string {
  if (res.prepared) return `The agent resolves it in ${res.worktree}: fix the conflict markers, git add, git commit (a two-parent merge of ${into}), then worktree_merge again.`;
  return `Not prepared in the agent's worktree: ${res.reason ?? 'unknown'}.`;
}
