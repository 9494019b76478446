// `lockstep status`: the coordination state of this repository at a glance, and where Lockstep is installed.
import { Command, Option } from 'clipanion';
import { STATE_REF, type Lockstep } from '../../app/lockstep.js';
import { blockStates, installState, nameOf, type InstallRow } from '../../app/setup.js';
import { useCases } from '../../app/use-cases.js';
import { BaseCommand } from '../base.js';
import { table } from '../format.js';

function installLine(name: string, i: InstallRow): string {
  if (i.error) return `error[${i.error.code}]: ${i.error.message}`;
  if (!i.installed) return `${name} not installed (${i.file})`;
  return `${name} installed in ${i.file}${i.runnable ? '' : ' (its command or script is missing: run lockstep install again)'}`;
}

function lockLine(lock: NonNullable<ReturnType<Lockstep['stateLock']>>): string {
  if (lock.invalid) return `${lock.path} is ${lock.invalid}: every write fails until you remove it (STATE_LOCK_INVALID)`;
  if (lock.future) return `held${lock.pid ? ` by pid ${lock.pid}` : ''}, mtime in the future (a write recovers it after waiting 5 s)`;
  return `held${lock.pid ? ` by pid ${lock.pid}` : ''}, ${Math.round(lock.ageMs)} ms${lock.stale ? ' (STALE: the next write recovers it)' : ''}`;
}

function remoteLine(r: NonNullable<Awaited<ReturnType<Lockstep['remoteStatus']>>>): string {
  if (r.diverged) return `${r.remote}: DIVERGED (the remote ref was ${r.diverged.remoteTip ? 'rewritten' : 'deleted'}): lockstep sync --adopt-remote or --republish`;
  const err = r.lastError ? `, last error ${r.lastError.code}` : '';
  return `${r.remote} (${r.url ?? 'no such git remote'}, ${r.mode}): ${r.unpublished} unpublished, last sync ${r.lastSync ?? 'never'}${err}`;
}

export class StatusCommand extends BaseCommand {
  static override paths = [['status']];
  static override usage = Command.Usage({
    description: 'Show tasks, leases, agents and the state ref of this repository, and where Lockstep is installed',
    details: 'Install rows: Claude Code project (.mcp.json at the repository root) and user (~/.claude.json), and Codex (~/.codex/config.toml or $CODEX_HOME). Coordination: the block `lockstep init` writes to CLAUDE.md / AGENTS.md.',
  });

  name = Option.String('--name', { description: 'Server name to look for in the configs (default lockstep)' });

  async run(): Promise<number> {
    const name = nameOf(this.name);
    const app = this.openApp();
    const s = await this.call(useCases.statusGet, {});
    const lock = app.stateLock();
    const root = app.repo.workTree;
    const install = installState(root, name);
    const coordination = blockStates(root);
    const t = s.tasks;
    const openTasks = t.todo + t.in_progress + t.blocked + t.review;
    const out = { repo: app.repo.workTree, gitDir: app.repo.commonDir, ...s, lock, refPresent: s.tip !== null, openTasks, install, coordination };
    const enabled = coordination.filter((b) => b.enabled);
    const human = table([
      ['Repository', `${app.repo.workTree ?? '(bare)'} (git dir ${app.repo.commonDir})`],
      ['State ref', s.tip ? `${STATE_REF} @ ${s.tip.slice(0, 10)} (format ${s.format})` : `${STATE_REF} not created yet (lockstep init creates it)`],
      ['Project', `${s.projectStatus}${s.hasProjectContext ? '' : ' (no context yet)'}`],
      ['Tasks', `${t.total} total: ${t.todo} todo, ${t.in_progress} in progress, ${t.blocked} blocked, ${t.review} review, ${t.done} done, ${t.canceled} canceled`],
      ['Leases', `${s.leases.active} active, ${s.leases.expired} expired`],
      ['Notes', String(s.notes)],
      ['Agents', s.agents.map((a) => `${a.name} (${a.role})`).join(', ') || 'none yet'],
      ['Corrupt', s.corrupt.map((c) => `${c.path}: ${c.reason}`).join('; ') || 'none'],
      ['Ref lock', lock ? lockLine(lock) : 'free'],
      ['Remote', s.remote ? remoteLine(s.remote) : 'none (lockstep sync --setup origin publishes the state)'],
      ['Coordination', enabled.length ? enabled.map((b) => `${b.file}${b.current ? '' : ' (outdated: lockstep init --force)'}`).join(', ') : 'not enabled (lockstep init)'],
      ...install.map((i) => [i.agent === 'claude' ? `Claude (${i.scope})` : 'Codex', installLine(name, i)]),
    ]);
    this.print(out, human);
    return 0;
  }
}
