// `lockstep guard install`: the pre-commit hook that refuses commits touching paths another agent leased.
import { Command } from 'clipanion';
import { guardInstall } from '../../../app/setup.js';
import { BaseCommand } from '../../base.js';

export class GuardInstallCommand extends BaseCommand {
  static override paths = [['guard', 'install']];
  static override usage = Command.Usage({
    description: 'Install the pre-commit hook that refuses commits touching paths another agent exclusively leased',
    details: 'An existing pre-commit hook is kept (renamed pre-commit.lockstep-chained) and run first. Installing again changes nothing. Linked worktrees share the hook.',
  });

  async run(): Promise<number> {
    const r = guardInstall(this.openApp());
    const what = r.action === 'unchanged' ? 'already installed' : r.action;
    const chain = r.chainedNow ? `; the existing hook was kept as ${r.chained} and runs first` : r.hasChained ? `; chained hook ${r.chained} runs first` : '';
    this.print(r, `guard ${what}: ${r.hook}${chain}`);
    return 0;
  }
}
