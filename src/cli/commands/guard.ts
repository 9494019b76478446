// `lockstep guard install|uninstall|status|check`: the git pre-commit hook that refuses commits touching paths another agent leased.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'clipanion';
import { runGit } from '../../git/cli.js';
import { configValue } from '../../git/config.js';
import { GitError } from '../../git/errors.js';
import type { GitRepo } from '../../git/repo.js';
import { committingAgent, guardBlocks, guardStatus, installGuard, resolveHooksDir, uninstallGuard, type GuardBlock } from '../../workspace/guard.js';
import { BaseCommand } from '../base.js';

/** The hooks directory git uses for this checkout (core.hooksPath, else the shared common dir's hooks). */
function hooksDirOf(repo: GitRepo): string {
  return resolveHooksDir(repo, configValue(repo, 'core', 'hooksPath'));
}

/** This CLI's entry point as an absolute real path, so the hook works from any directory. */
function cliEntry(): string {
  return fs.realpathSync(fileURLToPath(new URL('../main.js', import.meta.url)));
}

export class GuardInstallCommand extends BaseCommand {
  static override paths = [['guard', 'install']];
  static override usage = Command.Usage({
    description: 'Install the pre-commit hook that refuses commits touching paths another agent exclusively leased',
    details: 'An existing pre-commit hook is kept (renamed pre-commit.lockstep-chained) and run first. Installing again changes nothing. Linked worktrees share the hook.',
  });

  async run(): Promise<number> {
    const app = this.openApp();
    const r = installGuard(hooksDirOf(app.repo), fs.realpathSync(process.execPath), cliEntry());
    const what = r.action === 'unchanged' ? 'already installed' : r.action;
    const chain = r.chainedNow ? `; the existing hook was kept as ${r.chained} and runs first` : r.hasChained ? `; chained hook ${r.chained} runs first` : '';
    this.print(r, `guard ${what}: ${r.hook}${chain}`);
    return 0;
  }
}

export class GuardUninstallCommand extends BaseCommand {
  static override paths = [['guard', 'uninstall']];
  static override usage = Command.Usage({ description: 'Remove the pre-commit hook and put back the hook it chained, if any' });

  async run(): Promise<number> {
    const app = this.openApp();
    const r = uninstallGuard(hooksDirOf(app.repo));
    const head = r.action === 'removed' ? `guard removed: ${r.hook}` : `guard was not installed in ${r.hooksDir}`;
    this.print(r, `${head}${r.restored ? `; the previous hook is back as ${r.hook}` : ''}`);
    return 0;
  }
}

export class GuardStatusCommand extends BaseCommand {
  static override paths = [['guard', 'status']];
  static override usage = Command.Usage({ description: 'Show whether the pre-commit guard is installed, and where' });

  async run(): Promise<number> {
    const app = this.openApp();
    const s = guardStatus(hooksDirOf(app.repo));
    const state = s.installed ? 'installed' : s.foreign ? 'not installed (another pre-commit hook is in place)' : 'not installed';
    this.print(s, `guard ${state}: ${s.hook}${s.hasChained ? ` (chained: ${s.chained})` : ''}`);
    return 0;
  }
}

function blockLine(b: GuardBlock[]): string {
  const holders = b.map((x) => `${x.holder} (lease ${x.leaseId}${x.task ? `, task ${x.task}` : ''}, pattern ${x.pattern}, until ${x.expiresAt})`);
  return `  ${b[0]!.path}: exclusively leased by ${holders.join('; ')}`;
}

export class GuardCheckCommand extends BaseCommand {
  static override paths = [['guard', 'check']];
  static override usage = Command.Usage({ description: 'Run by the pre-commit hook: fail when a staged path is exclusively leased by another agent' });

  async run(): Promise<number> {
    const app = this.openApp();
    const workTree = app.repo.workTree;
    if (!workTree) throw new GitError('NOT_A_GIT_REPO', `${app.repo.gitDir} is a bare repository; guard check runs in a working tree (the pre-commit hook runs it there)`);
    // --no-renames: a rename shows as a deletion and an addition, so both of its sides are checked.
    const diff = runGit(['diff', '--cached', '--name-only', '-z', '--no-renames'], workTree);
    if (diff === null) throw new GitError('GIT_IO', 'the git CLI was not found; guard check reads the staged paths with `git diff --cached`');
    if (diff.status !== 0) throw new GitError('GIT_IO', `git diff --cached failed: ${diff.stderr.trim()}`);
    const staged = diff.stdout.split('\0').filter(Boolean);
    const { agent, blocks } = await app.read((state, rc) => {
      const who = committingAgent(state, process.env.LOCKSTEP_AGENT || undefined, workTree);
      return { agent: who, blocks: staged.length ? guardBlocks(state, staged, who, rc.now) : [] };
    });
    if (this.json) this.print({ agent, staged: staged.length, blocks }, '');
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
