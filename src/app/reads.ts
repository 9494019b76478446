// Reads that need more than the state tree: the ref tip, the commit history, or this machine's processes.
import { z } from 'zod';
import { lockList, lockListInput } from '../state/queries/lock-list.js';
import { processState } from '../host/processes.js';
import { acceptanceBundle as bundleOf, acceptanceBundleInput } from '../state/queries/acceptance-bundle.js';
import { implementerList as implementersOf, implementerListInput } from '../state/queries/implementer-list.js';
import { statusSummary } from '../state/queries/status-summary.js';
import { STATE_REF } from '../store/store.js';
import { useCase } from './use-case.js';
import { eventFilter } from './waits.js';

/** How many of the issue's newest events the acceptance bundle carries. */
const BUNDLE_EVENTS = 200;

export const statusGet = useCase({
  name: 'status.get',
  input: z.object({}),
  async run(app, _input, caller) {
    const summary = await app.read((state, rc) => ({ ...statusSummary(state, rc.now), ref: STATE_REF, tip: rc.tip }), caller.who);
    // Referee mode: the remote, how many local commits it lacks, and when it last answered.
    return { ...summary, remote: await app.remoteStatus() };
  },
});

/** lock.list, with leases not yet on the remote (offline mode) marked `provisional`. */
export const lockListMarked = useCase({
  name: 'lock.list',
  input: lockListInput,
  async run(app, input, caller) {
    const r = await app.read((state, rc) => lockList(state, input, rc.now, rc.workTree), caller.who);
    const pending = await app.unpublishedEntities();
    if (pending.size === 0) return r;
    return { ...r, leases: r.leases.map((l) => (pending.has(l.id) ? { ...l, provisional: true } : l)) };
  },
});

export const implementerList = useCase({
  name: 'implementer.list',
  input: implementerListInput,
  run: (app, input, caller) => app.read((state, rc) => implementersOf(state, input, rc.now, (a) => processState(a.pid, a.host)), caller.who),
});

export const stateLog = useCase({
  name: 'state.log',
  input: z.object({
    limit: z.number().int().min(1).max(500).default(20),
    entity: z.string().max(100).optional(),
    op: z.string().max(100).optional().describe('Op, or a prefix ending in "."'),
    actor: z.string().max(64).optional(),
  }),
  async run(app, input) {
    return { events: await app.history(input.limit, eventFilter({ ops: input.op ? [input.op] : undefined, entity: input.entity, actor: input.actor })) };
  },
});

/** acceptance.bundle: the pure bundle plus the issue's events from the history, oldest first. */
export const acceptanceBundle = useCase({
  name: 'acceptance.bundle',
  input: acceptanceBundleInput,
  async run(app, input, caller) {
    const b = await app.read((state, rc) => bundleOf(state, input, rc.now, rc.workTree), caller.who);
    const ids = new Set([b.issue.id, ...b.tasks.map((t) => t.id)]);
    const events = (await app.history(BUNDLE_EVENTS, (e) => e.entities.some((id) => ids.has(id)))).reverse();
    return { ...b, events };
  },
});
