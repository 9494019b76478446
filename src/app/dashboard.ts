// The dashboard's reads (the board at the tip or at any state commit, an issue page, the history
// with each commit's diff, the conflict forecast) and the actions a person may take from it. The
// dashboard adapter (dashboard/) calls only these and the use cases they name.
import { z } from 'zod';
import { LockstepError } from '../errors.js';
import { dryMerge } from '../git/merge.js';
import { agentBranches, aheadBehind, defaultTarget } from '../git/worktrees.js';
import { readRef } from '../git/refs.js';
import { processState } from '../host/processes.js';
import { IssueId } from '../state/core/schema.js';
import type { State } from '../state/core/state.js';
import type { ReadCtx } from '../state/core/query.js';
import { claimExpired } from '../state/claims.js';
import { effectiveDelivery } from '../state/deliveries.js';
import { paths } from '../state/core/layout.js';
import { dashboardView as viewOf } from '../state/queries/dashboard-view.js';
import { issueGet } from '../state/queries/issue-list.js';
import { ops } from '../state/ops/index.js';
import { taskApproveRecordingTree } from './approvals.js';
import { fromOp, useCase, type App, type Identity } from './use-case.js';

const commitField = z.string().regex(/^[0-9a-f]{40}$/, 'a 40-hex state commit id');

const probe = (a: { pid?: number; host?: string }) => processState(a.pid, a.host);

/** At the tip, or at one state commit of the history. */
function readMaybeAt<R>(app: App, at: string | undefined, who: Identity, query: (state: State, rc: ReadCtx) => R): Promise<R> {
  return at === undefined ? app.read(query, who) : app.readAt(at, query, who);
}

export const dashboardView = useCase({
  name: 'dashboard.view',
  input: z.object({ at: commitField.optional() }),
  run: (app, input, caller) => readMaybeAt(app, input.at, caller.who, (state, rc) => ({ tip: app.tip(), at: rc.tip, ...viewOf(state, rc.now, probe) })),
});

/** A doc's text on the issue page is cut here; the full text is in doc_read. */
const DOC_CHARS = 200_000;

export const dashboardIssue = useCase({
  name: 'dashboard.issue',
  input: z.object({ id: IssueId, at: commitField.optional() }),
  run: (app, input, caller) =>
    readMaybeAt(app, input.at, caller.who, (state, rc) => {
      const got = issueGet(state, { id: input.id }, rc.now);
      const folder = paths.docFolder('issue', input.id);
      const docs = got.docs.map((name) => {
        const text = state.doc(`${folder}/${name}.md`) ?? '';
        return { name, text: text.slice(0, DOC_CHARS), truncated: text.length > DOC_CHARS };
      });
      const deliveries = state.deliveries().items.filter((d) => d.issue === input.id).map((d) => effectiveDelivery(d, rc.now));
      // Effective status, as on the board: a claim that ran out reads as todo.
      const tasks = state.issueTasks(input.id).map((t) => (claimExpired(t, rc.now) ? { ...t, status: 'todo' as const, claimExpired: true } : t));
      return { tip: app.tip(), at: rc.tip, issue: got.issue, counts: got.tasks, docs, tasks, deliveries };
    }),
});

export const dashboardHistory = useCase({
  name: 'dashboard.history',
  input: z.object({ limit: z.number().int().min(1).max(1000).default(200), before: commitField.optional() }),
  async run(app, input) {
    const events = await app.history(input.limit + 1, () => true, input.before);
    return { tip: app.tip(), events: events.slice(0, input.limit), hasMore: events.length > input.limit };
  },
});

export const dashboardDiff = useCase({
  name: 'dashboard.diff',
  input: z.object({ commit: commitField }),
  run: (app, input) => app.commitDiff(input.commit),
});

/** Agent branches beyond this many are left out of the pairwise forecast (n² dry merges). */
const FORECAST_AGENTS = 20;

export const dashboardForecast = useCase({
  name: 'dashboard.forecast',
  input: z.object({ target: z.string().max(255).optional() }),
  async run(app, input) {
    const target = input.target ?? defaultTarget(app.repo);
    const targetTip = readRef(app.repo, `refs/heads/${target}`);
    const branches = [...agentBranches(app.repo)].slice(0, FORECAST_AGENTS);
    const agents = [];
    const merges = [];
    for (const [agent, tip] of branches) {
      const ab = targetTip ? await aheadBehind(app.repo, tip, targetTip) : { ahead: 0, behind: 0 };
      agents.push({ agent, branch: `lockstep/${agent}`, target, tip, ...ab });
      if (targetTip && ab.ahead > 0) merges.push({ ours: target, theirs: `lockstep/${agent}`, kind: 'into-target' as const, ...(await dryMerge(app.repo, targetTip, tip)) });
    }
    for (let i = 0; i < agents.length; i++) {
      for (let j = i + 1; j < agents.length; j++) {
        const [a, b] = [agents[i]!, agents[j]!];
        if (a.ahead === 0 || b.ahead === 0) continue;
        merges.push({ ours: a.branch, theirs: b.branch, kind: 'between-agents' as const, ...(await dryMerge(app.repo, a.tip, b.tip)) });
      }
    }
    return { target, targetMissing: targetTip === null, agents, merges, truncated: agentBranches(app.repo).size > FORECAST_AGENTS };
  },
});

/** What a person may do from the dashboard: each is the app use case of the same name, run as that person. */
export const dashboardActions = {
  'task.approve': taskApproveRecordingTree,
  'task.request_changes': fromOp(ops.taskRequestChanges),
  'task.reply': fromOp(ops.taskReply),
  'lock.force_release': fromOp(ops.lockForceRelease),
  'task.reset': fromOp(ops.taskReset),
  'implementer.stop': fromOp(ops.implementerStop),
  'issue.close': fromOp(ops.issueClose),
} as const;

export function dashboardAction(name: string) {
  const u = (dashboardActions as Record<string, (typeof dashboardActions)[keyof typeof dashboardActions]>)[name];
  if (!u) throw new LockstepError('INVALID_INPUT', `unknown action ${JSON.stringify(name).slice(0, 80)}; one of ${Object.keys(dashboardActions).join(', ')}`, { issues: [{ path: 'action', message: 'unknown action' }] });
  return u;
}
