// `lockstep worktree list`: linked worktrees with their agents (worktree_list).
import { Command } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { BaseCommand } from '../../base.js';
import { table } from '../../format.js';

export class WorktreeListCommand extends BaseCommand {
  static override paths = [['worktree', 'list']];
  static override usage = Command.Usage({ description: 'List linked worktrees with their agents (missing ones are marked)' });

  async run(): Promise<number> {
    const { worktrees } = await this.call(useCases.worktreeList, {});
    const rows = [
      ['NAME', 'BRANCH', 'HEAD', 'AGENT', 'LAST SEEN', 'DIR'],
      ...worktrees.map((w) => [w.name, w.branch ?? '(detached)', w.head?.slice(0, 8) ?? '-', w.agent ? `${w.agent.name} (${w.agent.status})` : '-', w.agent?.lastSeen ?? '-', `${w.dir ?? '?'}${w.missing ? ' (missing)' : ''}`]),
    ];
    this.print({ worktrees }, worktrees.length ? table(rows) : 'no linked worktrees\n');
    return 0;
  }
}
