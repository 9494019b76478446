// Worktree tools: each agent its own linked worktree on lockstep/<agent>; status, list, merge, cleanup.
import { useCases } from '../../app/use-cases.js';
import { EVERY_ROLE, tool } from '../tool.js';

export const worktreeTools = [
  tool(useCases.worktreeCreate, {
    title: 'Create worktree',
    description: 'Create or resume .lockstep/worktrees/<agent> on branch lockstep/<agent>.',
    roles: ['planner', 'implementer'],
    annotations: { idempotentHint: true },
    text: (r) => `${r.path} on ${r.branch} at ${r.head.slice(0, 8)} (${r.created ? (r.resumed ? 'resumed existing branch' : 'new branch') : 'already there'})`,
  }),
  tool(useCases.worktreeStatus, {
    title: 'Worktree status',
    description: 'Ahead/behind its target branch; uncommitted, untracked and changed files.',
    roles: EVERY_ROLE,
    annotations: { readOnlyHint: true },
    text: (s) => {
      const dirty = s.uncommitted.length + s.untracked.length;
      return `${s.branch}: ${s.ahead} ahead, ${s.behind} behind ${s.target}; ${s.changed.length} file(s) changed; ${dirty ? `${s.uncommitted.length} uncommitted, ${s.untracked.length} untracked` : 'clean'}`;
    },
  }),
  tool(useCases.worktreeList, {
    title: 'List worktrees',
    description: 'Linked worktrees and their agents.',
    roles: EVERY_ROLE,
    annotations: { readOnlyHint: true },
    text: ({ worktrees }) => worktrees.map((w) => `${w.name} ${w.branch ?? '(detached)'}${w.missing ? ' MISSING' : ''} ${w.agent ? `${w.agent.status}, seen ${w.agent.lastSeen}` : 'no agent'}`).join('\n') || 'no linked worktrees',
  }),
  tool(useCases.worktreeMerge, {
    title: 'Merge worktree',
    description: "Merge lockstep/<agent> into a branch; conflicts go to the agent's worktree.",
    roles: ['planner'],
    text: (r) => `Merged ${r.branch} into ${r.into} at ${r.commit.slice(0, 8)} (${r.fastForward ? 'fast-forward' : 'merge commit'}); ${r.changedFiles.length} file(s)${r.task ? `; ${r.task.id} done` : ''}`,
  }),
  tool(useCases.worktreeCleanup, {
    title: 'Clean up worktrees',
    description: 'Prune missing worktrees; delete lockstep/* branches merged into target.',
    roles: ['planner'],
    annotations: { destructiveHint: true },
    text: (r) => {
      const verb = r.dryRun ? 'would ' : '';
      return [`${verb}prune ${r.pruned.length}, ${verb}delete ${r.deleted.length} branch(es), keep ${r.kept.length}`, ...r.deleted.map((d) => `deleted ${d.branch}`), ...r.kept.map((k) => `kept ${k.branch}: ${k.reason}`)].join('\n');
    },
  }),
];
