// `lockstep guard status`: whether the pre-commit guard is installed, and where.
import { Command } from 'clipanion';
import { guardHookStatus } from '../../../app/setup.js';
import { BaseCommand } from '../../base.js';

export class GuardStatusCommand extends BaseCommand {
  static override paths = [['guard', 'status']];
  static override usage = Command.Usage({ description: 'Show whether the pre-commit guard is installed, and where' });

  async run(): Promise<number> {
    const s = guardHookStatus(this.openApp());
    const state = s.installed ? 'installed' : s.foreign ? 'not installed (another pre-commit hook is in place)' : 'not installed';
    this.print(s, `guard ${state}: ${s.hook}${s.hasChained ? ` (chained: ${s.chained})` : ''}`);
    return 0;
  }
}
