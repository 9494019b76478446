// `lockstep status`: the state of coordination in this repository at a glance.
import { Command } from 'clipanion';
import { statusSummary } from '../../state/queries/status-summary.js';
import { STATE_REF } from '../../store/store.js';
import { BaseCommand, table } from '../base.js';

export class StatusCommand extends BaseCommand {
  static override paths = [['status']];
  static override usage = Command.Usage({ description: 'Show tasks, leases, agents and the state ref of this repository' });

  async run(): Promise<number> {
    const app = this.openApp();
    const s = await app.read((state, rc) => ({ ...statusSummary(state, rc.now), tip: rc.tip }));
    const lock = app.stateLock();
    const out = { repo: app.repo.workTree, gitDir: app.repo.commonDir, ref: STATE_REF, ...s, lock };
    const t = s.tasks;
    const human = table([
      ['Repository', `${app.repo.workTree ?? '(bare)'} (git dir ${app.repo.commonDir})`],
      ['State ref', s.tip ? `${STATE_REF} @ ${s.tip.slice(0, 10)} (format ${s.format})` : `${STATE_REF} not created yet`],
      ['Project', `${s.projectStatus}${s.hasProjectContext ? '' : ' (no context yet)'}`],
      ['Tasks', `${t.total} total: ${t.todo} todo, ${t.in_progress} in progress, ${t.blocked} blocked, ${t.review} review, ${t.done} done, ${t.canceled} canceled`],
      ['Leases', `${s.leases.active} active, ${s.leases.expired} expired`],
      ['Notes', String(s.notes)],
      ['Agents', s.agents.map((a) => `${a.name} (${a.role})`).join(', ') || 'none yet'],
      ['Corrupt', s.corrupt.map((c) => `${c.path}: ${c.reason}`).join('; ') || 'none'],
      ['Ref lock', lock ? `held${lock.pid ? ` by pid ${lock.pid}` : ''}, ${Math.round(lock.ageMs)} ms${lock.stale ? ' (STALE: the next write recovers it)' : ''}` : 'free'],
    ]);
    this.print(out, human);
    return 0;
  }
}
