// Starting agents: launch_implementer (a planner starts one more implementer, recorded with its pid)
// and the team a person starts with `lockstep tmux` / `lockstep macos` (a planner and N implementers,
// each with its identity and role prompt). The terminals themselves are in setup/launch.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { LockstepError } from '../errors.js';
import { checkAllowlisted, findProgram, parseArgv, tokenize } from '../host/commands.js';
import { attachTmux, DEFAULT_SESSION, shQuote, injectPrompt, launchMacos, launchTmux, macosScript, openAgentWindow, paneExit, readPidFile, requireMacos, requireTmux, type AgentLaunch, type TmuxLaunchResult } from '../setup/launch.js';
import { nextAgentName } from '../state/agents.js';
import { AgentName, TaskId } from '../state/core/schema.js';
import { getTask } from '../state/tasks.js';
import { agentRegister } from '../state/ops/agent-register.js';
import { IMPLEMENTER_PROMPT, promptFor } from './prompts.js';
import { cliEntry } from './setup.js';
import { useCase } from './use-case.js';
import { createAgentWorktree } from './worktrees.js';

/** How long a started agent gets before its prompt is pasted (LOCKSTEP_LAUNCH_PROMPT_DELAY_MS overrides). */
const PROMPT_DELAY_MS = 2_000;

/**
 * The program a command line starts must exist before a terminal is opened for it (a missing one
 * would only show as a window that died at once). `instead` says how to pick another.
 */
function requireProgram(command: string, instead: string): void {
  // The first word of a shell command line (it may go on with ; && and the like), past VAR=value prefixes.
  const program = tokenize(command).find((t): t is { word: string } => 'word' in t && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(t.word))?.word;
  if (program === undefined) throw new LockstepError('INVALID_INPUT', `the agent command ${JSON.stringify(command)} names no program`, { command });
  if (findProgram(program) === undefined) {
    throw new LockstepError('LAUNCH_FAILED', `${program} is not on PATH; install it or ${instead}`, { program, command });
  }
}

export const launchImplementer = useCase({
  name: 'launch.implementer',
  input: z.object({
    name: AgentName.optional(),
    type: z.enum(['claude', 'codex', 'other']),
    command: z.string().min(1).max(4096).optional(),
    isolation: z.enum(['shared', 'worktree']).optional(),
    task: TaskId.optional(),
    prompt: z.boolean().default(true),
  }),
  async run(app, raw, caller) {
    // The task it is launched for says where it works, unless isolation is given.
    const isolation = raw.isolation ?? (raw.task ? (await app.read((state) => getTask(state, raw.task!))).isolation : 'shared');
    const input = { ...raw, isolation };
    const platform = process.platform;
    if (platform === 'win32') throw new LockstepError('LAUNCH_UNSUPPORTED', 'launching agents needs tmux (Linux) or Terminal (macOS); start the implementer yourself with LOCKSTEP_ROLE=implementer', { platform });
    const command = input.command ?? (input.type === 'other' ? undefined : input.type);
    if (command === undefined) throw new LockstepError('INVALID_INPUT', 'type other needs a command to run', {});
    // A server that only runs allowlisted programs must not launch others this way.
    if (app.host.commandMode === 'allowlist') {
      checkAllowlisted(app.host, parseArgv(command));
    }
    // What the terminal needs first (tmux on Linux), then the agent's program.
    if (platform !== 'darwin') await requireTmux();
    requireProgram(command, 'pass command (the agent to run)');
    const name = input.name ?? (await app.read((state) => nextAgentName(state, 'implementer')));
    const root = app.repo.workTree;
    if (!root) throw new LockstepError('LAUNCH_UNSUPPORTED', 'this repository is bare; an implementer needs a work tree', {});
    const wt = input.isolation === 'worktree' ? await createAgentWorktree(app, caller.who, { agent: name }) : undefined;
    const passOn = Object.fromEntries(['LOCKSTEP_TMUX_SOCKET', 'LOCKSTEP_TMUX_SESSION'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
    const launch: AgentLaunch = { title: name, role: 'implementer', agent: name, command, cwd: wt?.dir ?? root, env: passOn, prompt: input.prompt ? IMPLEMENTER_PROMPT : undefined };

    let pid: number | undefined;
    let where: { terminal: 'tmux' | 'Terminal'; session?: string; socket?: string | null; pane?: string; sessionCreated?: boolean };
    if (platform === 'darwin') {
      const pidFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-launch-')), 'pid');
      await launchMacos([{ launch, pidFile }]);
      pid = await readPidFile(pidFile, 10_000);
      where = { terminal: 'Terminal' };
    } else {
      const socket = process.env.LOCKSTEP_TMUX_SOCKET || undefined;
      const session = process.env.LOCKSTEP_TMUX_SESSION || DEFAULT_SESSION;
      const p = await openAgentWindow({ socket }, session, launch);
      pid = p.pid;
      where = { terminal: 'tmux', session, socket: socket ?? null, pane: p.pane, sessionCreated: p.sessionCreated };
    }
    const { agent } = await app.transact(
      agentRegister,
      { name, role: 'implementer', type: input.type, pid, host: pid === undefined ? undefined : os.hostname(), isolation: input.isolation, worktree: wt?.path, branch: wt?.branch },
      caller.who,
    );
    // Recorded first: the agent runs whether or not the paste below works.
    if (launch.prompt && where.terminal === 'tmux') {
      await new Promise((r) => setTimeout(r, Number(process.env.LOCKSTEP_LAUNCH_PROMPT_DELAY_MS ?? PROMPT_DELAY_MS)));
      const tmuxServer = { socket: where.socket ?? undefined };
      const exit = await paneExit(tmuxServer, where.pane!);
      if (exit.dead) {
        throw new LockstepError('LAUNCH_FAILED', `${command} exited at once${exit.status === undefined ? '' : ` with status ${exit.status}`}; its tmux window (${where.pane} in session ${where.session}) shows why`, { agent: agent.name, pane: where.pane, status: exit.status });
      }
      await injectPrompt(tmuxServer, where.pane!, launch.prompt);
    }
    return { agent: agent.name, pid: pid ?? null, cwd: launch.cwd, isolation: input.isolation, worktree: wt?.path ?? null, branch: wt?.branch ?? null, command, ...where };
  },
});

// ---- a team for a person: lockstep tmux / lockstep macos ----

export interface TeamOptions {
  repo: string;
  plannerCmd: string;
  implementerCmd: string;
  implementers: number;
  prompts: boolean;
  env?: Record<string, string>;
}

/** The agents a launcher starts: planner, then impl-1..N. */
export function teamLaunches(opts: TeamOptions): AgentLaunch[] {
  const planner: AgentLaunch = { title: 'planner', role: 'planner', agent: 'planner', command: opts.plannerCmd, cwd: opts.repo, env: opts.env };
  const impls = Array.from({ length: opts.implementers }, (_, i): AgentLaunch => ({ title: `impl-${i + 1}`, role: 'implementer', agent: `impl-${i + 1}`, command: opts.implementerCmd, cwd: opts.repo, env: opts.env }));
  const all = [planner, ...impls];
  return opts.prompts ? all.map((a) => ({ ...a, prompt: promptFor(a.role) })) : all;
}

export interface TmuxTeamOptions extends TeamOptions {
  session: string;
  /** A last window serving `lockstep dashboard` for the repository (authored as human). */
  dashboard?: boolean;
  socket?: string;
  layout: 'windows' | 'panes';
  promptDelayMs: number;
}

/** Both commands exist, or LAUNCH_FAILED naming the option that picks another. */
function requireTeamPrograms(opts: TeamOptions): void {
  requireProgram(opts.plannerCmd, 'pass --planner-cmd');
  if (opts.implementers > 0) requireProgram(opts.implementerCmd, 'pass --implementer-cmd');
}

/** The team in a tmux session (created, or reused: running agents are kept). */
export function startTmuxTeam(opts: TmuxTeamOptions): Promise<TmuxLaunchResult> {
  requireTeamPrograms(opts);
  // The agents' MCP servers launch implementers into this same session (launch_implementer).
  const env: Record<string, string> = { LOCKSTEP_TMUX_SESSION: opts.session, ...(opts.socket ? { LOCKSTEP_TMUX_SOCKET: opts.socket } : {}) };
  const agents = teamLaunches({ ...opts, env });
  if (opts.dashboard) {
    const command = [fs.realpathSync(process.execPath), cliEntry(), 'dashboard', '--as', 'human'].map(shQuote).join(' ');
    agents.push({ title: 'dashboard', role: 'planner', agent: 'dashboard', command, cwd: opts.repo, env });
  }
  return launchTmux({ socket: opts.socket, session: opts.session, layout: opts.layout, agents, promptDelayMs: opts.promptDelayMs });
}

export function attachTmuxTeam(session: string, socket: string | undefined): number {
  return attachTmux({ socket }, session);
}

export { DEFAULT_SESSION };

/** The AppleScript that opens the team in Terminal windows (printable anywhere). */
export function macosTeamScript(opts: TeamOptions): string[] {
  return macosScript(teamLaunches(opts).map((launch) => ({ launch })));
}

/** Open the team in Terminal windows (macOS only: LAUNCH_UNSUPPORTED elsewhere); the names started. */
export async function startMacosTeam(opts: TeamOptions): Promise<string[]> {
  requireMacos();
  requireTeamPrograms(opts);
  const agents = teamLaunches(opts).map((launch) => ({ launch }));
  await launchMacos(agents);
  return agents.map((a) => a.launch.agent);
}
