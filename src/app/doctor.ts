// `lockstep doctor`: the checks of a repository's coordination state, each with a level and what to do.
import fs from 'node:fs';
import { errorBody } from '../errors.js';
import { runGit } from '../git/cli.js';
import { pruneExpiresNow } from '../git/config.js';
import { transport } from '../git/remote.js';
import { STALE_LOCK_MS } from '../git/refs.js';
import { cachePath } from '../store/persist.js';
import { STATE_REF } from '../store/store.js';
import { Lockstep } from './lockstep.js';

export type Level = 'ok' | 'info' | 'warn' | 'fail';

export interface Check {
  level: Level;
  name: string;
  detail: string;
  code?: string;
}

/** Every check for the repository at `dir`; a failing one (level fail) means something needs fixing. */
export async function doctorChecks(dir: string): Promise<Check[]> {
  const checks: Check[] = [];
  const fail = (name: string, err: unknown) => {
    const b = errorBody(err);
    checks.push({ level: 'fail', name, detail: b.message, code: b.code });
  };
  let app: Lockstep;
  try {
    app = new Lockstep({ dir });
  } catch (err) {
    fail('repository', err);
    return checks;
  }
  try {
    const r = app.repo;
    checks.push({ level: 'ok', name: 'repository', detail: `${r.workTree ?? '(bare)'}${r.gitDir !== r.commonDir ? ` (linked worktree of ${r.commonDir})` : ''}` });
    try {
      const tip = app.tip();
      checks.push({ level: tip ? 'ok' : 'info', name: 'state ref', detail: tip ? `${STATE_REF} @ ${tip}` : `${STATE_REF} does not exist yet (the first write creates it)` });
    } catch (err) {
      fail('state ref', err);
    }
    try {
      const { meta, corrupt } = await app.read((state) => ({ meta: state.meta(), corrupt: state.corruptFiles() }));
      checks.push({ level: 'ok', name: 'format', detail: `format ${meta.format}` });
      for (const c of corrupt) checks.push({ level: 'warn', name: 'corrupt file', detail: `${c.path}: ${c.reason} (restore it: git log -p ${STATE_REF} -- ${c.path})`, code: 'STATE_CORRUPT' });
      if (corrupt.length === 0) checks.push({ level: 'ok', name: 'state files', detail: 'all files valid' });
    } catch (err) {
      fail('format', err);
    }
    const lock = app.stateLock();
    if (!lock) checks.push({ level: 'ok', name: 'ref lock', detail: 'free' });
    else if (lock.invalid) {
      checks.push({ level: 'fail', name: 'ref lock', detail: `${lock.path} is ${lock.invalid}, not a lock file: every write fails until you remove it (rm -r "${lock.path}")`, code: 'STATE_LOCK_INVALID' });
    } else if (lock.future) {
      checks.push({ level: 'warn', name: 'ref lock', detail: `${lock.path} has an mtime in the future (clock skew or a restored backup); a write waits ${STALE_LOCK_MS} ms for it, then recovers it` });
    } else if (lock.stale) {
      const who = lock.lockstep ? `pid ${lock.pid} on ${lock.host}${lock.alive === false ? ' (dead)' : ''}` : 'a git process';
      checks.push({ level: 'warn', name: 'ref lock', detail: `stale lock ${lock.path} held by ${who} for ${Math.round(lock.ageMs)} ms; the next write recovers it` });
    } else checks.push({ level: 'info', name: 'ref lock', detail: `held right now${lock.pid ? ` by pid ${lock.pid}` : ''}` });
    // gc prunes unreachable objects older than gc.pruneExpire; at `now` that includes the objects a
    // writer has just written and not yet put under the ref (git says the same of any concurrent writer).
    if (pruneExpiresNow(r)) {
      checks.push({ level: 'warn', name: 'gc.pruneExpire', detail: 'is `now`: a `git gc` while agents write can delete a state commit being made; unset it (git config --unset gc.pruneExpire) or use 2.weeks.ago' });
    }
    try {
      const rs = await app.remoteStatus();
      if (!rs) checks.push({ level: 'info', name: 'remote', detail: 'none: the state stays on this machine (`lockstep sync --setup origin` publishes it)' });
      else if (rs.diverged) checks.push({ level: 'fail', name: 'remote', detail: `${rs.remote}: the remote state ref was ${rs.diverged.remoteTip ? 'rewritten' : 'deleted'}; run \`lockstep sync --adopt-remote\` or \`--republish\``, code: 'REMOTE_DIVERGED' });
      else if (rs.url === null) checks.push({ level: 'fail', name: 'remote', detail: `git config lockstep.remote names ${rs.remote}, which is no git remote here (git remote add ${rs.remote} URL)`, code: 'REMOTE_UNREACHABLE' });
      else {
        // Without the git CLI only an http(s) remote can be reached: GIT_CLI_REQUIRED names the way out.
        const via = transport(r, rs.remote);
        const err = rs.lastError ? `; last error ${rs.lastError.code} at ${new Date(rs.lastError.at).toISOString()}` : '';
        checks.push({ level: rs.lastError || rs.unpublished > 0 ? 'warn' : 'ok', name: 'remote', detail: `${rs.remote} (${rs.url}${via.kind === 'http' ? ', through isomorphic-git: no git CLI' : ''}): ${rs.unpublished} unpublished, last sync ${rs.lastSync ?? 'never'}${err}${rs.unpublished > 0 ? ' (`lockstep sync` publishes them)' : ''}` });
      }
    } catch (err) {
      fail('remote', err);
    }
    const git = runGit(['--version'], r.commonDir);
    checks.push(git ? { level: 'ok', name: 'git CLI', detail: git.stdout.trim() } : { level: 'info', name: 'git CLI', detail: 'not found: fine, but no automatic `git gc --auto`, and a remote is reached only over http(s), through isomorphic-git' });
    const cache = fs.statSync(cachePath(r), { throwIfNoEntry: false });
    checks.push({ level: 'info', name: 'snapshot cache', detail: cache ? `${cachePath(r)} (${Math.round(cache.size / 1024)} KiB)` : 'none yet' });
  } finally {
    app.close();
  }
  return checks;
}
