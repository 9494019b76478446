// Op delivery.claim: a reviewer takes ONE delivery to review (a given one, or the oldest waiting) and holds it.
import { z } from 'zod';
import { byDeliveredAt, deliveryField, getDelivery, heldBy, holdExpired } from '../deliveries.js';
import { requireReviewer } from '../roles.js';
import { LockstepError } from '../../errors.js';
import { issueRenewal } from '../issues.js';
import { paths } from '../core/layout.js';
import { defineOp, type Change, type OpResult } from '../core/op.js';
import { type Ctx, isoTime } from '../core/ctx.js';
import { IssueId, type Delivery } from '../core/schema.js';
import type { State } from '../core/state.js';

/** Open, or in review with a hold that ran out. */
function claimable(d: Delivery, now: number): boolean {
  return d.status === 'open' || holdExpired(d, now);
}

export interface DeliveryClaimResult {
  /** The delivery now held by the caller, or null when none is waiting. */
  delivery: Delivery | null;
  /** The caller already held it: nothing was written. */
  alreadyHeld: boolean;
  /** The reviewer whose hold ran out, when this claim took the delivery over. */
  expiredFrom?: string;
}

function take(state: State, d: Delivery, ctx: Ctx): OpResult<DeliveryClaimResult> {
  const now = isoTime(ctx.now);
  const expiredFrom = d.status === 'in_review' ? d.hold?.by : undefined;
  const delivery: Delivery = {
    ...d,
    status: 'in_review',
    hold: { by: ctx.actor, until: isoTime(ctx.now + state.meta().settings.deliveryLeaseSec * 1000) },
    updatedAt: now,
  };
  const changes: Change[] = [{ path: paths.delivery(d.id), value: delivery }];
  const renewal = issueRenewal(state, d.issue, ctx);
  if (renewal) changes.push(renewal);
  return {
    changes,
    result: { delivery, alreadyHeld: false, expiredFrom },
    event: { subject: d.id, entities: [d.id, d.issue], data: { issue: d.issue, expiredFrom } },
  };
}

export const deliveryClaim = defineOp({
  name: 'delivery.claim',
  input: z.object({
    deliveryId: deliveryField.id.optional().describe('Default: the oldest waiting'),
    issue: IssueId.optional().describe('Without deliveryId: only this issue'),
  }),
  run(state, input, ctx): OpResult<DeliveryClaimResult> {
    requireReviewer(ctx, 'claim deliveries');
    if (input.deliveryId !== undefined) {
      const d = getDelivery(state, input.deliveryId);
      // S10: claiming what you already hold (e.g. after delivery_wait) is a no-op success.
      if (heldBy(d, ctx.actor, ctx.now)) return { changes: [], result: { delivery: d, alreadyHeld: true } };
      if (!claimable(d, ctx.now)) {
        const why = d.status === 'in_review' ? `held by ${d.hold?.by} until ${d.hold?.until}` : `already ${d.status}`;
        throw new LockstepError('INVALID_TRANSITION', `delivery ${d.id} is ${why}; delivery_wait gives you another one`, { id: d.id, status: d.status, holder: d.hold?.by, until: d.hold?.until });
      }
      return take(state, d, ctx);
    }
    const mine = (d: Delivery) => input.issue === undefined || d.issue === input.issue;
    const items = state.deliveries().items.filter(mine).sort(byDeliveredAt);
    // One per reviewer at a time without an id: a retry after a lost answer gets the same delivery back.
    const held = items.find((d) => heldBy(d, ctx.actor, ctx.now));
    if (held) return { changes: [], result: { delivery: held, alreadyHeld: true } };
    const next = items.find((d) => claimable(d, ctx.now));
    if (!next) return { changes: [], result: { delivery: null, alreadyHeld: false } };
    return take(state, next, ctx);
  },
});
