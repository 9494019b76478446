// Op agent.worktree: record that an agent works in its own linked worktree (path and branch).
import { z } from 'zod';
import { LockstepError } from '../../errors.js';
import { defineOp } from '../core/op.js';
import { paths } from '../core/layout.js';
import { AgentName, type Agent } from '../core/schema.js';
import { isPlanner } from '../roles.js';

export const agentWorktree = defineOp({
  name: 'agent.worktree',
  input: z.object({
    name: AgentName,
    /** Repo-relative, e.g. `.lockstep/worktrees/impl-1`. */
    worktree: z.string().max(4096),
    branch: z.string().max(255),
  }),
  run(state, input, ctx) {
    if (input.name !== ctx.actor && !isPlanner(ctx)) {
      throw new LockstepError('ROLE_FORBIDDEN', `only a planner can give ${input.name} a worktree; create your own with agent=${ctx.actor}`, { role: ctx.role, agent: input.name });
    }
    const existing = state.agent(input.name);
    // Not registered yet: nothing to record; it registers with isolation worktree when it starts.
    if (!existing) return { changes: [], result: { recorded: false }, event: { subject: input.name, entities: [input.name] } };
    if (existing.isolation === 'worktree' && existing.worktree === input.worktree && existing.branch === input.branch) {
      return { changes: [], result: { recorded: true }, event: { subject: input.name, entities: [input.name] } };
    }
    const agent: Agent = { ...existing, isolation: 'worktree', worktree: input.worktree, branch: input.branch };
    return {
      changes: [{ path: paths.agent(input.name), value: agent }],
      result: { recorded: true },
      event: { subject: `${input.name} works in ${input.worktree} on ${input.branch}`, entities: [input.name] },
    };
  },
});
