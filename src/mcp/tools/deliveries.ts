// Acceptance tools: deliver a finished issue, claim and review deliveries, read them, and the acceptance bundle.
import { z } from 'zod';
import { effectiveDelivery, isPending } from '../../state/deliveries.js';
import { field } from '../../state/inputs.js';
import { deliveryClaim, type DeliveryClaimResult } from '../../state/ops/delivery-claim.js';
import { deliveryExtendLease } from '../../state/ops/delivery-extend-lease.js';
import { deliveryReview } from '../../state/ops/delivery-review.js';
import { deliverySubmit } from '../../state/ops/delivery-submit.js';
import { acceptanceBundle, acceptanceBundleInput } from '../../state/queries/acceptance-bundle.js';
import { deliveryGet, deliveryGetInput, deliveryList, deliveryListInput } from '../../state/queries/delivery-list.js';
import { IssueId, type Delivery } from '../../state/schema.js';
import { defineTool, pageFooter, type ToolCtx } from '../tool.js';
import { waitOptions } from '../wait.js';

/** How many of the issue's newest events the acceptance bundle carries. */
const BUNDLE_EVENTS = 200;

const line = (d: Pick<Delivery, 'id' | 'issue' | 'status' | 'summary' | 'hold'>) =>
  `${d.id} [${d.status}${d.status === 'in_review' && d.hold ? ` ${d.hold.by}` : ''}] ${d.issue}: ${d.summary.split('\n')[0]!.slice(0, 120)}`;

/** The delivery as it stands now (effective), for a waiter that timed out. */
function current(ctx: ToolCtx, id: string) {
  return ctx.app.read((state, rc) => {
    const d = state.delivery(id);
    return d ? effectiveDelivery(d, rc.now) : undefined;
  });
}

export const deliverySubmitTool = defineTool({
  name: 'delivery_submit',
  title: 'Deliver an issue',
  description: 'Hand a finished issue to acceptance with test evidence; wait blocks for the verdict.',
  input: deliverySubmit.input.extend({
    wait: z.boolean().optional(),
    timeoutSec: field.timeoutSec.optional(),
  }),
  roles: ['planner'],
  annotations: { idempotentHint: true },
  async handler(args, ctx) {
    const { wait, timeoutSec, ...input } = args;
    const r = await ctx.app.run(deliverySubmit, input, ctx.who);
    const id = r.delivery.id;
    const again = r.alreadyPending ? ' (already pending: no new delivery)' : '';
    if (!wait) return { structured: r, text: `Delivered ${id} for ${r.delivery.issue} [${r.delivery.status}]${again}; a reviewer takes it with delivery_wait` };
    const w = await ctx.app.waitUntil(async () => {
      const d = await ctx.app.read((state) => state.delivery(id));
      return d && !isPending(d) ? d : undefined;
    }, waitOptions(ctx, timeoutSec, `the review of ${id}`));
    if (w.timedOut || !w.value) {
      const delivery = (await current(ctx, id)) ?? r.delivery;
      return {
        structured: { timedOut: true, delivery, cursor: w.cursor, alreadyPending: r.alreadyPending },
        text: `${id} is still ${delivery.status}${again}; call delivery_submit again with the same issue to keep waiting`,
      };
    }
    const d = w.value;
    const feedback = d.feedback ? `\nFeedback: ${d.feedback}` : '';
    const next = d.status === 'approved' ? `close ${d.issue} with issue_close` : 'fix what the feedback says, then deliver again';
    return { structured: { delivery: d, verdict: d.status, alreadyPending: r.alreadyPending }, text: `${id} ${d.status} by ${d.reviewedBy}; ${next}${feedback}` };
  },
});

function claimText(r: DeliveryClaimResult): string {
  if (!r.delivery) return 'No delivery is waiting for review';
  const how = r.alreadyHeld ? 'You already hold' : r.expiredFrom ? `Took over from ${r.expiredFrom} (hold expired)` : 'Claimed';
  return `${how} ${line(r.delivery)} until ${r.delivery.hold?.until}; verify it, then delivery_review`;
}

export const deliveryClaimTool = defineTool({
  name: 'delivery_claim',
  title: 'Claim a delivery',
  description: 'Take one delivery to review (given, or the oldest waiting). Claiming one you hold is a no-op.',
  input: deliveryClaim.input,
  roles: ['reviewer'],
  annotations: { idempotentHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.run(deliveryClaim, args, ctx.who);
    return { structured: { ...r }, text: claimText(r) };
  },
});

export const deliveryWaitTool = defineTool({
  name: 'delivery_wait',
  title: 'Wait for a delivery',
  description: 'Block until a delivery waits for review, then claim exactly one for you (oldest first).',
  input: z.object({ timeoutSec: field.timeoutSec.optional(), issue: IssueId.optional() }),
  roles: ['reviewer'],
  annotations: {},
  async handler(args, ctx) {
    const w = await ctx.app.waitUntil(async () => {
      const r = await ctx.app.run(deliveryClaim, { issue: args.issue }, ctx.who);
      return r.delivery ? r : undefined;
    }, waitOptions(ctx, args.timeoutSec, 'a delivery'));
    if (!w.value) return { structured: { delivery: null, timedOut: true, cursor: w.cursor }, text: 'No delivery yet; call delivery_wait again' };
    return { structured: { ...w.value, timedOut: false, cursor: w.cursor }, text: claimText(w.value) };
  },
});

export const deliveryExtendLeaseTool = defineTool({
  name: 'delivery_extend_lease',
  title: 'Extend delivery hold',
  description: 'Keep holding a delivery you are reviewing (a live hold only).',
  input: deliveryExtendLease.input,
  roles: ['reviewer'],
  annotations: { idempotentHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.run(deliveryExtendLease, args, ctx.who);
    return { structured: r, text: `${r.delivery.id} held until ${r.delivery.hold?.until}` };
  },
});

export const deliveryReviewTool = defineTool({
  name: 'delivery_review',
  title: 'Review a delivery',
  description: 'Approve or reject a delivery you hold, with what re-running its evidence showed.',
  input: deliveryReview.input,
  roles: ['reviewer'],
  annotations: {},
  async handler(args, ctx) {
    const r = await ctx.app.run(deliveryReview, args, ctx.who);
    return { structured: r, text: `${r.delivery.id} ${r.delivery.status}; ${r.next}` };
  },
});

export const deliveryGetTool = defineTool({
  name: 'delivery_get',
  title: 'Read a delivery',
  description: 'One delivery in full: artifacts, evidence, verification, verdict.',
  input: deliveryGetInput,
  roles: ['planner', 'reviewer'],
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state, rc) => deliveryGet(state, args, rc.now));
    const d = r.delivery;
    const verdict = d.reviewedBy ? `\nReviewed by ${d.reviewedBy} at ${d.reviewedAt}${d.feedback ? `: ${d.feedback}` : ''}` : '';
    return { structured: r, text: `${line(d)}${verdict}` };
  },
});

export const deliveryListTool = defineTool({
  name: 'delivery_list',
  title: 'List deliveries',
  description: 'Deliveries newest first; filter by status, issue, deliverer, reviewer.',
  input: deliveryListInput,
  roles: ['planner', 'reviewer'],
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state, rc) => deliveryList(state, args, rc.now));
    const footer = pageFooter(r, r.deliveries.length);
    return { structured: { ...r }, text: `${r.total} deliver${r.total === 1 ? 'y' : 'ies'}\n${r.deliveries.map(line).join('\n')}${footer}`.trimEnd() };
  },
});

export const acceptanceBundleTool = defineTool({
  name: 'acceptance_bundle',
  title: 'Acceptance bundle',
  description: 'Everything to accept an issue: tasks, results, changed files, docs, deliveries, history.',
  input: acceptanceBundleInput,
  roles: ['reviewer', 'planner'],
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const b = await ctx.app.read((state, rc) => acceptanceBundle(state, args, rc.now, rc.workTree));
    const ids = new Set([b.issue.id, ...b.tasks.map((t) => t.id)]);
    // History is newest first; the bundle reads oldest first.
    const events = (await ctx.app.history(BUNDLE_EVENTS, (e) => e.entities.some((id) => ids.has(id)))).reverse();
    const t = b.totals;
    const open = t.notDone.length ? `; not done: ${t.notDone.join(', ')}` : '';
    return {
      structured: { ...b, events },
      text: `${b.issue.id} [${b.issue.status}] ${b.issue.subject}: ${t.done}/${t.tasks} tasks done${open}; ${b.changedFiles.length} changed file(s), ${b.deliveries.length} deliver${b.deliveries.length === 1 ? 'y' : 'ies'}, ${events.length} event(s)`,
    };
  },
});

export const deliveryTools = [
  deliverySubmitTool,
  deliveryWaitTool,
  deliveryClaimTool,
  deliveryReviewTool,
  deliveryGetTool,
  deliveryListTool,
  deliveryExtendLeaseTool,
  acceptanceBundleTool,
];
