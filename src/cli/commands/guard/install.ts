// `lockstep guard install`: the hooks that refuse commits and merges touching paths another agent leased (and report rebases).
import { Command } from 'clipanion';
import { guardInstall } from '../../../app/setup.js';
import { BaseCommand } from '../../base.js';

export class GuardInstallCommand extends BaseCommand {
  static override paths = [['guard', 'install']];
  static override usage = Command.Usage({
    description: 'Install the git hooks that refuse commits touching paths another agent exclusively leased',
    details: 'pre-commit and pre-merge-commit refuse a commit or merge commit that touches such a path; post-rewrite warns after a rebase or amend that did. Cherry-picks and `--no-verify` are not covered. An existing hook is kept (renamed <hook>.lockstep-chained) and run first. Installing again changes nothing. Linked worktrees share the hooks.',
  });

  async run(): Promise<number> {
    const r = guardInstall(this.openApp());
    const what = r.action === 'unchanged' ? 'already installed' : r.action;
    const chains = r.hooks.filter((h) => h.hasChained).map((h) => (h.chainedNow ? `the existing ${h.name} hook was kept as ${h.chained} and runs first` : `chained hook ${h.chained} runs first`));
    this.print(r, `guard ${what}: ${r.hooks.map((h) => h.name).join(', ')} in ${r.hooksDir}${chains.length ? `; ${chains.join('; ')}` : ''}`);
    return 0;
  }
}
