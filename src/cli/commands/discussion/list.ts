// `lockstep discussion list`: threads, most urgent first (discussion_list).
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { BaseCommand } from '../../base.js';
import { table } from '../../format.js';

export class DiscussionListCommand extends BaseCommand {
  static override paths = [['discussion', 'list']];
  static override usage = Command.Usage({ description: 'List discussions, most urgent first (archived ones only with --status archived)' });

  status = Option.String('--status', { description: 'open | waiting | resolved | archived' });
  category = Option.String('--category', { description: 'architecture | implementation | blocker | question | other' });
  waitingOn = Option.String('--waiting-on', { description: 'Only threads waiting on this agent or role' });
  limit = Option.String('--limit', '50');
  offset = Option.String('--offset', '0');

  async run(): Promise<number> {
    const r = await this.call(useCases.discussionList, { status: this.status, category: this.category, waitingOn: this.waitingOn, limit: Number(this.limit), offset: Number(this.offset) });
    const rows = [['ID', 'STATUS', 'WAITING ON', 'PRIORITY', 'CATEGORY', 'TOPIC'], ...r.discussions.map((d) => [d.id, d.status, d.waitingOn ?? '-', d.priority, d.category, d.topic])];
    let human = r.discussions.length ? table(rows) : 'no discussions\n';
    if (r.hasMore) human += `... ${r.total - r.offset - r.discussions.length} more (--offset ${r.offset + r.discussions.length})\n`;
    for (const c of r.corrupt) human += `CORRUPT ${c.path}: ${c.reason}\n`;
    this.print(r, human);
    return 0;
  }
}
