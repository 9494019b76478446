// `lockstep status`: the state of coordination in this repository at a glance, and where Lockstep is installed.
import path from 'node:path';
import { Command, Option } from 'clipanion';
import { errorBody } from '../../mcp/errors.js';
import { statusSummary } from '../../state/queries/status-summary.js';
import { STATE_REF } from '../../store/store.js';
import { BLOCK_FILES, blockState, claudeEntryState, claudeProjectConfig, claudeUserConfig, codexConfig, codexEntryState, type EntryState } from '../../workspace/install.js';
import { BaseCommand, table } from '../base.js';
import { homeDir, nameOf } from './install.js';

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
    const s = await app.read((state, rc) => ({ ...statusSummary(state, rc.now), tip: rc.tip }));
    const lock = app.stateLock();
    const root = app.repo.workTree;
    const home = homeDir();
    const install = [
      ...(root ? [{ agent: 'claude', scope: 'project', ...probe(claudeProjectConfig(root), (f) => claudeEntryState(f, name)) }] : []),
      { agent: 'claude', scope: 'user', ...probe(claudeUserConfig(home), (f) => claudeEntryState(f, name)) },
      { agent: 'codex', scope: 'user', ...probe(codexConfig(home, process.env.CODEX_HOME), (f) => codexEntryState(f, name)) },
    ];
    const coordination = root ? BLOCK_FILES.map((f) => blockState(path.join(root, f))).filter((b) => b.exists) : [];
    const t = s.tasks;
    const openTasks = t.todo + t.in_progress + t.blocked + t.review;
    const out = { repo: app.repo.workTree, gitDir: app.repo.commonDir, ref: STATE_REF, ...s, lock, refPresent: s.tip !== null, openTasks, install, coordination };
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
      ['Ref lock', lock ? `held${lock.pid ? ` by pid ${lock.pid}` : ''}, ${Math.round(lock.ageMs)} ms${lock.stale ? ' (STALE: the next write recovers it)' : ''}` : 'free'],
      ['Coordination', enabled.length ? enabled.map((b) => `${b.file}${b.current ? '' : ' (outdated: lockstep init --force)'}`).join(', ') : 'not enabled (lockstep init)'],
      ...install.map((i) => [i.agent === 'claude' ? `Claude (${i.scope})` : 'Codex', installLine(name, i)]),
    ]);
    this.print(out, human);
    return 0;
  }
}

/** A config we cannot parse is reported in its row, not fatal to status. */
function probe(file: string, read: (file: string) => EntryState): EntryState & { error?: { code: string; message: string } } {
  try {
    return read(file);
  } catch (err) {
    const b = errorBody(err);
    return { file, installed: false, error: { code: b.code, message: b.message } };
  }
}

function installLine(name: string, i: ReturnType<typeof probe>): string {
  if (i.error) return `error[${i.error.code}]: ${i.error.message}`;
  if (!i.installed) return `${name} not installed (${i.file})`;
  return `${name} installed in ${i.file}${i.runnable ? '' : ' (its command or script is missing: run lockstep install again)'}`;
}
