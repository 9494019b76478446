// Agent worktrees: git-level work in git/worktrees.ts, recorded on the agent in the state through
// agent.worktree. The use cases worktree.create, .status, .list and .cleanup (merge: worktree-merge.ts).
import path from 'node:path';
import { z } from 'zod';
import { cleanupWorktrees, createWorktree, linkedWorktrees, mainRoot, worktreeStatus as gitWorktreeStatus, BRANCH_PREFIX, type CleanupReport, type CreatedWorktree, type WorktreeStatus } from '../git/worktrees.js';
import { LockstepError } from '../errors.js';
import { agentWorktree } from '../state/ops/agent-worktree.js';
import { AgentName } from '../state/core/schema.js';
import { useCase, type App, type Identity } from './use-case.js';

const branchName = z.string().max(255);

export interface CreateResult extends CreatedWorktree {
  /** Repo-relative path, as recorded on the agent. */
  path: string;
  /** False when the agent is not registered yet (it records itself when it registers). */
  recorded: boolean;
}

/** Create (or return, or resume) the agent's worktree; an implementer may only create its own. */
export async function createAgentWorktree(app: App, who: Identity, input: { agent?: string; base?: string }): Promise<CreateResult> {
  const agent = input.agent ?? who.agent;
  if (agent !== who.agent && who.role !== 'planner' && who.role !== 'all') {
    throw new LockstepError('ROLE_FORBIDDEN', `only a planner can create a worktree for ${agent}; create your own (agent=${who.agent})`, { agent, role: who.role });
  }
  const wt = await createWorktree(app.repo, agent, { base: input.base });
  const rel = path.relative(mainRoot(app.repo), wt.dir).split(path.sep).join('/');
  const { recorded } = await app.transact(agentWorktree, { name: agent, worktree: rel, branch: wt.branch }, who);
  return { ...wt, path: rel, recorded };
}

export const worktreeCreate = useCase({
  name: 'worktree.create',
  input: z.object({ agent: AgentName.optional(), base: branchName.optional() }),
  run: (app, input, caller) => createAgentWorktree(app, caller.who, input),
});

export const worktreeStatus = useCase({
  name: 'worktree.status',
  input: z.object({ agent: AgentName.optional(), target: branchName.optional() }),
  run: async (app, input, caller): Promise<WorktreeStatus> => gitWorktreeStatus(app.repo, input.agent ?? caller.who.agent, input.target),
});

export interface ListedWorktree {
  name: string;
  dir: string | null;
  branch: string | null;
  head: string | null;
  missing: boolean;
  locked: boolean;
  /** The state's agent of that name (lockstep worktrees are named after their agent). */
  agent: { name: string; status: string; role: string; lastSeen: string } | null;
}

/** Every linked worktree, joined with the agents in the state. */
async function listAgentWorktrees(app: App): Promise<ListedWorktree[]> {
  const wts = linkedWorktrees(app.repo);
  const agents = await app.read((state) => new Map(state.agents().items.map((a) => [a.name, a])));
  return wts.map((w) => {
    const branch = w.ref?.replace(/^refs\/heads\//, '') ?? null;
    const a = branch?.startsWith(BRANCH_PREFIX) ? agents.get(branch.slice(BRANCH_PREFIX.length)) : undefined;
    return {
      name: w.name,
      dir: w.dir,
      branch,
      head: w.head,
      missing: w.missing,
      locked: w.locked,
      agent: a ? { name: a.name, status: a.status, role: a.role, lastSeen: a.lastSeen } : null,
    };
  });
}

export const worktreeList = useCase({
  name: 'worktree.list',
  input: z.object({}),
  run: async (app) => ({ worktrees: await listAgentWorktrees(app) }),
});

/** Planner only: prune worktrees whose directory is gone, delete fully merged agent branches. */
export const worktreeCleanup = useCase({
  name: 'worktree.cleanup',
  input: z.object({ dryRun: z.boolean().optional(), target: branchName.optional() }),
  async run(app, input, { who }): Promise<CleanupReport> {
    if (who.role !== 'planner' && who.role !== 'all') throw new LockstepError('ROLE_FORBIDDEN', 'only a planner can clean up worktrees', { role: who.role });
    return cleanupWorktrees(app.repo, input);
  },
});
