// Op issue.reopen: a done, canceled or expired issue is open again with a fresh lease.
import { z } from 'zod';
import { LockstepError } from '../../errors.js';
import { getIssue, issueExpired } from '../issues.js';
import { paths } from '../core/layout.js';
import { defineOp } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import { IssueId, type Issue } from '../core/schema.js';
import { requirePlanner } from '../roles.js';

const input = z.object({
  id: IssueId,
  summary: z.string().trim().min(1).max(20_000).optional(),
});

export const issueReopen = defineOp({
  name: 'issue.reopen',
  input,
  run(state, input, ctx) {
    requirePlanner(ctx, 'reopen issues');
    const issue = getIssue(state, input.id);
    // An expired issue is still stored open: it counts as canceled.
    const expired = issueExpired(state, issue, ctx.now);
    if (!expired && issue.status !== 'done' && issue.status !== 'canceled') {
      throw new LockstepError('INVALID_TRANSITION', `issue ${issue.id} is ${issue.status}; only a done, canceled or expired issue can be reopened (issue_extend_lease keeps an open one alive)`, {
        id: issue.id,
        status: issue.status,
      });
    }
    const from = expired ? 'expired' : issue.status;
    const now = isoTime(ctx.now);
    const next: Issue = { ...issue, status: 'open', leaseExpiresAt: isoTime(ctx.now + state.meta().settings.issueLeaseSec * 1000), updatedAt: now };
    // The close no longer holds; git keeps what it said.
    delete next.closedBy;
    delete next.closedAt;
    delete next.delivery;
    delete next.closedWithoutDelivery;
    delete next.summary;
    return {
      changes: [{ path: paths.issue(issue.id), value: next }],
      result: { issue: next, from },
      event: { subject: `${issue.id} -> open`, entities: [issue.id], data: { from, summary: input.summary?.slice(0, 500) } },
    };
  },
});
