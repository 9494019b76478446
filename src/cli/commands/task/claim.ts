// `lockstep task claim`: claim a given todo task (task_claim) or the best ready one (task_next).
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { AS, BaseCommand } from '../../base.js';

export class TaskClaimCommand extends BaseCommand {
  static override paths = [['task', 'claim']];
  static override usage = Command.Usage({
    description: 'Claim a todo task (or, without an id, the best ready one) as yours',
    examples: [
      ['Claim a task', '$0 task claim T-7K2M'],
      ['Claim whatever is ready next', '$0 task claim --as impl-1'],
    ],
  });

  id = Option.String({ name: 'id', required: false });
  as = Option.String('--as', AS);

  async run(): Promise<number> {
    if (this.id === undefined) {
      const r = await this.call(useCases.taskNext, {}, this.as);
      this.print(r, r.task ? `Claimed ${r.task.id}: ${r.task.title}\n${r.instruction}` : r.hint!);
      return 0;
    }
    const r = await this.call(useCases.taskClaim, { id: this.id }, this.as);
    this.print(r, `Claimed ${r.task.id}: ${r.task.title}\n${r.instruction}`);
    return 0;
  }
}
