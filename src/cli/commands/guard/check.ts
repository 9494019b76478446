// `lockstep guard check`: what the pre-commit and pre-merge-commit hooks run (fails when a staged path
// is another agent's lease), and with --rewritten what post-rewrite runs (warns about rebased commits).
import { Command, Option } from 'clipanion';
import { guardCheck, guardCheckRewritten } from '../../../app/setup.js';
import type { GuardBlock } from '../../../state/leases.js';
import { BaseCommand } from '../../base.js';

function blockLine(b: GuardBlock[]): string {
  const holders = b.map((x) => `${x.holder} (lease ${x.leaseId}${x.task ? `, task ${x.task}` : ''}, pattern ${x.pattern}, until ${x.expiresAt})`);
  return `  ${b[0]!.path}: exclusively leased by ${holders.join('; ')}`;
}

export class GuardCheckCommand extends BaseCommand {
  static override paths = [['guard', 'check']];
  static override usage = Command.Usage({
    description: 'Run by the pre-commit and pre-merge-commit hooks: fail when a staged path is exclusively leased by another agent',
    details: 'With --rewritten (the post-rewrite hook), read `old new` commit lines on stdin and warn about rebased or amended commits that touch such paths; it cannot undo them, so it exits 0.',
  });

  rewritten = Option.Boolean('--rewritten', false, { description: 'Check the rewritten commits listed on stdin (post-rewrite); warn only' });

  async run(): Promise<number> {
    if (this.rewritten) return this.checkRewritten();
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

  private async checkRewritten(): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.context.stdin) chunks.push(Buffer.from(chunk as Buffer));
    const { agent, commits, blocks } = await guardCheckRewritten(this.openApp(), process.env.LOCKSTEP_AGENT || undefined, Buffer.concat(chunks).toString('utf8'));
    if (this.json) this.print({ agent, commits, blocks }, '');
    if (blocks.length === 0) return 0;
    const byPath = new Map<string, GuardBlock[]>();
    for (const b of blocks) byPath.set(b.path, [...(byPath.get(b.path) ?? []), b]);
    const lines = [
      `warning[LOCK_HELD]: ${commits} rewritten commit${commits === 1 ? '' : 's'} touch${commits === 1 ? 'es' : ''} ${byPath.size} path${byPath.size === 1 ? '' : 's'} exclusively leased by another agent (committing as ${agent}); git has already rewritten them`,
      ...[...byPath.values()].map(blockLine),
      'To undo: `git reset --hard ORIG_HEAD` (after a rebase) or `git reflog` to find the commit before; then ask the holder to release the lease.',
    ];
    this.context.stderr.write(lines.join('\n') + '\n');
    return 0;
  }
}
