// `lockstep worktree merge`: merge lockstep/<agent> into the target (worktree_merge).
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { BaseCommand } from '../../base.js';

export class WorktreeMergeCommand extends BaseCommand {
  static override paths = [['worktree', 'merge']];
  static override usage = Command.Usage({
    description: "Merge lockstep/<agent> into the target without checking anything else out; on conflict nothing moves and the agent's worktree gets the markers",
    examples: [['Merge impl-1 for task T-7K2M', '$0 worktree merge impl-1 --task T-7K2M']],
  });

  agent = Option.String({ name: 'agent' });
  into = Option.String('--into', { description: 'Target branch (default: the branch checked out in the main worktree, else main)' });
  task = Option.String('--task', { description: 'Task to record done, with the merged commit' });
  message = Option.String('--message', { description: 'Merge commit message' });
  reportOnly = Option.Boolean('--report-only', false, { description: "On conflict, do not prepare the merge in the agent's worktree" });

  async run(): Promise<number> {
    const r = await this.call(useCases.worktreeMerge, { agent: this.agent, into: this.into, task: this.task, message: this.message, resolveIn: this.reportOnly ? 'none' : 'worktree' });
    const how = r.fastForward ? 'fast-forward' : 'merge commit';
    this.print(r, `merged ${r.branch} into ${r.into} at ${r.commit.slice(0, 8)} (${how}, ${r.changedFiles.length} file(s))${r.checkoutUpdated ? '; main checkout updated' : ''}${r.task ? `; ${r.task.id} done` : ''}${r.released.length ? `; released ${r.released.join(', ')}` : ''}`);
    return 0;
  }
}
