// `lockstep sync`: publish this machine's state to a git remote (fetch, re-run unpublished ops on
// the remote tip, push), set a remote up for it, or settle a rewritten remote (REMOTE_DIVERGED).
import { z } from 'zod';
import { LockstepError } from '../errors.js';
import { addFetchRefspec, remoteUrl, setConfig } from '../git/remote.js';
import { syncConflict } from '../state/ops/sync-conflict.js';
import { stateRefspec } from '../store/sync.js';
import { recordMergedBranches } from './merged.js';
import { useCase } from './use-case.js';

export const sync = useCase({
  name: 'sync',
  input: z.object({
    remote: z.string().max(100).optional(),
    /** Add the fetch refspec and make this the referee remote (git config lockstep.remote). */
    setup: z.boolean().optional(),
    adoptRemote: z.boolean().optional(),
    republish: z.boolean().optional(),
  }),
  async run(app, input) {
    if (input.adoptRemote && input.republish) throw new LockstepError('INVALID_INPUT', '--adopt-remote and --republish are two different ways out; pick one', { adoptRemote: true, republish: true });
    const rs = app.remote(input.remote);
    let setup: { refspec: string; added: boolean; referee: string } | undefined;
    if (input.setup) {
      if (remoteUrl(app.repo, rs.name) === null) throw new LockstepError('INVALID_INPUT', `there is no git remote named ${rs.name}; add it first (git remote add ${rs.name} URL)`, { remote: rs.name });
      const refspec = stateRefspec(rs.name);
      const added = addFetchRefspec(app.repo, rs.name, refspec);
      setConfig(app.repo, 'lockstep.remote', rs.name);
      setup = { refspec, added, referee: rs.name };
    }
    const report = input.adoptRemote ? await rs.adoptRemote() : input.republish ? await rs.republish() : await rs.sync();
    // Ops that failed on the remote's state are recorded there (who, what, why): nothing is dropped unseen.
    const conflicts = [];
    for (const f of report.failed) {
      if (!f.opId) continue; // a commit without an op (set aside by --adopt-remote, kept in its backup ref)
      const { note } = await app.transact(syncConflict, { agent: f.actor, op: f.op, opId: f.opId, input: f.input ?? '{}', error: { code: f.error.code, message: f.error.message.slice(0, 1_000) }, task: f.task }, { agent: 'system', role: 'all' });
      conflicts.push(note.id);
    }
    // Branches merged on the host (fetched with plain git) mark their tasks merged and release leases.
    const merged = await recordMergedBranches(app, { agent: 'system', role: 'all' });
    return { ...report, setup, conflicts, merged, status: await rs.status() };
  },
});
