// Op agent.register: record who an agent is (coordination_init binds a server to it).
import { z } from 'zod';
import { LockstepError } from '../../errors.js';
import { defineOp } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import { paths } from '../core/layout.js';
import { LAST_SEEN_EVERY_MS } from '../activity.js';
import { nextAgentName } from '../agents.js';
import { Agent, AgentName, Role } from '../core/schema.js';

/** Names Lockstep itself writes as (system notes); an agent may not take them. */
const RESERVED = new Set(['system']);

export const agentRegister = defineOp({
  name: 'agent.register',
  input: z.object({
    name: AgentName.optional(),
    role: Role,
    type: z.enum(['claude', 'codex', 'other']).optional(),
    pid: z.number().int().positive().optional(),
    host: z.string().max(255).optional(),
    isolation: z.enum(['shared', 'worktree']).optional(),
    worktree: z.string().max(4096).optional(),
    branch: z.string().max(255).optional(),
    /** The pid the caller saw recorded for this name (null: none) and found not alive: checked again here, so two servers racing for one name cannot both take it. */
    knownPid: z.number().int().positive().nullable().optional(),
  }),
  run(state, input, ctx) {
    if (input.name && RESERVED.has(input.name)) {
      throw new LockstepError('INVALID_INPUT', `"${input.name}" is reserved for Lockstep's own notes; pick another agent name`, { name: input.name });
    }
    const name = input.name ?? nextAgentName(state, input.role);
    const existing = state.agent(name);
    if (input.knownPid !== undefined && (existing?.pid ?? null) !== input.knownPid) {
      throw new LockstepError('AGENT_NAME_IN_USE', `agent ${name} was just registered by another process (pid ${existing?.pid ?? 'none'}); pick another name, or omit name for a free one`, { name, pid: existing?.pid });
    }
    const now = isoTime(ctx.now);
    // A dead process's name taken by a new one: said on the agent and in the history.
    const takenOver = existing?.pid !== undefined && input.knownPid === existing.pid && input.pid !== existing.pid ? { pid: existing.pid, host: existing.host, at: now } : undefined;
    const agent: Agent = {
      ...existing,
      name,
      role: input.role,
      type: input.type ?? existing?.type ?? 'other',
      status: 'active',
      isolation: input.isolation ?? existing?.isolation ?? 'shared',
      worktree: input.worktree ?? existing?.worktree,
      branch: input.branch ?? existing?.branch,
      pid: input.pid,
      host: input.host,
      takenOver: takenOver ?? existing?.takenOver,
      registeredAt: existing?.registeredAt ?? now,
      lastSeen: now,
    };
    // Registering again as the same live process changes nothing worth a commit (a server bound by
    // its flags registers at start, then its agent calls coordination_init).
    const unchanged = existing !== undefined && ctx.now - Date.parse(existing.lastSeen) < LAST_SEEN_EVERY_MS && JSON.stringify({ ...existing, lastSeen: now }) === JSON.stringify(agent);
    if (unchanged) return { changes: [], result: { agent: existing, created: false } };
    return {
      changes: [{ path: paths.agent(name), value: agent }],
      result: { agent, created: existing === undefined },
      event: { subject: takenOver ? `${name} as ${input.role}, taking over from dead pid ${takenOver.pid}` : `${name} as ${input.role}`, entities: [name], actor: name },
    };
  },
});
