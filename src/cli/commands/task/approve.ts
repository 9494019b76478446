// `lockstep task approve`: approve tasks in review, each failure reported (task_approve_batch).
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { AS, BaseCommand } from '../../base.js';

export class TaskApproveCommand extends BaseCommand {
  static override paths = [['task', 'approve']];
  static override usage = Command.Usage({
    description: 'Approve tasks in review (they become done)',
    examples: [['Approve two tasks', '$0 task approve T-7K2M T-9QXA --feedback "Nice"']],
  });

  ids = Option.Rest({ required: 1 });
  feedback = Option.String('--feedback');
  as = Option.String('--as', AS);

  async run(): Promise<number> {
    const r = await this.call(useCases.taskApproveBatch, { ids: this.ids, feedback: this.feedback }, this.as);
    const lines = r.results.map((x) => (x.approved ? `approved ${x.id}: ${x.title}` : `FAILED ${x.id}: error[${x.error?.code}] ${x.error?.message}`));
    if (r.allComplete) lines.push('ALL TASKS COMPLETE');
    this.print(r, lines.join('\n'));
    return r.failed > 0 ? 1 : 0;
  }
}
