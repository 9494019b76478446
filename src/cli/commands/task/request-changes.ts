// `lockstep task request-changes`: send a task in review back with feedback (task_request_changes).
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { AS, BaseCommand } from '../../base.js';

export class TaskRequestChangesCommand extends BaseCommand {
  static override paths = [['task', 'request-changes']];
  static override usage = Command.Usage({
    description: 'Send a task in review back to its owner with feedback',
    examples: [['Ask for tests', '$0 task request-changes T-7K2M --feedback "Add a test for negatives"']],
  });

  id = Option.String({ name: 'id' });
  feedback = Option.String('--feedback', { required: true });
  as = Option.String('--as', AS);

  async run(): Promise<number> {
    const r = await this.call(useCases.taskRequestChanges, { id: this.id, feedback: this.feedback }, this.as);
    this.print(r, `${r.task.id} sent back to ${r.task.owner ?? 'its owner'} (in_progress)`);
    return 0;
  }
}
