// Identity: binding a caller's session to an agent and role (coordination_init), who it is, the
// clock it sees, and the optional role codes (LOCKSTEP_ROLE_CODE_<ROLE>) every call must carry.
import crypto from 'node:crypto';
import os from 'node:os';
import { z } from 'zod';
import { isLockstepError, LockstepError } from '../errors.js';
import { discoverRepo } from '../git/repo.js';
import { isThisProcessOrAncestor, processState } from '../host/processes.js';
import { AgentName, type Agent, type Role } from '../state/core/schema.js';
import type { State } from '../state/core/state.js';
import { agentRegister } from '../state/ops/agent-register.js';
import { implementerGuidance, plannerGuidance, reviewerGuidance } from '../state/queries/guidance.js';
import { parseRole, ROLE_INPUT } from '../state/roles.js';

/** Role names and aliases (lead, worker, acceptor), for adapters reading a role from flags or arguments. */
export { parseRole };
import { VERSION } from '../version.js';
import { parseInput } from './lockstep.js';
import { useCase, type App, type Session } from './use-case.js';

/** The phase machine per role (state/queries/guidance.ts); `all` gets the planner's view. */
function guidance(state: State, role: Role, agent: string, now: number): { status: string; instruction: string } & Record<string, unknown> {
  if (role === 'implementer') return implementerGuidance(state, agent, now);
  if (role === 'reviewer') return reviewerGuidance(state);
  return plannerGuidance(state);
}

/** Is `dir` inside the repository the app serves (its work tree or one of its linked worktrees)? */
function servesRepo(app: App, dir: string): boolean {
  try {
    return discoverRepo(dir).commonDir === app.repo.commonDir;
  } catch (err) {
    if (isLockstepError(err, 'NOT_A_GIT_REPO')) return false;
    throw err;
  }
}

/**
 * The pid recorded for `name` (null: none) when this process may take the name: no record, a dead
 * process, another host's (which cannot be checked), this server, or the agent that started it
 * (launch_implementer records the agent's pid). A live other process: AGENT_NAME_IN_USE.
 */
function takeableName(existing: Agent | undefined): number | null {
  const pid = existing?.pid;
  if (pid === undefined) return null;
  if (processState(pid, existing!.host) === true && !isThisProcessOrAncestor(pid)) {
    throw new LockstepError(
      'AGENT_NAME_IN_USE',
      `agent ${existing!.name} is in use by live process ${pid} on this host; pick another name (or omit name for a free one), or stop process ${pid} first if it is yours`,
      { name: existing!.name, pid, host: existing!.host },
    );
  }
  return pid;
}

/** The session a server starts with: --role/--agent (or LOCKSTEP_ROLE/LOCKSTEP_AGENT), each checked. */
export function sessionOf(role: string | undefined, agent: string | undefined): Session {
  return { role: role ? parseRole(role) : undefined, agent: agent === undefined ? undefined : parseInput(AgentName, agent) };
}

/**
 * coordination.init: bind the session to a role and a name (a free impl-N when none is given) and
 * register the agent; a session already bound keeps its role and name. Returns the phase and next steps.
 */
export const coordinationInit = useCase({
  name: 'coordination.init',
  input: z.object({
    role: ROLE_INPUT,
    name: AgentName.optional(),
    type: z.enum(['claude', 'codex', 'other']).optional(),
    repo: z.string().min(1).max(4096).optional().describe('Started outside a repository: its path'),
  }),
  async run(app, input, { session }) {
    const role = parseRole(input.role);
    if (input.repo !== undefined && !servesRepo(app, input.repo)) {
      throw new LockstepError('INVALID_INPUT', `this server serves ${app.repo.workTree ?? app.repo.commonDir}, not ${input.repo}; start another server for that repository`, { repo: input.repo });
    }
    if (session.role && session.role !== role) {
      throw new LockstepError('IDENTITY_MISMATCH', `this server is bound to role ${session.role}; start another server for role ${role}`, { bound: session.role, given: role });
    }
    if (session.agent && input.name && session.agent !== input.name) {
      throw new LockstepError('IDENTITY_MISMATCH', `this server is bound to agent ${session.agent}, not ${input.name}`, { bound: session.agent, given: input.name });
    }
    const name = session.agent ?? input.name;
    const knownPid = name === undefined ? undefined : takeableName(await app.read((state) => state.agent(name)));
    const { agent } = await app.transact(agentRegister, { name, role, type: input.type, host: os.hostname(), pid: process.pid, knownPid }, { agent: name ?? 'lockstep', role });
    session.role = role;
    session.agent = agent.name;
    const g = await app.read((state, rc) => guidance(state, role, agent.name, rc.now));
    return { agent: agent.name, role, ...g };
  },
});

export const whoami = useCase({
  name: 'whoami',
  input: z.object({}),
  async run(app, _input, { session }) {
    const bound = session.agent !== undefined && session.role !== undefined;
    return { bound, agent: session.agent, role: session.role, repo: app.repo.workTree, gitDir: app.repo.commonDir, version: VERSION, pid: process.pid };
  },
});

export const serverTime = useCase({
  name: 'server.time',
  input: z.object({}),
  async run(app) {
    const nowMs = app.clock();
    return { now: new Date(nowMs).toISOString(), nowMs };
  },
});

// ---- role codes ----

export type RoleCodes = Partial<Record<Role, string>>;

/** Env names per role; the swarm-mcp alias (LEAD, WORKER, ACCEPTOR) is read when the canonical one is unset. */
const ENV_NAMES: Record<Role, string[]> = {
  planner: ['PLANNER', 'LEAD'],
  implementer: ['IMPLEMENTER', 'WORKER'],
  reviewer: ['REVIEWER', 'ACCEPTOR'],
  all: ['ALL'],
};

export function readRoleCodes(env: NodeJS.ProcessEnv): RoleCodes {
  const codes: RoleCodes = {};
  for (const [role, names] of Object.entries(ENV_NAMES) as [Role, string[]][]) {
    for (const n of names) {
      const v = env[`LOCKSTEP_ROLE_CODE_${n}`];
      if (v) {
        codes[role] = v;
        break;
      }
    }
  }
  return codes;
}

export function hasRoleCodes(codes: RoleCodes): boolean {
  return Object.keys(codes).length > 0;
}

/** Compare digests in constant time, so the time taken says nothing about how much of the code matched. */
function sameCode(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * Check `given` for a call acting as `role`. With no role known yet (an unbound server), any
 * configured role's code is accepted. No codes configured: nothing is checked. Role `all` holds
 * every role's tools, so on a server that protects any role it needs LOCKSTEP_ROLE_CODE_ALL, and
 * without one it is refused (no way round a role's code by asking for more).
 */
export function checkRoleCode(codes: RoleCodes, role: Role | undefined, given: unknown): void {
  if (role === 'all' && codes.all === undefined && hasRoleCodes(codes)) {
    const guarded = Object.keys(codes).join(', ');
    throw new LockstepError('ROLE_CODE_REQUIRED', `role all would open the ${guarded} tools, which this server protects with role codes; take your own role, or the operator sets LOCKSTEP_ROLE_CODE_ALL and gives you that code`, { role, protected: Object.keys(codes) });
  }
  const expected = role === undefined ? Object.values(codes) : codes[role] === undefined ? [] : [codes[role]!];
  if (expected.length === 0) return;
  if (typeof given !== 'string' || given === '') {
    throw new LockstepError('ROLE_CODE_REQUIRED', `this server requires role_code for ${role ?? 'every role'}; pass the code your operator gave you (LOCKSTEP_ROLE_CODE_${(role ?? 'ROLE').toUpperCase()})`, { role });
  }
  let ok = false;
  for (const code of expected) ok = sameCode(given, code) || ok; // no early exit: same work for every candidate
  if (!ok) throw new LockstepError('ROLE_CODE_INVALID', `role_code does not match the code for ${role ?? 'any role'}`, { role });
}
