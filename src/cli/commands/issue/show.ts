// `lockstep issue show`: one issue, its task counts and docs (issue_get).
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { BaseCommand } from '../../base.js';
import { table } from '../../format.js';

export class IssueShowCommand extends BaseCommand {
  static override paths = [['issue', 'show']];
  static override usage = Command.Usage({ description: 'Show one issue, its task counts and docs', examples: [['Show an issue', '$0 issue show I-7K2M']] });

  id = Option.String({ name: 'id' });

  async run(): Promise<number> {
    const r = await this.call(useCases.issueGet, { id: this.id });
    const i = r.issue;
    const counts = Object.entries(r.tasks)
      .filter(([k, n]) => k !== 'total' && n > 0)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    const rows = [
      ['id', i.id],
      ['subject', i.subject],
      ['status', `${i.status}${i.expired ? ' (expired)' : ''}`],
      ['lease', i.leaseExpiresAt ?? '-'],
      ['tasks', `${r.tasks.total}${counts ? ` (${counts})` : ''}`],
      ['docs', r.docs.join(', ') || '-'],
      ['created', `${i.createdAt} by ${i.createdBy}`],
      ['updated', i.updatedAt],
    ];
    if (i.closedAt) rows.push(['closed', `${i.closedAt} by ${i.closedBy ?? '-'}${i.delivery ? ` (delivery ${i.delivery})` : i.closedWithoutDelivery ? ' (without delivery)' : ''}`]);
    if (i.summary) rows.push(['summary', i.summary]);
    this.print(r, table(rows) + (i.description ? `\n${i.description}\n` : ''));
    return 0;
  }
}
