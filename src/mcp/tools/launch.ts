// launch_implementer: the planner starts an implementer in a terminal (tmux window, or macOS Terminal) and
// records its process on the agent, so implementer_list's liveness is about a real process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { createAgentWorktree } from '../../app/worktrees.js';
import { DomainError } from '../../state/errors.js';
import { agentRegister, nextAgentName } from '../../state/ops/agent-register.js';
import { AgentName } from '../../state/schema.js';
import { parseArgv } from '../../workspace/commands.js';
import { DEFAULT_SESSION, injectPrompt, launchMacos, openAgentWindow, readPidFile, type AgentLaunch } from '../../workspace/launch.js';
import { IMPLEMENTER_PROMPT } from '../prompts.js';
import { defineTool } from '../tool.js';

/** How long a started agent gets before its prompt is pasted (LOCKSTEP_LAUNCH_PROMPT_DELAY_MS overrides). */
const PROMPT_DELAY_MS = 2_000;

export const launchImplementerTool = defineTool({
  name: 'launch_implementer',
  title: 'Launch implementer',
  description: 'Start an implementer in a new tmux window (Linux) or Terminal (macOS).',
  input: z.object({
    name: AgentName.optional(),
    type: z.enum(['claude', 'codex', 'other']),
    command: z.string().min(1).max(4096).optional(),
    isolation: z.enum(['shared', 'worktree']).default('shared'),
    prompt: z.boolean().default(true),
  }),
  roles: ['planner'],
  annotations: { openWorldHint: true },
  async handler(args, ctx) {
    const platform = process.platform;
    if (platform === 'win32') throw new DomainError('LAUNCH_UNSUPPORTED', 'launching agents needs tmux (Linux) or Terminal (macOS); start the implementer yourself with LOCKSTEP_ROLE=implementer', { platform });
    const command = args.command ?? (args.type === 'other' ? undefined : args.type);
    if (command === undefined) throw new DomainError('INVALID_INPUT', 'type other needs a command to run', {});
    // A server that only runs allowlisted programs must not launch others this way.
    if (ctx.workspace.commandMode === 'allowlist') {
      const program = parseArgv(command)[0]!;
      if (!ctx.workspace.commandAllow.includes(program)) throw new DomainError('COMMAND_NOT_ALLOWED', `${program} is not in --command-allow; launch one of: ${ctx.workspace.commandAllow.join(', ') || '(none)'}`, { program });
    }
    const name = args.name ?? (await ctx.app.read((state) => nextAgentName(state, 'implementer')));
    const root = ctx.app.repo.workTree;
    if (!root) throw new DomainError('LAUNCH_UNSUPPORTED', 'this repository is bare; an implementer needs a work tree', {});
    const wt = args.isolation === 'worktree' ? await createAgentWorktree(ctx.app, ctx.who, { agent: name }) : undefined;
    const passOn = Object.fromEntries(['LOCKSTEP_TMUX_SOCKET', 'LOCKSTEP_TMUX_SESSION'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
    const launch: AgentLaunch = { title: name, role: 'implementer', agent: name, command, cwd: wt?.dir ?? root, env: passOn, prompt: args.prompt ? IMPLEMENTER_PROMPT : undefined };

    let pid: number | undefined;
    let where: Record<string, unknown>;
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
    const { agent } = await ctx.app.run(
      agentRegister,
      { name, role: 'implementer', type: args.type, pid, host: pid === undefined ? undefined : os.hostname(), isolation: args.isolation, worktree: wt?.path, branch: wt?.branch },
      ctx.who,
    );
    // Recorded first: the agent runs whether or not the paste below works.
    if (launch.prompt && where.terminal === 'tmux') {
      await new Promise((r) => setTimeout(r, Number(process.env.LOCKSTEP_LAUNCH_PROMPT_DELAY_MS ?? PROMPT_DELAY_MS)));
      await injectPrompt({ socket: (where.socket as string | null) ?? undefined }, where.pane as string, launch.prompt);
    }
    return {
      structured: { agent: agent.name, pid: pid ?? null, cwd: launch.cwd, isolation: args.isolation, worktree: wt?.path ?? null, branch: wt?.branch ?? null, ...where },
      text: `Launched ${agent.name} (${command}) in ${where.terminal}${pid ? `, pid ${pid}` : ''}${wt ? ` on ${wt.branch}` : ''}`,
    };
  },
});

export const launchTools = [launchImplementerTool];
