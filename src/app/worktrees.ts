// Agent worktrees for the adapters: git-level work in git/worktrees.ts, recorded on the agent in the
// state through agent.worktree. Adapters (mcp/, cli/) reach the git layer only through here.
import path from 'node:path';
import type { z } from 'zod';
import { cleanupWorktrees, createWorktree, linkedWorktrees, mainRoot, worktreeStatus, BRANCH_PREFIX, type CleanupReport, type CreatedWorktree, type WorktreeStatus } from '../git/worktrees.js';
import type { GitRepo } from '../git/repo.js';
import { DomainError } from '../state/errors.js';
import type { Op } from '../state/op.js';
import { agentWorktree } from '../state/ops/agent-worktree.js';
import type { Role } from '../state/schema.js';
import type { State } from '../state/state.js';

/** The part of Lockstep (app.ts) this needs; structural, so the layer table holds. */
export interface WorktreeApp {
  readonly repo: GitRepo;
  run<S extends z.ZodType, R>(op: Op<S, R>, rawInput: unknown, who: { agent: string; role: Role }): Promise<R>;
  read<R>(query: (state: State, ctx: { now: number }) => R): Promise<R>;
}

export interface CreateResult extends CreatedWorktree {
  /** Repo-relative path, as recorded on the agent. */
  path: string;
  /** False when the agent is not registered yet (it records itself when it registers). */
  recorded: boolean;
}

/** Create (or return, or resume) the agent's worktree; an implementer may only create its own. */
export async function createAgentWorktree(app: WorktreeApp, who: { agent: string; role: Role }, input: { agent?: string; base?: string }): Promise<CreateResult> {
  const agent = input.agent ?? who.agent;
  if (agent !== who.agent && who.role !== 'planner' && who.role !== 'all') {
    throw new DomainError('ROLE_FORBIDDEN', `only a planner can create a worktree for ${agent}; create your own (agent=${who.agent})`, { agent, role: who.role });
  }
  const wt = await createWorktree(app.repo, agent, { base: input.base });
  const rel = path.relative(mainRoot(app.repo), wt.dir).split(path.sep).join('/');
  const { recorded } = await app.run(agentWorktree, { name: agent, worktree: rel, branch: wt.branch }, who);
  return { ...wt, path: rel, recorded };
}

export function agentWorktreeStatus(app: WorktreeApp, input: { agent: string; target?: string }): Promise<WorktreeStatus> {
  return worktreeStatus(app.repo, input.agent, input.target);
}

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
export async function listAgentWorktrees(app: WorktreeApp): Promise<ListedWorktree[]> {
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

/** Planner only: prune worktrees whose directory is gone, delete fully merged agent branches. */
export function cleanupAgentWorktrees(app: WorktreeApp, who: { agent: string; role: Role }, input: { dryRun?: boolean; target?: string }): Promise<CleanupReport> {
  if (who.role !== 'planner' && who.role !== 'all') throw new DomainError('ROLE_FORBIDDEN', 'only a planner can clean up worktrees', { role: who.role });
  return cleanupWorktrees(app.repo, input);
}
