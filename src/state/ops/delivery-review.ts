// Op delivery.review: the reviewer holding a delivery approves or rejects it, with what re-running the evidence showed.
import { z } from 'zod';
import { deliveryField, failedEvidence, firstFailure, getDelivery, holdExpired, requireAligned, requireText } from '../deliveries.js';
import { requireReviewer } from '../roles.js';
import { LockstepError } from '../../errors.js';
import { issueRenewal } from '../issues.js';
import { paths } from '../core/layout.js';
import { defineOp, type Change } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import type { Delivery } from '../core/schema.js';

export const deliveryReview = defineOp({
  name: 'delivery.review',
  input: z.object({
    deliveryId: deliveryField.id,
    verdict: z.enum(['approved', 'rejected']),
    verification: z.object({
      scriptPassed: z.boolean(),
      scriptResult: z.string().max(100_000),
      docPassed: z.boolean(),
      docResults: z.array(deliveryField.commandResult).max(1_000).describe("One per delivery docCommand, same order and text"),
    }),
    feedback: z.string().max(20_000).optional().describe('Required when rejected'),
  }),
  run(state, input, ctx) {
    requireReviewer(ctx, 'review deliveries');
    const d = getDelivery(state, input.deliveryId);
    if (d.status !== 'in_review') {
      const hint = d.status === 'open' ? 'claim it with delivery_claim first' : 'it already has a verdict';
      throw new LockstepError('INVALID_TRANSITION', `delivery ${d.id} is ${d.status}, not in review; ${hint}`, { id: d.id, status: d.status });
    }
    // S10: only the reviewer who holds it may decide, and only while the hold lasts.
    if (d.hold?.by !== ctx.actor) {
      throw new LockstepError('NOT_OWNER', `delivery ${d.id} is held by ${d.hold?.by ?? 'nobody'}, not ${ctx.actor}`, { id: d.id, holder: d.hold?.by });
    }
    if (holdExpired(d, ctx.now)) {
      throw new LockstepError('LEASE_EXPIRED', `your hold on ${d.id} expired at ${d.hold.until}; claim it again with delivery_claim`, { id: d.id, expiredAt: d.hold.until });
    }
    const v = input.verification;
    requireText(v.scriptResult, 'verification.scriptResult');
    // S22: results are matched to the delivery's commands by text, not by count.
    requireAligned(d.testEvidence.docCommands, v.docResults, 'verification.docResults');
    const feedback = input.feedback?.trim() ? input.feedback : undefined;
    if (input.verdict === 'approved') {
      const failed = firstFailure(v, 'verification');
      if (failed) throw failedEvidence(failed, 'is false; a delivery whose checks fail cannot be approved: reject it with feedback instead');
    } else if (!feedback) {
      throw new LockstepError('INVALID_INPUT', 'feedback: say what failed and what to fix when rejecting', { field: 'feedback' });
    }
    const now = isoTime(ctx.now);
    const delivery: Delivery = { ...d, status: input.verdict, verification: v, reviewedBy: ctx.actor, reviewedAt: now, feedback, updatedAt: now };
    delete delivery.hold;
    const changes: Change[] = [{ path: paths.delivery(d.id), value: delivery }];
    const renewal = issueRenewal(state, d.issue, ctx);
    if (renewal) changes.push(renewal);
    const next = input.verdict === 'approved' ? `the planner can now close ${d.issue} with issue_close` : `the planner fixes what the feedback says and delivers again`;
    return {
      changes,
      result: { delivery, next },
      // The issue id is an entity, so the approval shows in the issue's history (S20).
      event: { subject: `${d.id} -> ${input.verdict}`, entities: [d.id, d.issue], data: { issue: d.issue, verdict: input.verdict } },
    };
  },
});
