// `lockstep guard uninstall`: remove our pre-commit hook and put back the one it chained.
import { Command } from 'clipanion';
import { guardUninstall } from '../../../app/setup.js';
import { BaseCommand } from '../../base.js';

export class GuardUninstallCommand extends BaseCommand {
  static override paths = [['guard', 'uninstall']];
  static override usage = Command.Usage({ description: 'Remove the guard hooks and put back the hooks they chained, if any' });

  async run(): Promise<number> {
    const r = guardUninstall(this.openApp());
    const removed = r.hooks.filter((h) => h.action === 'removed').map((h) => h.name);
    const head = removed.length ? `guard removed: ${removed.join(', ')} from ${r.hooksDir}` : `guard was not installed in ${r.hooksDir}`;
    const restored = r.hooks.filter((h) => h.restored).map((h) => h.hook);
    this.print(r, `${head}${restored.length ? `; the previous hook${restored.length === 1 ? ' is' : 's are'} back as ${restored.join(', ')}` : ''}`);
    return 0;
  }
}
