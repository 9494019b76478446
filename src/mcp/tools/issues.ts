// Issue tools: create, read, list, update, close, reopen, extend the lease, and wait for issues.
import { z } from 'zod';
import { field } from '../../state/inputs.js';
import { issueClose } from '../../state/ops/issue-close.js';
import { issueCreate } from '../../state/ops/issue-create.js';
import { issueExtendLease } from '../../state/ops/issue-extend-lease.js';
import { issueReopen } from '../../state/ops/issue-reopen.js';
import { issueUpdate } from '../../state/ops/issue-update.js';
import { issueGet, issueGetInput, issueList, issueListInput, MAX_ISSUE_PAGE, type IssueRow } from '../../state/queries/issue-list.js';
import { waitOptions } from '../wait.js';
import { defineTool, EVERY_ROLE, pageFooter } from '../tool.js';

const line = (r: IssueRow) => `${r.id} [${r.status}${r.expired ? ', expired' : ''}] ${r.subject} (${r.tasks} task(s))`;

export const issueCreateTool = defineTool({
  name: 'issue_create',
  title: 'Create an issue',
  description: 'Open an issue (I-XXXX) with its user and lead docs; then task_create with issue.',
  input: issueCreate.input,
  roles: ['planner'],
  annotations: {},
  async handler(args, ctx) {
    const { issue } = await ctx.app.run(issueCreate, args, ctx.who);
    return { structured: { issue }, text: `Created ${issue.id}: ${issue.subject} (docs: ${issue.docs.join(', ')}; lease until ${issue.leaseExpiresAt})` };
  },
});

export const issueGetTool = defineTool({
  name: 'issue_get',
  title: 'Read an issue',
  description: 'One issue (expired shows canceled) with task counts and doc names.',
  input: issueGetInput,
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state, rc) => issueGet(state, args, rc.now));
    const i = r.issue;
    const counts = Object.entries(r.tasks)
      .filter(([k, n]) => k !== 'total' && n > 0)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    return { structured: { ...r }, text: `${i.id} [${i.status}${i.expired ? ', expired' : ''}] ${i.subject}\ntasks: ${r.tasks.total}${counts ? ` (${counts})` : ''}\ndocs: ${r.docs.join(', ') || '-'}` };
  },
});

export const issueListTool = defineTool({
  name: 'issue_list',
  title: 'List issues',
  description: 'Issues by status (expired = canceled), subject, sorted, paged.',
  input: issueListInput,
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state, rc) => issueList(state, args, rc.now));
    const footer = pageFooter(r, r.issues.length);
    return { structured: { ...r }, text: `${r.total} issue(s)\n${r.issues.map(line).join('\n')}${footer}`.trimEnd() };
  },
});

export const issueUpdateTool = defineTool({
  name: 'issue_update',
  title: 'Update an issue',
  description: 'Edit subject, description or doc path lists (a given list replaces).',
  input: issueUpdate.input,
  roles: ['planner'],
  annotations: { idempotentHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.run(issueUpdate, args, ctx.who);
    return { structured: r, text: r.changed.length ? `${r.issue.id} updated: ${r.changed.join(', ')}` : `${r.issue.id} unchanged` };
  },
});

export const issueCloseTool = defineTool({
  name: 'issue_close',
  title: 'Close an issue',
  description: 'Mark an issue done: all its tasks done or canceled, and an approved delivery.',
  input: issueClose.input,
  roles: ['planner'],
  annotations: {},
  async handler(args, ctx) {
    const { issue } = await ctx.app.run(issueClose, args, ctx.who);
    return { structured: { issue }, text: `${issue.id} done${issue.delivery ? ` (delivery ${issue.delivery})` : ' (without delivery)'}` };
  },
});

export const issueReopenTool = defineTool({
  name: 'issue_reopen',
  title: 'Reopen an issue',
  description: 'Reopen a done, canceled or expired issue with a fresh lease.',
  input: issueReopen.input,
  roles: ['planner'],
  annotations: {},
  async handler(args, ctx) {
    const r = await ctx.app.run(issueReopen, args, ctx.who);
    return { structured: r, text: `${r.issue.id} reopened (was ${r.from}; lease until ${r.issue.leaseExpiresAt})` };
  },
});

export const issueExtendLeaseTool = defineTool({
  name: 'issue_extend_lease',
  title: 'Extend an issue lease',
  description: 'Push an open issue\'s lease to now + extendSec (never shortens); work on its tasks renews it too.',
  input: issueExtendLease.input,
  roles: ['planner'],
  annotations: {},
  async handler(args, ctx) {
    const r = await ctx.app.run(issueExtendLease, args, ctx.who);
    return { structured: r, text: `${r.issue.id} lease until ${r.leaseExpiresAt}${r.extended ? '' : ' (already later; unchanged)'}` };
  },
});

export const issueWaitTool = defineTool({
  name: 'issue_wait',
  title: 'Wait for issues',
  description: 'Issues with a status (default open = open or in_progress), now or when one appears. Oldest first.',
  input: z.object({
    status: z.enum(['open', 'in_progress', 'done', 'canceled']).default('open'),
    timeoutSec: field.timeoutSec.optional(),
    limit: z.number().int().min(1).max(MAX_ISSUE_PAGE).default(50),
  }),
  roles: ['implementer'],
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const status = args.status === 'open' ? 'active' : args.status;
    const query = { status, offset: 0, limit: args.limit, sortBy: 'createdAt', order: 'asc' } as const;
    const r = await ctx.app.waitUntil(async () => {
      const found = await ctx.app.read((state, rc) => issueList(state, query, rc.now));
      return found.issues.length ? found.issues : undefined;
    }, waitOptions(ctx, args.timeoutSec, `${args.status} issues`));
    const issues = r.value ?? [];
    const text = r.timedOut ? `No ${args.status} issue yet; call issue_wait again` : `${issues.length} issue(s)\n${issues.map(line).join('\n')}`;
    return { structured: { issues, timedOut: r.timedOut, cursor: r.cursor }, text };
  },
});

export const issueTools = [issueCreateTool, issueGetTool, issueListTool, issueUpdateTool, issueCloseTool, issueReopenTool, issueExtendLeaseTool, issueWaitTool];
