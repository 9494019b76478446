// worktree_merge for the adapters: the git work in git/merge.ts, then one state commit
// (worktree.merge_record). Git outcomes become DomainErrors with stable codes here.
import { mergeBranch, type Resolution } from '../git/merge.js';
import { DomainError } from '../state/errors.js';
import { mergeRecordRefusal, worktreeMergeRecord } from '../state/ops/worktree-merge-record.js';
import type { Op } from '../state/op.js';
import { AgentName, type Role, type Task } from '../state/schema.js';
import type { State } from '../state/state.js';
import type { GitRepo } from '../git/repo.js';
import type { z } from 'zod';

/** The part of Lockstep (app.ts) this needs; structural, so the layer table holds. */
interface MergeApp {
  readonly repo: GitRepo;
  run<S extends z.ZodType, R>(op: Op<S, R>, rawInput: unknown, who: { agent: string; role: Role }): Promise<R>;
  read<R>(query: (state: State, ctx: { now: number }) => R): Promise<R>;
}

export interface MergeInput {
  agent: string;
  into?: string;
  task?: string;
  message?: string;
  resolveIn?: 'worktree' | 'none';
}

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
export async function mergeAgentWorktree(app: MergeApp, who: { agent: string; role: Role }, input: MergeInput): Promise<MergeResult> {
  if (who.role !== 'planner' && who.role !== 'all') throw new DomainError('ROLE_FORBIDDEN', 'only a planner can merge worktrees', { role: who.role });
  const agent = AgentName.safeParse(input.agent);
  if (!agent.success) throw new DomainError('INVALID_INPUT', `agent: ${agent.error.issues[0]?.message ?? 'invalid name'}`, { agent: input.agent });
  await app.read((state) => mergeRecordRefusal(state, input.task));
  const r = await mergeBranch(app.repo, {
    agent: agent.data,
    into: input.into,
    message: input.message,
    resolveIn: input.resolveIn,
    author: { name: who.agent, email: `${who.agent}@lockstep` },
  });
  const at = { branch: r.branch, into: r.into };
  switch (r.status) {
    case 'merged': {
      const rec = await app.run(worktreeMergeRecord, { agent: agent.data, branch: r.branch, into: r.into, commit: r.commit, fastForward: r.fastForward, changedFiles: r.changedFiles, task: input.task }, who);
      return { ...at, commit: r.commit, previous: r.previous, fastForward: r.fastForward, checkoutUpdated: r.checkoutUpdated, changedFiles: r.changedFiles, task: rec.task, note: rec.note.id, released: rec.released };
    }
    case 'up_to_date':
      throw new DomainError('NOTHING_TO_MERGE', `${r.branch} has nothing ${r.into} does not already have (${r.commit.slice(0, 7)})`, { ...at, commit: r.commit });
    case 'conflict':
      throw new DomainError('MERGE_CONFLICT', `${r.branch} conflicts with ${r.into} in ${r.files.length} file(s); nothing was changed. ${resolveHint(r.resolve, r.into)}`, { ...at, files: r.files, resolve: r.resolve });
    case 'dirty':
      throw new DomainError('WORKTREE_DIRTY', `${r.into} is checked out in ${r.worktree} with uncommitted or blocking files (${r.files.slice(0, 5).join(', ')}); commit or stash them, then merge again. Nothing was changed`, { ...at, worktree: r.worktree, files: r.files.slice(0, 100) });
    case 'needs_rebase':
      throw new DomainError('MERGE_NEEDS_REBASE', `${r.branch} and ${r.into} have ${r.bases.length === 0 ? 'no common history' : `${r.bases.length} merge bases (criss-cross merges)`}; rebase ${r.branch} onto ${r.into} in its worktree (git rebase ${r.into}), then merge again`, { ...at, bases: r.bases });
    case 'branch_missing':
      throw new DomainError('BRANCH_NOT_FOUND', `branch ${r.missing} does not exist; worktree_list shows agent branches`, { ...at, branch: r.missing });
    case 'checked_out_elsewhere':
      throw new DomainError('BRANCH_CHECKED_OUT', `${r.into} is checked out in the linked worktree ${r.worktree}; merge into a branch the main checkout has, or one not checked out`, { ...at, worktree: r.worktree });
  }
}

function resolveHint(res: Resolution, into: string): string {
  if (res.prepared) return `The agent resolves it in ${res.worktree}: fix the conflict markers, git add, git commit (a two-parent merge of ${into}), then worktree_merge again.`;
  return `Not prepared in the agent's worktree: ${res.reason ?? 'unknown'}.`;
}
