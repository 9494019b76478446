// Op issue.close: an open issue whose tasks are all done, with an approved delivery, becomes done.
// Every check runs inside the transaction, on the state the commit is built from (S15).
import { z } from 'zod';
import { claimExpired } from '../claims.js';
import { LockstepError } from '../../errors.js';
import { requireOpenIssue } from '../issues.js';
import { paths } from '../core/layout.js';
import { defineOp } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import { IssueId, type Issue } from '../core/schema.js';
import { requirePlanner } from '../roles.js';

const input = z.object({
  id: IssueId,
  summary: z.string().trim().min(1).max(20_000).optional(),
  withoutDelivery: z.boolean().default(false),
});

export const issueClose = defineOp({
  name: 'issue.close',
  input,
  run(state, input, ctx) {
    requirePlanner(ctx, 'close issues');
    const issue = requireOpenIssue(state, input.id, ctx.now);
    // Canceled tasks do not block; an expired claim shows as the todo it effectively is.
    const notDone = state
      .issueTasks(issue.id)
      .filter((t) => t.status !== 'done' && t.status !== 'canceled')
      .map((t) => `${t.id}:${claimExpired(t, ctx.now) ? 'todo' : t.status}`);
    if (notDone.length > 0) {
      throw new LockstepError('ISSUE_NOT_COMPLETE', `issue ${issue.id} has unfinished tasks: ${notDone.slice(0, 20).join(', ')}${notDone.length > 20 ? ', ...' : ''}; finish or cancel them first`, {
        id: issue.id,
        notDone,
      });
    }
    const approved = state.deliveries().items.filter((d) => d.issue === issue.id && d.status === 'approved');
    approved.sort((a, b) => ((a.reviewedAt ?? a.updatedAt) < (b.reviewedAt ?? b.updatedAt) ? -1 : 1));
    const delivery = approved[approved.length - 1];
    if (!delivery && !input.withoutDelivery) {
      throw new LockstepError('DELIVERY_REQUIRED', `issue ${issue.id} has no approved delivery; deliver with delivery_submit, or pass withoutDelivery: true`, { id: issue.id });
    }
    const now = isoTime(ctx.now);
    const next: Issue = { ...issue, status: 'done', closedBy: ctx.actor, closedAt: now, summary: input.summary ?? issue.summary, updatedAt: now };
    if (delivery) {
      next.delivery = delivery.id;
      delete next.closedWithoutDelivery;
    } else {
      delete next.delivery;
      next.closedWithoutDelivery = true;
    }
    return {
      changes: [{ path: paths.issue(issue.id), value: next }],
      result: { issue: next },
      event: { subject: `${issue.id} -> done`, entities: [issue.id], data: { from: issue.status, delivery: delivery?.id, withoutDelivery: delivery ? undefined : true } },
    };
  },
});
