// `lockstep discussion show`: one thread with all its messages (discussion_get).
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { BaseCommand } from '../../base.js';
import { table } from '../../format.js';

export class DiscussionShowCommand extends BaseCommand {
  static override paths = [['discussion', 'show']];
  static override usage = Command.Usage({ description: 'Show one discussion with all its messages', examples: [['Show a discussion', '$0 discussion show D-7K2M']] });

  id = Option.String({ name: 'id' });

  async run(): Promise<number> {
    const r = await this.call(useCases.discussionGet, { discussionId: this.id });
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
