// `lockstep lock list`: active file leases, by owner or overlapping a path (lock_list).
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { BaseCommand } from '../../base.js';
import { table } from '../../format.js';

export class LockListCommand extends BaseCommand {
  static override paths = [['lock', 'list']];
  static override usage = Command.Usage({
    description: 'List active file leases (paths are repo-relative; --path shows leases overlapping it)',
    examples: [['Leases on src', '$0 lock list --path src']],
  });

  owner = Option.String('--owner', { description: 'Only leases of this agent' });
  overlapping = Option.String('--path', { description: 'Only leases overlapping this path or glob' });
  all = Option.Boolean('--all', false, { description: 'Include expired leases' });

  async run(): Promise<number> {
    const r = await this.call(useCases.lockList, { owner: this.owner, path: this.overlapping, includeExpired: this.all });
    const rows = [
      ['ID', 'OWNER', 'MODE', 'TASK', 'EXPIRES', 'PATHS'],
      ...r.leases.map((l) => [l.id, l.owner, l.exclusive ? 'exclusive' : 'shared', l.task ?? '-', `${l.expiresAt}${l.active ? '' : ' (expired)'}`, l.paths.join(' ')]),
    ];
    let human = r.leases.length ? table(rows) : this.all ? 'no leases\n' : 'no active leases\n';
    for (const c of r.corrupt) human += `CORRUPT ${c.path}: ${c.reason}\n`;
    this.print(r, human);
    return 0;
  }
}
