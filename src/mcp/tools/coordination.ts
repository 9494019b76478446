// Coordination tools: identity binding, time, status and the project context.
import os from 'node:os';
import { z } from 'zod';
import { DomainError } from '../../state/errors.js';
import { agentRegister } from '../../state/ops/agent-register.js';
import { projectContextSet } from '../../state/ops/project-context-set.js';
import { projectStatusSet } from '../../state/ops/project-status-set.js';
import { sessionReset } from '../../state/ops/session-reset.js';
import { implementerGuidance, plannerGuidance, reviewerGuidance } from '../../state/queries/guidance.js';
import { statusSummary } from '../../state/queries/status-summary.js';
import { AgentName, type Role } from '../../state/schema.js';
import type { State } from '../../state/state.js';
import { STATE_REF } from '../../store/store.js';
import { VERSION } from '../../version.js';
import { parseRole, ROLE_INPUT } from '../roles.js';
import { defineTool, EVERY_ROLE } from '../tool.js';

/** The phase machine per role (state/queries/guidance.ts); `all` gets the planner's view. */
function guidance(state: State, role: Role, agent: string, now: number): { status: string; instruction: string } & Record<string, unknown> {
  if (role === 'implementer') return implementerGuidance(state, agent, now);
  if (role === 'reviewer') return reviewerGuidance(state);
  return plannerGuidance(state);
}

export const coordinationInit = defineTool({
  name: 'coordination_init',
  title: 'Start coordinating',
  description: 'Call first: binds your role and name (impl-N if omitted); returns your phase and next steps.',
  input: z.object({
    role: ROLE_INPUT,
    name: AgentName.optional(),
    type: z.enum(['claude', 'codex', 'other']).optional(),
  }),
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
    const { agent } = await ctx.app.run(agentRegister, { name, role, type: args.type, host: os.hostname(), pid: process.pid }, { agent: name ?? 'lockstep', role });
    const changed = session.role !== role || session.agent !== agent.name;
    session.role = role;
    session.agent = agent.name;
    if (changed) await ctx.toolsChanged();
    const g = await ctx.app.read((state, rc) => guidance(state, role, agent.name, rc.now));
    return {
      structured: { agent: agent.name, role, ...g },
      text: `You are ${agent.name} (${role}). Status: ${g.status}. ${g.instruction}`,
    };
  },
});

export const whoami = defineTool({
  name: 'whoami',
  title: 'Who am I',
  description: 'Your bound name, role and repository.',
  input: z.object({}),
  // Not the planner's: its tools/list is at the 5,000-token budget, and it knows who it is.
  roles: ['implementer', 'reviewer'],
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
  description: 'The clock expiries use.',
  input: z.object({}),
  roles: ['implementer', 'reviewer'],
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
  description: 'Counts of tasks, leases, notes, agents; corrupt state files; state ref tip.',
  input: z.object({}),
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
  description: 'Project description, end state, constraints, criteria, tests, plan, status.',
  input: z.object({}),
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
  description: 'Set the project context; omitted fields keep their value.',
  input: projectContextSet.input,
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
  description: 'Set the project status; stopped and complete leave a system note for all agents.',
  input: projectStatusSet.input,
  roles: ['planner'],
  annotations: { idempotentHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.run(projectStatusSet, args, ctx.who);
    return { structured: r, text: r.changed ? `Project ${r.previous} -> ${r.status}` : `Project already ${r.status}` };
  },
});

export const sessionResetTool = defineTool({
  name: 'session_reset',
  title: 'Reset the session',
  description: 'Clear this repo\'s tasks, issues, leases, notes; stop implementers (git keeps history). confirm:true.',
  input: sessionReset.input,
  roles: ['planner'],
  annotations: { destructiveHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.run(sessionReset, args, ctx.who);
    return {
      structured: r,
      text: `Reset: ${r.tasksCleared} task(s), ${r.leasesCleared} lease(s), ${r.notesCleared} note(s) cleared; ${r.implementersStopped} implementer(s) stopped; ${r.discussionsArchived} discussion(s) archived. Next: ${r.nextSteps.join('; ')}`,
    };
  },
});

export const coordinationTools = [coordinationInit, whoami, serverTime, statusGet, projectContextGet, projectContextSetTool, projectStatusSetTool, sessionResetTool];
