// `lockstep log`: the state history, one line per commit (what `git log lockstep/state` holds).
import { Command, Option } from 'clipanion';
import { z } from 'zod';
import { parseInput } from '../../app/lockstep.js';
import { eventFilter } from '../../app/waits.js';
import { BaseCommand } from '../base.js';

export class LogCommand extends BaseCommand {
  static override paths = [['log']];
  static override usage = Command.Usage({
    description: 'Show the state history, newest first',
    details: 'Every state change is one commit on refs/lockstep/state; `git log -p refs/lockstep/state` shows the same history with full diffs.',
    examples: [['The last 50 changes to one task', '$0 log --entity T-7K2M --limit 50']],
  });

  limit = Option.String('--limit', '20', { description: 'How many commits, 1-10000 (default 20)' });
  entity = Option.String('--entity', { description: 'Only commits touching this id' });

  async run(): Promise<number> {
    const limit = parseInput(z.number().int().min(1).max(10_000), Number(this.limit));
    const events = await this.openApp().history(limit, eventFilter({ entity: this.entity }));
    const human = events.map((e) => `${e.cursor.slice(0, 10)}  ${e.at.slice(0, 19).replace('T', ' ')}  ${e.subject}`).join('\n') || 'no state history yet';
    this.print({ events }, human);
    return 0;
  }
}
