// `lockstep task list`: tasks oldest first, filtered and paged (task_list).
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { BaseCommand } from '../../base.js';
import { table } from '../../format.js';

export class TaskListCommand extends BaseCommand {
  static override paths = [['task', 'list']];
  static override usage = Command.Usage({ description: 'List tasks (done ones hidden unless --all or --status done)' });

  status = Option.String('--status', { description: 'todo | in_progress | blocked | review | done | canceled' });
  owner = Option.String('--owner');
  tag = Option.String('--tag');
  all = Option.Boolean('--all', false, { description: 'Include done and canceled tasks' });
  limit = Option.String('--limit', '50');
  offset = Option.String('--offset', '0');

  async run(): Promise<number> {
    const r = await this.call(useCases.taskList, { status: this.status, owner: this.owner, tag: this.tag, includeDone: this.all, limit: Number(this.limit), offset: Number(this.offset) });
    const rows = [['ID', 'STATUS', 'OWNER', 'COMPLEXITY', 'TITLE'], ...r.tasks.map((t) => [t.id, t.status, t.owner ?? '-', t.complexity, t.title])];
    let human = r.tasks.length ? table(rows) : 'no tasks\n';
    if (r.hasMore) human += `... ${r.total - r.offset - r.tasks.length} more (--offset ${r.offset + r.tasks.length})\n`;
    if (r.hint) human += `${r.hint}\n`;
    for (const c of r.corrupt) human += `CORRUPT ${c.path}: ${c.reason}\n`;
    this.print(r, human);
    return 0;
  }
}
