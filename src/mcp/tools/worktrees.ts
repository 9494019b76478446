// Worktree tools: each agent its own linked worktree on lockstep/<agent> (git work in app/worktrees.ts).
import { z } from 'zod';
import { mergeAgentWorktree } from '../../app/worktree-merge.js';
import { agentWorktreeStatus, cleanupAgentWorktrees, createAgentWorktree, listAgentWorktrees } from '../../app/worktrees.js';
import { AgentName, TaskId } from '../../state/schema.js';
import { defineTool, EVERY_ROLE } from '../tool.js';

const branchName = z.string().max(255);

export const worktreeCreateTool = defineTool({
  name: 'worktree_create',
  title: 'Create worktree',
  description: 'Create or resume .lockstep/worktrees/<agent> on branch lockstep/<agent>.',
  input: z.object({
    agent: AgentName.optional(),
    base: branchName.optional(),
  }),
  roles: ['planner', 'implementer'],
  annotations: { idempotentHint: true },
  async handler(args, ctx) {
    const r = await createAgentWorktree(ctx.app, ctx.who, args);
    const how = r.created ? (r.resumed ? 'resumed existing branch' : 'new branch') : 'already there';
    return { structured: { ...r }, text: `${r.path} on ${r.branch} at ${r.head.slice(0, 8)} (${how})` };
  },
});

export const worktreeStatusTool = defineTool({
  name: 'worktree_status',
  title: 'Worktree status',
  description: 'Ahead/behind its target branch; uncommitted, untracked and changed files.',
  input: z.object({
    agent: AgentName.optional(),
    target: branchName.optional(),
  }),
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const s = await agentWorktreeStatus(ctx.app, { agent: args.agent ?? ctx.who.agent, target: args.target });
    const dirty = s.uncommitted.length + s.untracked.length;
    return {
      structured: { ...s },
      text: `${s.branch}: ${s.ahead} ahead, ${s.behind} behind ${s.target}; ${s.changed.length} file(s) changed; ${dirty ? `${s.uncommitted.length} uncommitted, ${s.untracked.length} untracked` : 'clean'}`,
    };
  },
});

export const worktreeListTool = defineTool({
  name: 'worktree_list',
  title: 'List worktrees',
  description: 'Linked worktrees and their agents.',
  input: z.object({}),
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(_args, ctx) {
    const worktrees = await listAgentWorktrees(ctx.app);
    const lines = worktrees.map((w) => `${w.name} ${w.branch ?? '(detached)'}${w.missing ? ' MISSING' : ''} ${w.agent ? `${w.agent.status}, seen ${w.agent.lastSeen}` : 'no agent'}`);
    return { structured: { worktrees }, text: lines.join('\n') || 'no linked worktrees' };
  },
});

export const worktreeCleanupTool = defineTool({
  name: 'worktree_cleanup',
  title: 'Clean up worktrees',
  description: 'Prune missing worktrees; delete lockstep/* branches merged into target.',
  input: z.object({
    dryRun: z.boolean().optional(),
    target: branchName.optional(),
  }),
  roles: ['planner'],
  annotations: { destructiveHint: true },
  async handler(args, ctx) {
    const r = await cleanupAgentWorktrees(ctx.app, ctx.who, args);
    const verb = r.dryRun ? 'would ' : '';
    const lines = [
      `${verb}prune ${r.pruned.length}, ${verb}delete ${r.deleted.length} branch(es), keep ${r.kept.length}`,
      ...r.deleted.map((d) => `deleted ${d.branch}`),
      ...r.kept.map((k) => `kept ${k.branch}: ${k.reason}`),
    ];
    return { structured: { ...r }, text: lines.join('\n') };
  },
});

export const worktreeMergeTool = defineTool({
  name: 'worktree_merge',
  title: 'Merge worktree',
  description: "Merge lockstep/<agent> into a branch; conflicts go to the agent's worktree.",
  input: z.object({
    agent: AgentName,
    into: branchName.optional(),
    task: TaskId.optional(),
    message: z.string().max(2_000).optional(),
    resolveIn: z.enum(['worktree', 'none']).optional(),
  }),
  roles: ['planner'],
  annotations: {},
  async handler(args, ctx) {
    const r = await mergeAgentWorktree(ctx.app, ctx.who, args);
    const how = r.fastForward ? 'fast-forward' : 'merge commit';
    return { structured: { ...r }, text: `Merged ${r.branch} into ${r.into} at ${r.commit.slice(0, 8)} (${how}); ${r.changedFiles.length} file(s)${r.task ? `; ${r.task.id} done` : ''}` };
  },
});

export const worktreeTools = [worktreeCreateTool, worktreeStatusTool, worktreeListTool, worktreeMergeTool, worktreeCleanupTool];
