// `lockstep lock list|release`: file leases for a person at a terminal (release --force = lock_force_release).
import { Command, Option } from 'clipanion';
import { parseInput } from '../../app.js';
import { DomainError } from '../../state/errors.js';
import { lockForceRelease } from '../../state/ops/lock-force-release.js';
import { lockRelease } from '../../state/ops/lock-release.js';
import { lockList, lockListInput } from '../../state/queries/lock-list.js';
import { BaseCommand, table } from '../base.js';

const AS = { description: 'Act as this agent name (default LOCKSTEP_AGENT or "human")' };

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
    const input = parseInput(lockListInput, { owner: this.owner, path: this.overlapping, includeExpired: this.all });
    const app = this.openApp();
    const r = await app.read((state, rc) => lockList(state, input, rc.now, rc.workTree));
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

export class LockReleaseCommand extends BaseCommand {
  static override paths = [['lock', 'release']];
  static override usage = Command.Usage({
    description: "Release your leased paths (as leased) or a lease by id; --force releases anyone's lease by id (planner)",
    examples: [
      ['Release two paths', '$0 lock release src/a.ts src/b.ts --as impl-1'],
      ['Force-release a dead agent\'s lease', '$0 lock release --lease L-7K2M --force --reason "impl-2 crashed"'],
    ],
  });

  targets = Option.Rest({ name: 'path' });
  lease = Option.String('--lease', { description: 'A lease id instead of paths' });
  force = Option.Boolean('--force', false, { description: "Release another agent's lease (planner; needs --lease and --reason)" });
  reason = Option.String('--reason', { description: 'Why (required with --force)' });
  as = Option.String('--as', AS);

  async run(): Promise<number> {
    const who = this.cliIdentity(this.as);
    if (this.force) {
      if (this.lease === undefined || this.targets.length) throw new DomainError('INVALID_INPUT', '--force releases one lease by id: give --lease ID and no paths (lock list shows ids)', { field: 'lease' });
      const r = await this.openApp().run(lockForceRelease, { leaseId: this.lease, reason: this.reason ?? '' }, who);
      this.print(r, `Force-released ${r.lease.id} of ${r.lease.owner} (${r.lease.paths.join(', ')})`);
      return 0;
    }
    if ((this.lease === undefined) === (this.targets.length === 0)) throw new DomainError('INVALID_INPUT', 'give paths or --lease ID, not both', { field: 'lease' });
    const input = this.lease === undefined ? { paths: this.targets } : { leaseId: this.lease };
    const r = await this.openApp().run(lockRelease, input, who);
    this.print(r, `Released ${r.released.join(', ')} (${r.leaseIds.join(', ')})`);
    return 0;
  }
}
