// `lockstep guard status`: whether the pre-commit guard is installed, and where.
import { Command } from 'clipanion';
import { guardHookStatus } from '../../../app/setup.js';
import { BaseCommand } from '../../base.js';

export class GuardStatusCommand extends BaseCommand {
  static override paths = [['guard', 'status']];
  static override usage = Command.Usage({ description: 'Show whether the guard hooks are installed, and where' });

  async run(): Promise<number> {
    const s = guardHookStatus(this.openApp());
    const missing = s.hooks.filter((h) => !h.installed);
    const foreign = missing.filter((h) => h.foreign).map((h) => h.name);
    const state = s.installed
      ? 'installed'
      : missing.length < s.hooks.length
        ? `partly installed (missing ${missing.map((h) => h.name).join(', ')}; run lockstep guard install)`
        : foreign.length
          ? `not installed (another ${foreign.join(', ')} hook is in place)`
          : 'not installed';
    const chained = s.hooks.filter((h) => h.hasChained).map((h) => h.chained);
    this.print(s, `guard ${state}: ${s.hooksDir}${chained.length ? ` (chained: ${chained.join(', ')})` : ''}`);
    return 0;
  }
}
