// Op issue.extend_lease: push an open issue's lease out (never shortens it; an expired issue needs issue_reopen).
import { z } from 'zod';
import { requireOpenIssue } from '../issues.js';
import { paths } from '../core/layout.js';
import { defineOp } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import { IssueId, type Issue } from '../core/schema.js';
import { requirePlanner } from '../roles.js';

const input = z.object({
  id: IssueId,
  extendSec: z.number().int().min(60).max(86_400).optional(),
});

export const issueExtendLease = defineOp({
  name: 'issue.extend_lease',
  input,
  run(state, input, ctx) {
    requirePlanner(ctx, 'extend issue leases');
    const issue = requireOpenIssue(state, input.id, ctx.now);
    const extendMs = (input.extendSec ?? state.meta().settings.issueLeaseSec) * 1000;
    const current = issue.leaseExpiresAt ? Date.parse(issue.leaseExpiresAt) : 0;
    const until = Math.max(current, ctx.now + extendMs);
    if (until === current) return { changes: [], result: { issue, leaseExpiresAt: issue.leaseExpiresAt, extended: false } };
    const next: Issue = { ...issue, leaseExpiresAt: isoTime(until), updatedAt: isoTime(ctx.now) };
    return {
      changes: [{ path: paths.issue(issue.id), value: next }],
      result: { issue: next, leaseExpiresAt: next.leaseExpiresAt, extended: true },
      event: { subject: issue.id, entities: [issue.id], data: { leaseExpiresAt: next.leaseExpiresAt } },
    };
  },
});
