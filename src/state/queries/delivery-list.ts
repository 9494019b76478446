// Queries delivery_get and delivery_list: deliveries as readers see them (an expired hold shows open), newest first.
import { z } from 'zod';
import { deliveryField, deliveryRow, effectiveDelivery, getDelivery, type DeliveryRow } from '../deliveries.js';
import { field } from '../core/inputs.js';
import { AgentName, IssueId, type Delivery } from '../core/schema.js';
import type { CorruptFile, State } from '../core/state.js';

export const deliveryGetInput = z.object({ deliveryId: deliveryField.id });

export function deliveryGet(state: State, input: z.output<typeof deliveryGetInput>, now: number): { delivery: Delivery & { holdExpired?: true } } {
  return { delivery: effectiveDelivery(getDelivery(state, input.deliveryId), now) };
}

export const deliveryListInput = z.object({
  status: z.enum(['open', 'in_review', 'approved', 'rejected', 'all']).default('all'),
  issue: IssueId.optional(),
  deliveredBy: AgentName.optional(),
  reviewedBy: AgentName.optional(),
  offset: field.offset.default(0),
  limit: z.number().int().min(1).max(200).default(50),
});

export interface DeliveryListResult {
  deliveries: DeliveryRow[];
  total: number;
  offset: number;
  hasMore: boolean;
  corrupt: CorruptFile[];
}

/** Newest first (deliveredAt, then id), filtered on the effective status. */
export function deliveryList(state: State, input: z.output<typeof deliveryListInput>, now: number): DeliveryListResult {
  const listing = state.deliveries();
  const rows = listing.items
    .map((d) => deliveryRow(d, now))
    .filter((r) => input.status === 'all' || r.status === input.status)
    .filter((r) => input.issue === undefined || r.issue === input.issue)
    .filter((r) => input.deliveredBy === undefined || r.deliveredBy === input.deliveredBy)
    .filter((r) => input.reviewedBy === undefined || r.reviewedBy === input.reviewedBy)
    .sort((a, b) => (a.deliveredAt !== b.deliveredAt ? (a.deliveredAt < b.deliveredAt ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const page = rows.slice(input.offset, input.offset + input.limit);
  return { deliveries: page, total: rows.length, offset: input.offset, hasMore: input.offset + page.length < rows.length, corrupt: listing.corrupt };
}
