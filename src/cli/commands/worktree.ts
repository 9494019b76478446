// `lockstep worktree list|status|merge|cleanup`: agent worktrees for a person at a terminal.
import { Command, Option } from 'clipanion';
import { mergeAgentWorktree } from '../../app/worktree-merge.js';
import { agentWorktreeStatus, cleanupAgentWorktrees, listAgentWorktrees } from '../../app/worktrees.js';
import { parseInput } from '../../app.js';
import { AgentName } from '../../state/schema.js';
import { BaseCommand, table } from '../base.js';

export class WorktreeListCommand extends BaseCommand {
  static override paths = [['worktree', 'list']];
  static override usage = Command.Usage({ description: 'List linked worktrees with their agents (missing ones are marked)' });

  async run(): Promise<number> {
    const worktrees = await listAgentWorktrees(this.openApp());
    const rows = [
      ['NAME', 'BRANCH', 'HEAD', 'AGENT', 'LAST SEEN', 'DIR'],
      ...worktrees.map((w) => [w.name, w.branch ?? '(detached)', w.head?.slice(0, 8) ?? '-', w.agent ? `${w.agent.name} (${w.agent.status})` : '-', w.agent?.lastSeen ?? '-', `${w.dir ?? '?'}${w.missing ? ' (missing)' : ''}`]),
    ];
    this.print({ worktrees }, worktrees.length ? table(rows) : 'no linked worktrees\n');
    return 0;
  }
}

export class WorktreeStatusCommand extends BaseCommand {
  static override paths = [['worktree', 'status']];
  static override usage = Command.Usage({
    description: "An agent's worktree: ahead/behind the local target branch, uncommitted, untracked and changed files",
    examples: [['Status of impl-1 against main', '$0 worktree status impl-1 --target main']],
  });

  agent = Option.String({ name: 'agent' });
  target = Option.String('--target', { description: 'Target branch (default: the branch checked out in the main worktree)' });

  async run(): Promise<number> {
    const agent = parseInput(AgentName, this.agent);
    const s = await agentWorktreeStatus(this.openApp(), { agent, target: this.target });
    const lines = [
      `${s.dir} on ${s.branch} at ${s.head.slice(0, 8)}`,
      `${s.ahead} ahead, ${s.behind} behind ${s.target} (${s.targetHead.slice(0, 8)})`,
      ...s.uncommitted.map((f) => `  modified   ${f}`),
      ...s.untracked.map((f) => `  untracked  ${f}`),
      ...s.changed.map((f) => `  changed    ${f}`),
    ];
    this.print(s, lines.join('\n'));
    return 0;
  }
}

export class WorktreeCleanupCommand extends BaseCommand {
  static override paths = [['worktree', 'cleanup']];
  static override usage = Command.Usage({
    description: 'Prune worktrees whose directory is gone; delete lockstep/* branches fully merged into the target (never unmerged work)',
    examples: [['See what would go', '$0 worktree cleanup --dry-run']],
  });

  dryRun = Option.Boolean('--dry-run', false, { description: 'Report only; change nothing' });
  target = Option.String('--target', { description: 'Target branch (default: the branch checked out in the main worktree)' });

  async run(): Promise<number> {
    const r = await cleanupAgentWorktrees(this.openApp(), this.cliIdentity(), { dryRun: this.dryRun, target: this.target });
    const verb = r.dryRun ? 'would ' : '';
    const lines = [
      ...r.pruned.map((p) => `${verb}prune ${p.name} (${p.dir ?? '?'} is gone)`),
      ...r.deleted.map((d) => `${verb}delete ${d.branch} (${d.tip.slice(0, 8)}, merged into ${r.target})`),
      ...r.kept.map((k) => `keep ${k.branch}: ${k.reason}`),
    ];
    this.print(r, lines.join('\n') || 'nothing to clean up');
    return 0;
  }
}

export class WorktreeMergeCommand extends BaseCommand {
  static override paths = [['worktree', 'merge']];
  static override usage = Command.Usage({
    description: "Merge lockstep/<agent> into the target without checking anything else out; on conflict nothing moves and the agent's worktree gets the markers",
    examples: [['Merge impl-1 for task T-7K2M', '$0 worktree merge impl-1 --task T-7K2M']],
  });

  agent = Option.String({ name: 'agent' });
  into = Option.String('--into', { description: 'Target branch (default: the branch checked out in the main worktree, else main)' });
  task = Option.String('--task', { description: 'Task to record done, with the merged commit' });
  message = Option.String('--message', { description: 'Merge commit message' });
  reportOnly = Option.Boolean('--report-only', false, { description: "On conflict, do not prepare the merge in the agent's worktree" });

  async run(): Promise<number> {
    const r = await mergeAgentWorktree(this.openApp(), this.cliIdentity(), { agent: this.agent, into: this.into, task: this.task, message: this.message, resolveIn: this.reportOnly ? 'none' : 'worktree' });
    const how = r.fastForward ? 'fast-forward' : 'merge commit';
    this.print(r, `merged ${r.branch} into ${r.into} at ${r.commit.slice(0, 8)} (${how}, ${r.changedFiles.length} file(s))${r.checkoutUpdated ? '; main checkout updated' : ''}${r.task ? `; ${r.task.id} done` : ''}${r.released.length ? `; released ${r.released.join(', ')}` : ''}`);
    return 0;
  }
}
