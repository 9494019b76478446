// Every use case an adapter can call, by name: each op of state/ops/index.ts as itself (one commit),
// the queries, and the use cases of app/ that are more than one op or query (waits, identity, host
// work, worktrees, launch). An MCP tool or a CLI command names one of these; nothing else.
import { z } from 'zod';
import type { Op } from '../state/core/op.js';
import { ops } from '../state/ops/index.js';
import { discussionGet, discussionGetInput, discussionInbox, discussionInboxInput, discussionList, discussionListInput } from '../state/queries/discussion-list.js';
import { deliveryGet, deliveryGetInput, deliveryList, deliveryListInput } from '../state/queries/delivery-list.js';
import { docList, docListInput, docRead, docReadInput } from '../state/queries/doc-list.js';
import { issueGet, issueGetInput, issueList, issueListInput } from '../state/queries/issue-list.js';
import { noteList, noteListInput } from '../state/queries/note-list.js';
import { taskGet, taskGetInput } from '../state/queries/task-get.js';
import { taskList, taskListInput } from '../state/queries/task-list.js';
import { taskSummary } from '../state/queries/task-summary.js';
import { taskApproveRecordingTree } from './approvals.js';
import { artifactRead, artifactWrite, commandRun, fileRead, fileWrite, toolInstall } from './host.js';
import { dashboardOpen } from './dashboard-process.js';
import { dashboardDiff, dashboardForecast, dashboardHistory, dashboardIssue, dashboardView } from './dashboard.js';
import { launchImplementer } from './launch.js';
import { acceptanceBundle, implementerList, lockListMarked, stateLog, statusGet } from './reads.js';
import { coordinationInit, serverTime, whoami } from './session.js';
import { sync } from './sync.js';
import { fromOp, query, type UseCase } from './use-case.js';
import { deliverySubmitWaiting, deliveryWait, eventsWait, issueWait, lockAcquireWaiting, taskAsk, taskSubmitForReview, taskWait } from './waits.js';
import { worktreeMerge } from './worktree-merge.js';
import { worktreeCleanup, worktreeCreate, worktreeList, worktreeStatus } from './worktrees.js';

type OpsAsUseCases = { [K in keyof typeof ops]: (typeof ops)[K] extends Op<infer S, infer R> ? UseCase<S & z.ZodObject, R> : never };

const opUseCases = Object.fromEntries(Object.entries(ops).map(([k, op]) => [k, fromOp(op as Op<z.ZodObject, unknown>)])) as OpsAsUseCases;

export const useCases = {
  ...opUseCases,
  // Ops that can also wait for what follows them.
  taskSubmitForReview,
  taskApprove: taskApproveRecordingTree,
  taskAsk,
  lockAcquire: lockAcquireWaiting,
  deliverySubmit: deliverySubmitWaiting,
  // Queries.
  taskGet: query('task.get', taskGetInput, (state, input, rc) => taskGet(state, input, rc.now)),
  taskList: query('task.list', taskListInput, (state, input) => taskList(state, input)),
  taskSummary: query('task.summary', z.object({}), (state) => taskSummary(state)),
  issueGet: query('issue.get', issueGetInput, (state, input, rc) => issueGet(state, input, rc.now)),
  issueList: query('issue.list', issueListInput, (state, input, rc) => issueList(state, input, rc.now)),
  docRead: query('doc.read', docReadInput, (state, input) => docRead(state, input)),
  docList: query('doc.list', docListInput, (state, input) => docList(state, input)),
  lockList: lockListMarked,
  noteList: query('note.list', noteListInput, (state, input) => noteList(state, input)),
  discussionGet: query('discussion.get', discussionGetInput, (state, input) => discussionGet(state, input)),
  discussionList: query('discussion.list', discussionListInput, (state, input) => discussionList(state, input)),
  discussionInbox: query('discussion.inbox', discussionInboxInput, (state, input, rc) => discussionInbox(state, input, { agent: rc.actor, role: rc.role })),
  deliveryGet: query('delivery.get', deliveryGetInput, (state, input, rc) => deliveryGet(state, input, rc.now)),
  deliveryList: query('delivery.list', deliveryListInput, (state, input, rc) => deliveryList(state, input, rc.now)),
  projectContextGet: query('project.context.get', z.object({}), (state) => {
    const meta = state.meta();
    return meta.project ? { found: true as const, status: meta.projectStatus, context: meta.project } : { found: false as const, status: meta.projectStatus };
  }),
  // Reads of more than the state, waits, identity, host work, worktrees, launch.
  statusGet,
  implementerList,
  stateLog,
  acceptanceBundle,
  eventsWait,
  taskWait,
  issueWait,
  deliveryWait,
  coordinationInit,
  whoami,
  serverTime,
  fileRead,
  fileWrite,
  artifactRead,
  artifactWrite,
  commandRun,
  toolInstall,
  worktreeCreate,
  worktreeStatus,
  worktreeList,
  worktreeMerge,
  worktreeCleanup,
  launchImplementer,
  // The dashboard's reads (its actions are the ops above, see dashboardActions).
  dashboardView,
  dashboardIssue,
  dashboardHistory,
  dashboardDiff,
  dashboardForecast,
  dashboardOpen,
  // The CLI's `lockstep sync` (no MCP tool: the planner's tools/list has no room, and a person decides a divergence).
  sync,
};

export type UseCases = typeof useCases;
