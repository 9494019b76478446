// `lockstep tmux`: a tmux session with a planner and N implementers, each with its identity and role prompt.
import { Command, Option } from 'clipanion';
import { z } from 'zod';
import { attachTmuxTeam, DEFAULT_SESSION, startTmuxTeam } from '../../app/launch.js';
import { parseInput } from '../../app/lockstep.js';
import { LockstepError } from '../../errors.js';
import { BaseCommand } from '../base.js';

const Count = z.number().int().min(0).max(16);
const SessionName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a session name is letters, digits, _ and - (tmux gives : and . meanings)');

export class TmuxCommand extends BaseCommand {
  static override paths = [['tmux']];
  static override usage = Command.Usage({
    description: 'Start the planner and implementers in a tmux session',
    details:
      'Creates the session (or reuses it: agents whose window is still running are kept) with a window per agent (--layout windows) or one window of panes (--layout panes). Each agent runs its command in the repository with LOCKSTEP_ROLE and LOCKSTEP_AGENT set (planner; impl-1..N), and its role prompt is pasted in once it started (--no-prompts to skip). Each command must be on PATH (LAUNCH_FAILED names the one that is not). Status bar options are set on this session only, never globally. A window whose agent exits stays open showing its output and exit status (exit 1 with LAUNCH_FAILED when one exits before its prompt); if tmux fails half way, what this run made is taken down again. A last window, dashboard, runs `lockstep dashboard` and shows its URL (--no-dashboard to leave it out). Attaches when run in a terminal; --no-attach leaves the session running in the background.',
    examples: [
      ['Claude plans, two Codex implementers', '$0 tmux --implementers 2'],
      ['Everything in one window', '$0 tmux --layout panes --planner-cmd claude --implementer-cmd claude'],
      ['Start it without attaching', '$0 tmux --no-attach --session work'],
    ],
  });

  session = Option.String('--session', DEFAULT_SESSION, { description: 'tmux session name (lockstep)' });
  layout = Option.String('--layout', 'windows', { description: 'windows (one per agent) or panes (all in one window)' });
  plannerCmd = Option.String('--planner-cmd', 'claude', { description: 'Command for the planner (claude)' });
  implementerCmd = Option.String('--implementer-cmd', 'codex', { description: 'Command for each implementer (codex)' });
  implementers = Option.String('--implementers', '1', { description: 'How many implementers (1)' });
  prompts = Option.Boolean('--prompts', true, { description: 'Paste the role prompts (--no-prompts to skip)' });
  attach = Option.Boolean('--attach', true, { description: 'Attach when run in a terminal (--no-attach to leave it in the background)' });
  socket = Option.String('--socket', { description: 'A private tmux server (tmux -L NAME); launch_implementer of these agents uses it too' });
  dashboard = Option.Boolean('--dashboard', true, { description: 'Add a window serving the dashboard (--no-dashboard to skip)' });
  promptDelay = Option.String('--prompt-delay-ms', '2000', { description: 'How long agents get to start before the prompt is pasted (2000)' });

  async run(): Promise<number> {
    if (this.layout !== 'windows' && this.layout !== 'panes') throw new LockstepError('INVALID_INPUT', `--layout is windows or panes, not "${this.layout}"`, { layout: this.layout });
    const session = parseInput(SessionName, this.session);
    const implementers = parseInput(Count, Number(this.implementers));
    const promptDelayMs = parseInput(z.number().int().min(0).max(60_000), Number(this.promptDelay));
    const socket = this.socket === undefined ? undefined : parseInput(SessionName, this.socket);
    const repo = this.repoDir();
    const r = await startTmuxTeam({ repo, plannerCmd: this.plannerCmd, implementerCmd: this.implementerCmd, implementers, prompts: this.prompts, dashboard: this.dashboard, session, socket, layout: this.layout, promptDelayMs });
    const lines = [
      `${r.sessionCreated ? 'Created' : 'Reused'} tmux session ${session}${socket ? ` (socket ${socket})` : ''}`,
      ...r.started.map((p) => `started ${p.agent} in ${p.pane} (pid ${p.pid})`),
      ...r.kept.map((a) => `kept ${a} (already running)`),
    ];
    const attach = this.attach && process.stdout.isTTY === true && process.stdin.isTTY === true && !this.json;
    if (!attach) lines.push(`Attach with: tmux ${socket ? `-L ${socket} ` : ''}attach -t ${session}`);
    this.print({ ...r, socket: socket ?? null }, lines.join('\n'));
    // An agent that exited at once: its window stays, showing its output and exit status.
    for (const e of r.exited) {
      this.context.stderr.write(`error[LAUNCH_FAILED]: ${e.agent} exited at once${e.status === undefined ? '' : ` with status ${e.status}`}; its window in tmux session ${session} shows why\n`);
    }
    if (r.exited.length) return 1;
    return attach ? attachTmuxTeam(session, socket) : 0;
  }
}
