// Op delivery.extend_lease: the reviewer holding a delivery keeps it longer (a live hold only; a lost one is not revived).
import { z } from 'zod';
import { deliveryField, getDelivery, holdExpired } from '../deliveries.js';
import { requireReviewer } from '../roles.js';
import { LockstepError } from '../../errors.js';
import { paths } from '../core/layout.js';
import { defineOp } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import type { Delivery } from '../core/schema.js';

export const deliveryExtendLease = defineOp({
  name: 'delivery.extend_lease',
  input: z.object({
    deliveryId: deliveryField.id,
    extendSec: z.number().int().min(60).max(86_400).optional().describe('Default: the delivery lease setting'),
  }),
  run(state, input, ctx) {
    requireReviewer(ctx, 'extend a delivery hold');
    const d = getDelivery(state, input.deliveryId);
    if (d.status !== 'in_review') {
      throw new LockstepError('INVALID_TRANSITION', `delivery ${d.id} is ${d.status}, not in review; claim it with delivery_claim first`, { id: d.id, status: d.status });
    }
    if (d.hold?.by !== ctx.actor) {
      throw new LockstepError('NOT_OWNER', `delivery ${d.id} is held by ${d.hold?.by ?? 'nobody'}, not ${ctx.actor}`, { id: d.id, holder: d.hold?.by });
    }
    if (holdExpired(d, ctx.now)) {
      throw new LockstepError('LEASE_EXPIRED', `your hold on ${d.id} expired at ${d.hold.until}; claim it again with delivery_claim`, { id: d.id, expiredAt: d.hold.until });
    }
    const extendMs = (input.extendSec ?? state.meta().settings.deliveryLeaseSec) * 1000;
    const until = Math.max(Date.parse(d.hold.until), ctx.now + extendMs);
    if (until === Date.parse(d.hold.until)) return { changes: [], result: { delivery: d, extended: false } };
    const delivery: Delivery = { ...d, hold: { ...d.hold, until: isoTime(until) }, updatedAt: isoTime(ctx.now) };
    return {
      changes: [{ path: paths.delivery(d.id), value: delivery }],
      result: { delivery, extended: true },
      event: { subject: `${d.id} until ${delivery.hold!.until}`, entities: [d.id, d.issue], data: { until: delivery.hold!.until } },
    };
  },
});
