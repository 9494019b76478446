// `lockstep worktree status`: an agent's worktree against its target branch (worktree_status).
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { BaseCommand } from '../../base.js';

export class WorktreeStatusCommand extends BaseCommand {
  static override paths = [['worktree', 'status']];
  static override usage = Command.Usage({
    description: "An agent's worktree: ahead/behind the local target branch, uncommitted, untracked and changed files",
    examples: [['Status of impl-1 against main', '$0 worktree status impl-1 --target main']],
  });

  agent = Option.String({ name: 'agent' });
  target = Option.String('--target', { description: 'Target branch (default: the branch checked out in the main worktree)' });

  async run(): Promise<number> {
    const s = await this.call(useCases.worktreeStatus, { agent: this.agent, target: this.target });
    const lines = [
      `${s.dir} on ${s.branch} at ${s.head.slice(0, 8)}`,
      `${s.ahead} ahead, ${s.behind} behind ${s.target} (${s.targetHead.slice(0, 8)})`,
      ...s.uncommitted.map((f) => `  modified   ${f}`),
      ...s.untracked.map((f) => `  untracked  ${f}`),
      ...s.changed.map((f) => `  changed    ${f}`),
    ];
    this.print(s, lines.join('\n'));
    return 0;
  }
}
