// `lockstep lock release`: your leased paths or a lease by id (lock_release); --force: anyone's (lock_force_release).
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { LockstepError } from '../../../errors.js';
import { AS, BaseCommand } from '../../base.js';

export class LockReleaseCommand extends BaseCommand {
  static override paths = [['lock', 'release']];
  static override usage = Command.Usage({
    description: "Release your leased paths (as leased) or a lease by id; --force releases anyone's lease by id (planner)",
    examples: [
      ['Release two paths', '$0 lock release src/a.ts src/b.ts --as impl-1'],
      ["Force-release a dead agent's lease", '$0 lock release --lease L-7K2M --force --reason "impl-2 crashed"'],
    ],
  });

  targets = Option.Rest({ name: 'path' });
  lease = Option.String('--lease', { description: 'A lease id instead of paths' });
  force = Option.Boolean('--force', false, { description: "Release another agent's lease (planner; needs --lease and --reason)" });
  reason = Option.String('--reason', { description: 'Why (required with --force)' });
  as = Option.String('--as', AS);

  async run(): Promise<number> {
    if (this.force) {
      if (this.lease === undefined || this.targets.length) throw new LockstepError('INVALID_INPUT', '--force releases one lease by id: give --lease ID and no paths (lock list shows ids)', { field: 'lease' });
      const r = await this.call(useCases.lockForceRelease, { leaseId: this.lease, reason: this.reason ?? '' }, this.as);
      this.print(r, `Force-released ${r.lease.id} of ${r.lease.owner} (${r.lease.paths.join(', ')})`);
      return 0;
    }
    if (this.lease === undefined && this.targets.length === 0) throw new LockstepError('INVALID_INPUT', 'lock release needs the paths you leased or --lease ID (lockstep lock list shows your leases)', { field: 'lease' });
    if (this.lease !== undefined && this.targets.length > 0) throw new LockstepError('INVALID_INPUT', 'give paths or --lease ID, not both', { field: 'lease' });
    const r = await this.call(useCases.lockRelease, this.lease === undefined ? { paths: this.targets } : { leaseId: this.lease }, this.as);
    this.print(r, `Released ${r.released.join(', ')} (${r.leaseIds.join(', ')})`);
    return 0;
  }
}
