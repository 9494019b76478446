// Merges made elsewhere: an agent's branch that became an ancestor of its target (a pull request
// merged on the host and fetched, or a merge with plain git) marks the agent's task merged and
// releases its leases on the merged files, in one state commit (worktree.merge_record).
import { changedFiles, agentBranches, defaultTarget, mergeBaseOf, mergedInto, BRANCH_PREFIX } from '../git/worktrees.js';
import { readRef } from '../git/refs.js';
import { isActive } from '../state/leases.js';
import { worktreeMergeRecord } from '../state/ops/worktree-merge-record.js';
import type { App, Identity } from './use-case.js';

export interface HostMerge {
  agent: string;
  into: string;
  commit: string;
  task?: string;
  released: string[];
}

/**
 * Check every `lockstep/<agent>` branch against the default target, locally and as fetched from the
 * referee remote. A branch tip already recorded (the agent's `mergedTip`), or an agent with no open
 * task and no lease, needs nothing.
 */
export async function recordMergedBranches(app: App, who: Identity): Promise<HostMerge[]> {
  const branches = agentBranches(app.repo);
  if (branches.size === 0) return [];
  const target = defaultTarget(app.repo);
  const targets: [string, string | null][] = [[target, readRef(app.repo, `refs/heads/${target}`)]];
  if (app.remoteName) targets.push([`${app.remoteName}/${target}`, readRef(app.repo, `refs/remotes/${app.remoteName}/${target}`)]);
  const out: HostMerge[] = [];
  for (const [agent, tip] of branches) {
    const info = await app.read((state, rc) => ({
      mergedTip: (state.agent(agent) as { mergedTip?: string } | undefined)?.mergedTip,
      open: state.tasks().items.filter((t) => t.owner === agent && (t.status === 'in_progress' || t.status === 'review')).map((t) => t.id),
      leased: state.leases().items.filter((l) => l.owner === agent && isActive(l, rc.now)).flatMap((l) => l.paths),
    }));
    if (info.mergedTip === tip || (info.open.length === 0 && info.leased.length === 0)) continue;
    for (const [into, targetTip] of targets) {
      if (!targetTip) continue;
      const m = mergedInto(app.repo, tip, targetTip);
      if (!m) continue;
      // Fast-forwarded: which files were the branch's is not known any more, so all of its leases go.
      const changed = m.before === tip ? info.leased : await changedFiles(app.repo, (await mergeBaseOf(app.repo, m.before, tip)) ?? m.before, tip);
      const task = info.open.length === 1 ? info.open[0] : undefined;
      const rec = await app.transact(
        worktreeMergeRecord,
        { agent, branch: `${BRANCH_PREFIX}${agent}`, into, commit: targetTip, fastForward: m.before === tip, changedFiles: changed, task, branchTip: tip },
        who,
      );
      out.push({ agent, into, commit: targetTip, task, released: rec.released });
      break;
    }
  }
  return out;
}
