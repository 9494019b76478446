// `lockstep worktree cleanup`: prune missing worktrees, delete merged agent branches (worktree_cleanup).
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { BaseCommand } from '../../base.js';

export class WorktreeCleanupCommand extends BaseCommand {
  static override paths = [['worktree', 'cleanup']];
  static override usage = Command.Usage({
    description: 'Prune worktrees whose directory is gone; delete lockstep/* branches fully merged into the target (never unmerged work)',
    examples: [['See what would go', '$0 worktree cleanup --dry-run']],
  });

  dryRun = Option.Boolean('--dry-run', false, { description: 'Report only; change nothing' });
  target = Option.String('--target', { description: 'Target branch (default: the branch checked out in the main worktree)' });

  async run(): Promise<number> {
    const r = await this.call(useCases.worktreeCleanup, { dryRun: this.dryRun, target: this.target });
    const verb = r.dryRun ? 'would ' : '';
    const lines = [
      ...r.pruned.map((p) => `${verb}prune ${p.name} (${p.dir ?? '?'} is gone)`),
      ...r.deleted.map((d) => `${verb}delete ${d.branch} (${d.tip.slice(0, 8)}, merged into ${r.target})`),
      ...r.kept.map((k) => `keep ${k.branch}: ${k.reason}`),
    ];
    this.print(r, lines.join('\n') || 'nothing to clean up');
    return 0;
  }
}
