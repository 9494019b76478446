// Op agent.register: record who an agent is (coordination_init binds a server to it).
import { z } from 'zod';
import { DomainError } from '../errors.js';
import { defineOp, isoTime } from '../op.js';
import { paths } from '../layout.js';
import { Agent, AgentName, Role } from '../schema.js';
import type { State } from '../state.js';

/** Names Lockstep itself writes as (system notes); an agent may not take them. */
const RESERVED = new Set(['system']);

const PREFIX: Record<z.infer<typeof Role>, string> = { planner: 'planner', implementer: 'impl', reviewer: 'reviewer', all: 'agent' };

/** impl-1, impl-2, ...: the first free number, so names stay short and readable. */
export function nextAgentName(state: State, role: z.infer<typeof Role>): string {
  const prefix = PREFIX[role];
  const used = new Set(state.agents().items.map((a) => a.name));
  for (const c of state.agents().corrupt) used.add(c.path.replace(/^agents\/|\.yaml$/g, ''));
  let n = 1;
  while (used.has(`${prefix}-${n}`)) n++;
  return `${prefix}-${n}`;
}

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
  }),
  run(state, input, ctx) {
    if (input.name && RESERVED.has(input.name)) {
      throw new DomainError('INVALID_INPUT', `"${input.name}" is reserved for Lockstep's own notes; pick another agent name`, { name: input.name });
    }
    const name = input.name ?? nextAgentName(state, input.role);
    const existing = state.agent(name);
    const now = isoTime(ctx.now);
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
      registeredAt: existing?.registeredAt ?? now,
      lastSeen: now,
    };
    return {
      changes: [{ path: paths.agent(name), value: agent }],
      result: { agent, created: existing === undefined },
      event: { subject: `${name} as ${input.role}`, entities: [name], actor: name },
    };
  },
});
