// `lockstep task show`: one task in full, as a claimer sees it now (task_get).
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { BaseCommand } from '../../base.js';
import { table } from '../../format.js';

export class TaskShowCommand extends BaseCommand {
  static override paths = [['task', 'show']];
  static override usage = Command.Usage({ description: 'Show one task in full', examples: [['Show a task', '$0 task show T-7K2M']] });

  id = Option.String({ name: 'id' });

  async run(): Promise<number> {
    const r = await this.call(useCases.taskGet, { id: this.id });
    const t = r.task;
    const rows = [
      ['id', t.id],
      ['title', t.title],
      ['status', `${t.status}${r.claimExpired ? ' (claim expired: free to claim)' : ''}`],
      ['complexity', t.complexity],
      ['owner', t.owner ?? '-'],
      ['tags', t.tags.join(', ') || '-'],
      ['depends on', t.dependsOn.length ? `${t.dependsOn.join(', ')}${r.waitingOn.length ? ` (waiting on ${r.waitingOn.join(', ')})` : ''}` : '-'],
      ['created', `${t.createdAt} by ${t.createdBy}`],
      ['updated', t.updatedAt],
    ];
    this.print(r, table(rows) + (t.description ? `\n${t.description}\n` : ''));
    return 0;
  }
}
