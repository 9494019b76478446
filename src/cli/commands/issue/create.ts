// `lockstep issue create`: an open issue from a user doc and a lead doc read from files (issue_create).
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { LockstepError } from '../../../errors.js';
import { AS, BaseCommand } from '../../base.js';

/** A doc for issue_create from a file: its name is the file's base name. */
function docFromFile(file: string, option: string): { name: string; content: string } {
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new LockstepError('FILE_NOT_FOUND', `${option} ${file}: ${(err as Error).message}`, { file });
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
    const input = { subject: this.subject, description: this.description, userDoc: docFromFile(this.here(this.userDoc), '--user-doc'), leadDoc: docFromFile(this.here(this.leadDoc), '--lead-doc') };
    const { issue } = await this.call(useCases.issueCreate, input, this.as);
    this.print({ issue }, `Created ${issue.id}: ${issue.subject} (docs: ${issue.docs.join(', ')})`);
    return 0;
  }
}
