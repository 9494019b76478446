// Every op by name; the store and tests look ops up here.
import { agentRegister } from './agent-register.js';
import { agentWorktree } from './agent-worktree.js';
import { discussionArchive } from './discussion-archive.js';
import { discussionCleanup } from './discussion-cleanup.js';
import { discussionReply } from './discussion-reply.js';
import { discussionResolve } from './discussion-resolve.js';
import { discussionStart } from './discussion-start.js';
import { lockAcquire } from './lock-acquire.js';
import { lockRelease } from './lock-release.js';
import { lockHeartbeat } from './lock-heartbeat.js';
import { lockForceRelease } from './lock-force-release.js';
import { noteAppend } from './note-append.js';
import { projectContextSet } from './project-context-set.js';
import { projectStatusSet } from './project-status-set.js';
import { taskClaim } from './task-claim.js';
import { taskCreate } from './task-create.js';
import { taskUpdate } from './task-update.js';
import { implementerReset } from './implementer-reset.js';
import { implementerStop } from './implementer-stop.js';
import { logAppend } from './log-append.js';
import { sessionReset } from './session-reset.js';
import { taskApprove } from './task-approve.js';
import { taskApproveBatch } from './task-approve-batch.js';
import { taskNext } from './task-next.js';
import { taskRequestChanges } from './task-request-changes.js';
import { taskSubmitForReview } from './task-submit-for-review.js';
import { docWrite } from './doc-write.js';
import { issueClose } from './issue-close.js';
import { issueCreate } from './issue-create.js';
import { issueExtendLease } from './issue-extend-lease.js';
import { issueReopen } from './issue-reopen.js';
import { issueUpdate } from './issue-update.js';
import { signalClaim } from './signal-claim.js';
import { taskAsk } from './task-ask.js';
import { taskExtendLease } from './task-extend-lease.js';
import { taskMessage } from './task-message.js';
import { taskReply } from './task-reply.js';
import { taskReset } from './task-reset.js';
import { deliveryClaim } from './delivery-claim.js';
import { deliveryExtendLease } from './delivery-extend-lease.js';
import { deliveryReview } from './delivery-review.js';
import { deliverySubmit } from './delivery-submit.js';
import { worktreeMergeRecord } from './worktree-merge-record.js';
import { stateInit } from './state-init.js';
import { syncConflict } from './sync-conflict.js';
import { taskApprovalTree } from './task-approval-tree.js';

export const ops = {
  agentRegister,
  agentWorktree,
  projectContextSet,
  projectStatusSet,
  taskCreate,
  taskClaim,
  taskUpdate,
  taskNext,
  taskSubmitForReview,
  taskApprove,
  taskRequestChanges,
  taskApproveBatch,
  sessionReset,
  implementerReset,
  implementerStop,
  logAppend,
  noteAppend,
  lockAcquire,
  lockRelease,
  lockHeartbeat,
  lockForceRelease,
  discussionStart,
  discussionReply,
  discussionResolve,
  discussionArchive,
  discussionCleanup,
  issueCreate,
  issueUpdate,
  issueClose,
  issueReopen,
  issueExtendLease,
  docWrite,
  taskAsk,
  taskMessage,
  taskReply,
  signalClaim,
  taskExtendLease,
  taskReset,
  deliverySubmit,
  deliveryClaim,
  deliveryExtendLease,
  deliveryReview,
  worktreeMergeRecord,
  stateInit,
  syncConflict,
  taskApprovalTree,
};
