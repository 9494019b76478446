// Coordination tools: identity binding, time, status and the project context.
import os from 'node:os';
import { z } from 'zod';
import { DomainError } from '../../state/errors.js';
import { agentRegister } from '../../state/ops/agent-register.js';
import { projectContextSet } from '../../state/ops/project-context-set.js';
import { projectStatusSet } from '../../state/ops/project-status-set.js';
import { statusSummary } from '../../state/queries/status-summary.js';
import { AgentName } from '../../state/schema.js';
import { STATE_REF } from '../../store/store.js';
import { VERSION } from '../../version.js';
import { parseRole, ROLE_INPUT } from '../roles.js';
import { defineTool, EVERY_ROLE, obj, out } from '../tool.js';

const GUIDANCE: Record<string, string> = {
  planner: 'You plan. Set the project context (project_context_set), split the work into tasks (task_create), then watch progress with events_wait and task_list.',
  implementer: 'Work loop: task_list -> task_claim a todo task -> lock_acquire the files you edit -> do the work -> lock_release -> task_update status (done for simple, review otherwise) -> repeat. Stop when the project is stopped or complete.',
  reviewer: 'You review. Read tasks and notes, and watch events_wait for work to check.',
  all: 'You can use every tool.',
};

export const coordinationInit = defineTool({
  name: 'coordination_init',
  title: 'Start coordinating',
  description:
    'Call first. Binds this server to your agent identity (role, and a name; one is assigned if omitted), registers you, and returns the project state and what to do next. Errors: IDENTITY_MISMATCH if the server was started as someone else.',
  input: z.object({
    role: ROLE_INPUT,
    name: AgentName.optional().describe('Your agent name, e.g. impl-1 (assigned if omitted)'),
    type: z.enum(['claude', 'codex', 'other']).optional().describe('Which agent program you are'),
  }),
  output: out({ agent: z.string(), role: z.string(), status: obj, instruction: z.string() }),
  roles: EVERY_ROLE,
  needsIdentity: false,
  annotations: { idempotentHint: true },
  async handler(args, ctx) {
    const role = parseRole(args.role);
    const { session } = ctx;
    if (session.role && session.role !== role) {
      throw new DomainError('IDENTITY_MISMATCH', `this server is bound to role ${session.role}; start another server for role ${role}`, { bound: session.role, given: role });
    }
    if (session.agent && args.name && session.agent !== args.name) {
      throw new DomainError('IDENTITY_MISMATCH', `this server is bound to agent ${session.agent}, not ${args.name}`, { bound: session.agent, given: args.name });
    }
    const name = session.agent ?? args.name;
    const { agent } = await ctx.app.run(agentRegister, { name, role, type: args.type, host: os.hostname() }, { agent: name ?? 'lockstep', role });
    const changed = session.role !== role || session.agent !== agent.name;
    session.role = role;
    session.agent = agent.name;
    if (changed) await ctx.toolsChanged();
    const status = await ctx.app.read((state, rc) => statusSummary(state, rc.now));
    return {
      structured: { agent: agent.name, role, status, instruction: GUIDANCE[role]! },
      text: `You are ${agent.name} (${role}). ${GUIDANCE[role]}`,
    };
  },
});

export const whoami = defineTool({
  name: 'whoami',
  title: 'Who am I',
  description: 'Your bound identity (agent, role) and which repository this server coordinates.',
  input: z.object({}),
  output: out({ bound: z.boolean() }),
  roles: EVERY_ROLE,
  needsIdentity: false,
  annotations: { readOnlyHint: true },
  async handler(_args, ctx) {
    const { session, app } = ctx;
    const bound = session.agent !== undefined && session.role !== undefined;
    return {
      structured: { bound, agent: session.agent, role: session.role, repo: app.repo.workTree, gitDir: app.repo.commonDir, version: VERSION, pid: process.pid },
      text: bound ? `${session.agent} (${session.role})` : 'not bound yet: call coordination_init',
    };
  },
});

export const serverTime = defineTool({
  name: 'server_time',
  title: 'Server time',
  description: 'The clock leases and expiries are computed with.',
  input: z.object({}),
  output: out({ now: z.string(), nowMs: z.number() }),
  roles: EVERY_ROLE,
  needsIdentity: false,
  annotations: { readOnlyHint: true },
  async handler(_args, ctx) {
    const nowMs = ctx.app.clock();
    const now = new Date(nowMs).toISOString();
    return { structured: { now, nowMs }, text: now };
  },
});

export const statusGet = defineTool({
  name: 'status_get',
  title: 'Coordination status',
  description: 'Counts of tasks by status, active leases, notes, agents, corrupt state files, and the state ref tip.',
  input: z.object({}),
  output: out({ tasks: obj, leases: obj }),
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(_args, ctx) {
    const s = await ctx.app.read((state, rc) => ({ ...statusSummary(state, rc.now), ref: STATE_REF, tip: rc.tip }));
    const t = s.tasks;
    return {
      structured: s,
      text: `project ${s.projectStatus}; tasks: ${t.todo} todo, ${t.in_progress} in progress, ${t.review} review, ${t.done} done; ${s.leases.active} active leases${s.corrupt.length ? `; ${s.corrupt.length} CORRUPT file(s)` : ''}`,
    };
  },
});

export const projectContextGet = defineTool({
  name: 'project_context_get',
  title: 'Read the project context',
  description: 'The project description, end state, constraints, acceptance criteria, tests and plan, plus the project status.',
  input: z.object({}),
  output: out({ found: z.boolean(), status: z.string() }),
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(_args, ctx) {
    const meta = await ctx.app.read((state) => state.meta());
    if (!meta.project) return { structured: { found: false, status: meta.projectStatus }, text: 'No project context yet; the planner sets it with project_context_set.' };
    return { structured: { found: true, status: meta.projectStatus, context: meta.project }, text: `${meta.projectStatus}: ${meta.project.description.slice(0, 200)}` };
  },
});

export const projectContextSetTool = defineTool({
  name: 'project_context_set',
  title: 'Set the project context',
  description: 'Create or update the project context. Omitted fields keep their current value. description and endState are required the first time.',
  input: projectContextSet.input,
  output: out({ context: obj, status: z.string() }),
  roles: ['planner'],
  annotations: { idempotentHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.run(projectContextSet, args, ctx.who);
    const missing = [r.context.acceptanceCriteria.length ? '' : 'acceptanceCriteria', r.context.implementationPlan.length ? '' : 'implementationPlan'].filter(Boolean);
    return { structured: r, text: `Project context saved (${r.status}).${missing.length ? ` Still missing: ${missing.join(', ')}.` : ''}` };
  },
});

export const projectStatusSetTool = defineTool({
  name: 'project_status_set',
  title: 'Set the project status',
  description: 'planning | ready | in_progress | complete | stopped. stopped and complete leave a system note all agents see.',
  input: projectStatusSet.input,
  output: out({ status: z.string(), previous: z.string(), changed: z.boolean() }),
  roles: ['planner'],
  annotations: { idempotentHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.run(projectStatusSet, args, ctx.who);
    return { structured: r, text: r.changed ? `Project ${r.previous} -> ${r.status}` : `Project already ${r.status}` };
  },
});

export const coordinationTools = [coordinationInit, whoami, serverTime, statusGet, projectContextGet, projectContextSetTool, projectStatusSetTool];
