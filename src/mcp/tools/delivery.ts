// Acceptance tools: deliver a finished issue, wait for and claim deliveries, review them, read them.
import type { ResultOf } from '../../app/use-case.js';
import { useCases } from '../../app/use-cases.js';
import type { Delivery } from '../../state/core/schema.js';
import { pageFooter, tool } from '../tool.js';

const line = (d: Pick<Delivery, 'id' | 'issue' | 'status' | 'summary' | 'hold'>) =>
  `${d.id} [${d.status}${d.status === 'in_review' && d.hold ? ` ${d.hold.by}` : ''}] ${d.issue}: ${d.summary.split('\n')[0]!.slice(0, 120)}`;

function claimText(r: ResultOf<typeof useCases.deliveryClaim>): string {
  if (!r.delivery) return 'No delivery is waiting for review';
  const how = r.alreadyHeld ? 'You already hold' : r.expiredFrom ? `Took over from ${r.expiredFrom} (hold expired)` : 'Claimed';
  return `${how} ${line(r.delivery)} until ${r.delivery.hold?.until}; verify it, then delivery_review`;
}

function submitText(r: ResultOf<typeof useCases.deliverySubmit>): string {
  const id = r.delivery.id;
  const again = r.alreadyPending ? ' (already pending: no new delivery)' : '';
  if (r.timedOut) return `${id} is still ${r.delivery.status}${again}; call delivery_submit again with the same issue to keep waiting`;
  if (r.verdict === undefined) return `Delivered ${id} for ${r.delivery.issue} [${r.delivery.status}]${again}; a reviewer takes it with delivery_wait`;
  const d = r.delivery;
  const feedback = d.feedback ? `\nFeedback: ${d.feedback}` : '';
  const next = d.status === 'approved' ? `close ${d.issue} with issue_close` : 'fix what the feedback says, then deliver again';
  return `${id} ${d.status} by ${d.reviewedBy}; ${next}${feedback}`;
}

export const deliveryTools = [
  tool(useCases.deliverySubmit, {
    title: 'Deliver an issue',
    description: 'Hand a finished issue to acceptance with test evidence; wait blocks for the verdict.',
    roles: ['planner'],
    annotations: { idempotentHint: true },
    text: submitText,
  }),
  tool(useCases.deliveryWait, {
    title: 'Wait for a delivery',
    description: 'Block until a delivery waits for review, then claim exactly one for you (oldest first).',
    roles: ['reviewer'],
    text: (r) => (r.timedOut ? 'No delivery yet; call delivery_wait again' : claimText(r)),
  }),
  tool(useCases.deliveryClaim, {
    title: 'Claim a delivery',
    description: 'Take one delivery to review (given, or the oldest waiting). Claiming one you hold is a no-op.',
    roles: ['reviewer'],
    annotations: { idempotentHint: true },
    text: claimText,
  }),
  tool(useCases.deliveryReview, {
    title: 'Review a delivery',
    description: 'Approve or reject a delivery you hold, with what re-running its evidence showed.',
    roles: ['reviewer'],
    text: (r) => `${r.delivery.id} ${r.delivery.status}; ${r.next}`,
  }),
  tool(useCases.deliveryGet, {
    title: 'Read a delivery',
    description: 'One delivery in full: artifacts, evidence, verification, verdict.',
    roles: ['planner', 'reviewer'],
    annotations: { readOnlyHint: true },
    text: ({ delivery: d }) => `${line(d)}${d.reviewedBy ? `\nReviewed by ${d.reviewedBy} at ${d.reviewedAt}${d.feedback ? `: ${d.feedback}` : ''}` : ''}`,
  }),
  tool(useCases.deliveryList, {
    title: 'List deliveries',
    description: 'Deliveries newest first; filter by status, issue, deliverer, reviewer.',
    roles: ['planner', 'reviewer'],
    annotations: { readOnlyHint: true },
    text: (r) => `${r.total} deliver${r.total === 1 ? 'y' : 'ies'}\n${r.deliveries.map(line).join('\n')}${pageFooter(r, r.deliveries.length)}`.trimEnd(),
  }),
  tool(useCases.deliveryExtendLease, {
    title: 'Extend delivery hold',
    description: 'Keep holding a delivery you are reviewing (a live hold only).',
    roles: ['reviewer'],
    annotations: { idempotentHint: true },
    text: (r) => `${r.delivery.id} held until ${r.delivery.hold?.until}`,
  }),
];
