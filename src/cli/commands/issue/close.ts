// `lockstep issue close`: mark an issue done (issue_close).
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { AS, BaseCommand } from '../../base.js';

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
    const { issue } = await this.call(useCases.issueClose, { id: this.id, summary: this.summary, withoutDelivery: this.withoutDelivery }, this.as);
    this.print({ issue }, `${issue.id} done${issue.delivery ? ` (delivery ${issue.delivery})` : ' (without delivery)'}`);
    return 0;
  }
}
