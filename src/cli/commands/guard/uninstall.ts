// `lockstep guard uninstall`: remove our pre-commit hook and put back the one it chained.
import { Command } from 'clipanion';
import { guardUninstall } from '../../../app/setup.js';
import { BaseCommand } from '../../base.js';

export class GuardUninstallCommand extends BaseCommand {
  static override paths = [['guard', 'uninstall']];
  static override usage = Command.Usage({ description: 'Remove the pre-commit hook and put back the hook it chained, if any' });

  async run(): Promise<number> {
    const r = guardUninstall(this.openApp());
    const head = r.action === 'removed' ? `guard removed: ${r.hook}` : `guard was not installed in ${r.hooksDir}`;
    this.print(r, `${head}${r.restored ? `; the previous hook is back as ${r.hook}` : ''}`);
    return 0;
  }
}
