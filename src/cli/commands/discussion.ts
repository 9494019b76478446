// `lockstep discussion list|show`: read discussion threads from a terminal.
import { Command, Option } from 'clipanion';
import { parseInput } from '../../app.js';
import { discussionGet, discussionGetInput, discussionList, discussionListInput } from '../../state/queries/discussion-list.js';
import { BaseCommand, table } from '../base.js';

export class DiscussionListCommand extends BaseCommand {
  static override paths = [['discussion', 'list']];
  static override usage = Command.Usage({ description: 'List discussions, most urgent first (archived ones only with --status archived)' });

  status = Option.String('--status', { description: 'open | waiting | resolved | archived' });
  category = Option.String('--category', { description: 'architecture | implementation | blocker | question | other' });
  waitingOn = Option.String('--waiting-on', { description: 'Only threads waiting on this agent or role' });
  limit = Option.String('--limit', '50');
  offset = Option.String('--offset', '0');

  async run(): Promise<number> {
    const input = parseInput(discussionListInput, {
      status: this.status,
      category: this.category,
      waitingOn: this.waitingOn,
      limit: Number(this.limit),
      offset: Number(this.offset),
    });
    const app = this.openApp();
    const r = await app.read((state) => discussionList(state, input));
    const rows = [
      ['ID', 'STATUS', 'WAITING ON', 'PRIORITY', 'CATEGORY', 'TOPIC'],
      ...r.discussions.map((d) => [d.id, d.status, d.waitingOn ?? '-', d.priority, d.category, d.topic]),
    ];
    let human = r.discussions.length ? table(rows) : 'no discussions\n';
    if (r.hasMore) human += `... ${r.total - r.offset - r.discussions.length} more (--offset ${r.offset + r.discussions.length})\n`;
    for (const c of r.corrupt) human += `CORRUPT ${c.path}: ${c.reason}\n`;
    this.print(r, human);
    return 0;
  }
}

export class DiscussionShowCommand extends BaseCommand {
  static override paths = [['discussion', 'show']];
  static override usage = Command.Usage({ description: 'Show one discussion with all its messages', examples: [['Show a discussion', '$0 discussion show D-7K2M']] });

  id = Option.String({ name: 'id' });

  async run(): Promise<number> {
    const input = parseInput(discussionGetInput, { discussionId: this.id });
    const app = this.openApp();
    const r = await app.read((state) => discussionGet(state, input));
    const d = r.discussion;
    const rows = [
      ['id', d.id],
      ['topic', d.topic],
      ['status', d.waitingOn ? `${d.status} (on ${d.waitingOn})` : d.status],
      ['priority', d.priority],
      ['category', d.category],
      ['linked task', d.linkedTask ?? '-'],
      ['created', `${d.createdAt} by ${d.createdBy}`],
      ['updated', d.updatedAt],
    ];
    if (d.decision) rows.push(['decision', `${d.decision} (by ${d.decidedBy ?? '-'}, ${d.resolvedAt ?? '-'})`], ['reasoning', d.reasoning ?? '-']);
    if (d.archivedAt) rows.push(['archived', d.archivedAt]);
    const messages = d.messages.map((m) => `\n${m.at} ${m.author}:\n${m.message}\n${m.recommendation ? `recommends: ${m.recommendation}\n` : ''}`);
    this.print(r, table(rows) + messages.join(''));
    return 0;
  }
}
