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
    const lines = r.results.filter((x) => x.approved).map((x) => `approved ${x.id}: ${x.title}`);
    if (r.allComplete) lines.push('ALL TASKS COMPLETE');
    if (this.json || lines.length) this.print(r, lines.join('\n'));
    // Each refusal on stderr, as any error: the approvals that went through stand.
    for (const x of r.results) if (!x.approved) this.fail({ code: x.error?.code ?? 'INTERNAL', message: `${x.id}: ${x.error?.message ?? 'not approved'}`, data: { id: x.id } });
    return r.failed > 0 ? 1 : 0;
  }
}
