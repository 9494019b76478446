// `lockstep issue list|show|create|close`: the issue ops for a person at a terminal.
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'clipanion';
import { parseInput } from '../../app.js';
import { DomainError } from '../../state/errors.js';
import { issueClose } from '../../state/ops/issue-close.js';
import { issueCreate } from '../../state/ops/issue-create.js';
import { issueGet, issueGetInput, issueList, issueListInput } from '../../state/queries/issue-list.js';
import { BaseCommand, table } from '../base.js';

const AS = { description: 'Act as this agent name (default LOCKSTEP_AGENT or "human")' };

export class IssueListCommand extends BaseCommand {
  static override paths = [['issue', 'list']];
  static override usage = Command.Usage({ description: 'List issues (an expired issue shows canceled)' });

  status = Option.String('--status', { description: 'open | in_progress | done | canceled | all (default all)' });
  contains = Option.String('--contains', { description: 'Only subjects containing this text' });
  limit = Option.String('--limit', '50');
  offset = Option.String('--offset', '0');

  async run(): Promise<number> {
    const input = parseInput(issueListInput, { status: this.status, subjectContains: this.contains, limit: Number(this.limit), offset: Number(this.offset) });
    const app = this.openApp();
    const r = await app.read((state, rc) => issueList(state, input, rc.now));
    const rows = [['ID', 'STATUS', 'TASKS', 'LEASE', 'SUBJECT'], ...r.issues.map((i) => [i.id, `${i.status}${i.expired ? ' (expired)' : ''}`, String(i.tasks), i.leaseExpiresAt ?? '-', i.subject])];
    let human = r.issues.length ? table(rows) : 'no issues\n';
    if (r.hasMore) human += `... ${r.total - r.offset - r.issues.length} more (--offset ${r.offset + r.issues.length})\n`;
    for (const c of r.corrupt) human += `CORRUPT ${c.path}: ${c.reason}\n`;
    this.print(r, human);
    return 0;
  }
}

export class IssueShowCommand extends BaseCommand {
  static override paths = [['issue', 'show']];
  static override usage = Command.Usage({ description: 'Show one issue, its task counts and docs', examples: [['Show an issue', '$0 issue show I-7K2M']] });

  id = Option.String({ name: 'id' });

  async run(): Promise<number> {
    const input = parseInput(issueGetInput, { id: this.id });
    const app = this.openApp();
    const r = await app.read((state, rc) => issueGet(state, input, rc.now));
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

/** A doc for issue_create from a file: its name is the file's base name. */
function docFromFile(file: string, option: string): { name: string; content: string } {
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new DomainError('FILE_NOT_FOUND', `${option} ${file}: ${(err as Error).message}`, { file });
  }
  return { name: path.basename(file), content };
}

export class IssueCreateCommand extends BaseCommand {
  static override paths = [['issue', 'create']];
  static override usage = Command.Usage({
    description: 'Create an open issue from a user doc and a lead doc (doc names are the file names)',
    examples: [['Create an issue', '$0 issue create "Add login" --user-doc request.md --lead-doc plan.md']],
  });

  subject = Option.String({ name: 'subject' });
  userDoc = Option.String('--user-doc', { required: true, description: 'Markdown file: the request as the user stated it' });
  leadDoc = Option.String('--lead-doc', { required: true, description: "Markdown file: the planner's plan" });
  description = Option.String('--description');
  as = Option.String('--as', AS);

  async run(): Promise<number> {
    const input = { subject: this.subject, description: this.description, userDoc: docFromFile(this.userDoc, '--user-doc'), leadDoc: docFromFile(this.leadDoc, '--lead-doc') };
    const app = this.openApp();
    const { issue } = await app.run(issueCreate, input, this.cliIdentity(this.as));
    this.print({ issue }, `Created ${issue.id}: ${issue.subject} (docs: ${issue.docs.join(', ')})`);
    return 0;
  }
}

export class IssueCloseCommand extends BaseCommand {
  static override paths = [['issue', 'close']];
  static override usage = Command.Usage({
    description: 'Mark an issue done (all its tasks done or canceled, and an approved delivery unless --without-delivery)',
    examples: [['Close an issue', '$0 issue close I-7K2M --summary "Shipped"']],
  });

  id = Option.String({ name: 'id' });
  summary = Option.String('--summary');
  withoutDelivery = Option.Boolean('--without-delivery', false, { description: 'Close without an approved delivery' });
  as = Option.String('--as', AS);

  async run(): Promise<number> {
    const app = this.openApp();
    const { issue } = await app.run(issueClose, { id: this.id, summary: this.summary, withoutDelivery: this.withoutDelivery }, this.cliIdentity(this.as));
    this.print({ issue }, `${issue.id} done${issue.delivery ? ` (delivery ${issue.delivery})` : ' (without delivery)'}`);
    return 0;
  }
}
