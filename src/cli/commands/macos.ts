// `lockstep macos`: the planner and implementers in macOS Terminal windows, through osascript.
import { Command, Option } from 'clipanion';
import { z } from 'zod';
import { macosTeamScript, startMacosTeam } from '../../app/launch.js';
import { parseInput } from '../../app/lockstep.js';
import { BaseCommand } from '../base.js';

export class MacosCommand extends BaseCommand {
  static override paths = [['macos']];
  static override usage = Command.Usage({
    description: 'Start the planner and implementers in macOS Terminal windows',
    details:
      'Opens a Terminal window per agent (planner; impl-1..N), each running its command in the repository with LOCKSTEP_ROLE and LOCKSTEP_AGENT set. claude and codex get their role prompt as their first argument (--no-prompts to skip); other commands get none. Every path and value is quoted for AppleScript and sh. macOS only: elsewhere it fails with LAUNCH_UNSUPPORTED (use `lockstep tmux`). No dashboard window: run `lockstep dashboard` in one. --print-script shows the AppleScript without running it (on any system).',
    examples: [
      ['Claude plans, two Codex implementers', '$0 macos --implementers 2'],
      ['Show the AppleScript', '$0 macos --print-script'],
    ],
  });

  plannerCmd = Option.String('--planner-cmd', 'claude', { description: 'Command for the planner (claude)' });
  implementerCmd = Option.String('--implementer-cmd', 'codex', { description: 'Command for each implementer (codex)' });
  implementers = Option.String('--implementers', '1', { description: 'How many implementers (1)' });
  prompts = Option.Boolean('--prompts', true, { description: 'Pass the role prompts to claude/codex (--no-prompts to skip)' });
  printScript = Option.Boolean('--print-script', false, { description: 'Print the AppleScript instead of running it' });

  async run(): Promise<number> {
    const implementers = parseInput(z.number().int().min(0).max(16), Number(this.implementers));
    const team = { repo: this.repoDir(), plannerCmd: this.plannerCmd, implementerCmd: this.implementerCmd, implementers, prompts: this.prompts };
    if (this.printScript) {
      const script = macosTeamScript(team);
      this.print({ script }, script.join('\n'));
      return 0;
    }
    const started = await startMacosTeam(team);
    this.print({ started }, `Opened Terminal windows: ${started.join(', ')}`);
    return 0;
  }
}
