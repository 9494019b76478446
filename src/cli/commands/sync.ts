// `lockstep sync`: publish the state to the git remote, set a remote up, or settle a rewritten one.
import { Command, Option } from 'clipanion';
import { useCases } from '../../app/use-cases.js';
import { BaseCommand } from '../base.js';
import { table } from '../format.js';

export class SyncCommand extends BaseCommand {
  static override paths = [['sync']];
  static override usage = Command.Usage({
    description: 'Publish the state to the git remote: fetch, re-run unpublished ops on its tip, push',
    details:
      'The remote is the referee: refs/lockstep/state is pushed without force, with a lease on the value last seen there, so of two machines racing for one task exactly one wins. Ops the remote has not seen are re-run on its tip; an op that fails there is listed with its error. ' +
      '--setup NAME adds the refspec +refs/lockstep/*:refs/remotes/NAME/lockstep/* (so a plain git fetch carries the state without touching the local ref) and makes NAME the referee for every server and command here (git config lockstep.remote). ' +
      'A remote whose state ref was force-pushed or deleted stops writes with REMOTE_DIVERGED: --adopt-remote takes the remote state and re-runs this machine\'s unpublished ops on it; --republish puts this machine\'s state back. Both keep what they replace under refs/lockstep-backup/.',
    examples: [
      ['Set up origin once per clone', '$0 sync --setup origin'],
      ['Publish what this machine committed offline', '$0 sync'],
      ['The remote was rewritten: take it, keep local work on top', '$0 sync --adopt-remote'],
    ],
  });

  remote = Option.String('--remote', { description: 'Git remote (default: git config lockstep.remote)' });
  setup = Option.String('--setup', { description: 'Add the fetch refspec for this remote and make it the referee' });
  adoptRemote = Option.Boolean('--adopt-remote', false, { description: "After REMOTE_DIVERGED: take the remote's state, re-run local unpublished ops on it" });
  republish = Option.Boolean('--republish', false, { description: "After REMOTE_DIVERGED: put this machine's state back on the remote" });

  async run(): Promise<number> {
    const remote = this.setup ?? this.remote;
    const r = await this.call(useCases.sync, { remote, setup: this.setup !== undefined || undefined, adoptRemote: this.adoptRemote || undefined, republish: this.republish || undefined });
    const rows: [string, string][] = [
      ['Remote', `${r.remote} (${r.url ?? 'no URL'})`],
      ['State', `${r.tip?.slice(0, 10) ?? 'none'} here, ${r.remoteTip?.slice(0, 10) ?? 'none'} on the remote, ${r.status.unpublished} unpublished`],
      ['Pushed', `${r.pushed} commit(s)`],
      ['Re-run', `${r.replayed} op(s) on the remote tip, ${r.failed.length} failed`],
      ...r.failed.map((f): [string, string] => ['Failed', `${f.op} by ${f.actor}: error[${f.error.code}]: ${f.error.message}`]),
    ];
    for (const m of r.merged) rows.push(['Merged', `lockstep/${m.agent} is in ${m.into}${m.task ? `: task ${m.task} marked merged` : ''}${m.released.length ? `, released ${m.released.join(' ')}` : ''}`]);
    if (r.conflicts.length) rows.push(['Conflicts', `recorded as system notes ${r.conflicts.join(', ')} (lockstep note list --kind system)`]);
    if (r.setup) rows.unshift(['Setup', `${r.setup.added ? 'added' : 'already had'} ${r.setup.refspec}; lockstep.remote = ${r.setup.referee}`]);
    if (r.backup) rows.push(['Backup', `${r.backup} (${r.setAside ?? 0} commit(s) no longer in the state)`]);
    this.print(r, table(rows));
    return 0;
  }
}
