// `lockstep task create`: a todo task (task_create).
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { AS, BaseCommand } from '../../base.js';

export class TaskCreateCommand extends BaseCommand {
  static override paths = [['task', 'create']];
  static override usage = Command.Usage({
    description: 'Create a todo task',
    examples: [['A simple task', '$0 task create --title "Fix the README typo" --complexity simple']],
  });

  title = Option.String('--title', { required: true });
  description = Option.String('--description');
  complexity = Option.String('--complexity', { description: 'simple | medium (default) | complex | critical' });
  tags = Option.Array('--tag', { description: 'Repeat for several tags' });
  dependsOn = Option.Array('--depends-on', { description: 'A task that must be done first (repeatable)' });
  as = Option.String('--as', AS);

  async run(): Promise<number> {
    const { task } = await this.call(useCases.taskCreate, { title: this.title, description: this.description, complexity: this.complexity, tags: this.tags, dependsOn: this.dependsOn }, this.as);
    this.print({ task }, `Created ${task.id}: ${task.title}`);
    return 0;
  }
}
