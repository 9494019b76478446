// `lockstep issue list`: issues as readers see them, an expired one canceled (issue_list).
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { BaseCommand } from '../../base.js';
import { table } from '../../format.js';

export class IssueListCommand extends BaseCommand {
  static override paths = [['issue', 'list']];
  static override usage = Command.Usage({ description: 'List issues (an expired issue shows canceled)' });

  status = Option.String('--status', { description: 'open | in_progress | done | canceled | all (default all)' });
  contains = Option.String('--contains', { description: 'Only subjects containing this text' });
  limit = Option.String('--limit', '50');
  offset = Option.String('--offset', '0');

  async run(): Promise<number> {
    const r = await this.call(useCases.issueList, { status: this.status, subjectContains: this.contains, limit: Number(this.limit), offset: Number(this.offset) });
    const rows = [['ID', 'STATUS', 'TASKS', 'LEASE', 'SUBJECT'], ...r.issues.map((i) => [i.id, `${i.status}${i.expired ? ' (expired)' : ''}`, String(i.tasks), i.leaseExpiresAt ?? '-', i.subject])];
    let human = r.issues.length ? table(rows) : 'no issues\n';
    if (r.hasMore) human += `... ${r.total - r.offset - r.issues.length} more (--offset ${r.offset + r.issues.length})\n`;
    for (const c of r.corrupt) human += `CORRUPT ${c.path}: ${c.reason}\n`;
    this.print(r, human);
    return 0;
  }
}
