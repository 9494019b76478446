// `lockstep guard check`: what the pre-commit hook runs; fails when a staged path is another agent's lease.
import { Command } from 'clipanion';
import { guardCheck } from '../../../app/setup.js';
import type { GuardBlock } from '../../../state/leases.js';
import { BaseCommand } from '../../base.js';

function blockLine(b: GuardBlock[]): string {
  const holders = b.map((x) => `${x.holder} (lease ${x.leaseId}${x.task ? `, task ${x.task}` : ''}, pattern ${x.pattern}, until ${x.expiresAt})`);
  return `  ${b[0]!.path}: exclusively leased by ${holders.join('; ')}`;
}

export class GuardCheckCommand extends BaseCommand {
  static override paths = [['guard', 'check']];
  static override usage = Command.Usage({ description: 'Run by the pre-commit hook: fail when a staged path is exclusively leased by another agent' });

  async run(): Promise<number> {
    const { agent, staged, blocks } = await guardCheck(this.openApp(), process.env.LOCKSTEP_AGENT || undefined);
    if (this.json) this.print({ agent, staged, blocks }, '');
    if (blocks.length === 0) return 0;
    const byPath = new Map<string, GuardBlock[]>();
    for (const b of blocks) byPath.set(b.path, [...(byPath.get(b.path) ?? []), b]);
    const lines = [
      `error[LOCK_HELD]: commit blocked: ${byPath.size} staged path${byPath.size === 1 ? ' is' : 's are'} exclusively leased by another agent (committing as ${agent})`,
      ...[...byPath.values()].map(blockLine),
      'To proceed: ask the holder to release the lease (lock_release), wait until it is released or expires, or override once with `git commit --no-verify`.',
      'Committing as the holder? Set LOCKSTEP_AGENT to its name.',
    ];
    this.context.stderr.write(lines.join('\n') + '\n');
    return 1;
  }
}
