// Issue tools: create, read, list, update, close, reopen, extend the lease, and wait for issues.
import { useCases } from '../../app/use-cases.js';
import type { IssueRow } from '../../state/queries/issue-list.js';
import { EVERY_ROLE, pageFooter, tool } from '../tool.js';

const line = (r: IssueRow) => `${r.id} [${r.status}${r.expired ? ', expired' : ''}] ${r.subject} (${r.tasks} task(s))`;

export const issueTools = [
  tool(useCases.issueCreate, {
    title: 'Create an issue',
    description: 'Open an issue (I-XXXX) with its user and lead docs; then task_create with issue.',
    roles: ['planner'],
    text: ({ issue }) => `Created ${issue.id}: ${issue.subject} (docs: ${issue.docs.join(', ')}; lease until ${issue.leaseExpiresAt})`,
  }),
  tool(useCases.issueGet, {
    title: 'Read an issue',
    description: 'One issue (expired shows canceled) with task counts and doc names.',
    roles: EVERY_ROLE,
    annotations: { readOnlyHint: true },
    text: (r) => {
      const i = r.issue;
      const counts = Object.entries(r.tasks)
        .filter(([k, n]) => k !== 'total' && n > 0)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ');
      return `${i.id} [${i.status}${i.expired ? ', expired' : ''}] ${i.subject}\ntasks: ${r.tasks.total}${counts ? ` (${counts})` : ''}\ndocs: ${r.docs.join(', ') || '-'}`;
    },
  }),
  tool(useCases.issueList, {
    title: 'List issues',
    description: 'Issues by status (expired = canceled), subject, sorted, paged.',
    roles: EVERY_ROLE,
    annotations: { readOnlyHint: true },
    text: (r) => `${r.total} issue(s)\n${r.issues.map(line).join('\n')}${pageFooter(r, r.issues.length)}`.trimEnd(),
  }),
  tool(useCases.issueUpdate, {
    title: 'Update an issue',
    description: 'Edit subject, description or doc path lists (a given list replaces).',
    roles: ['planner'],
    annotations: { idempotentHint: true },
    text: (r) => (r.changed.length ? `${r.issue.id} updated: ${r.changed.join(', ')}` : `${r.issue.id} unchanged`),
  }),
  tool(useCases.issueClose, {
    title: 'Close an issue',
    description: 'Mark an issue done: all its tasks done or canceled, and an approved delivery.',
    roles: ['planner'],
    text: ({ issue }) => `${issue.id} done${issue.delivery ? ` (delivery ${issue.delivery})` : ' (without delivery)'}`,
  }),
  tool(useCases.issueReopen, {
    title: 'Reopen an issue',
    description: 'Reopen a done, canceled or expired issue with a fresh lease.',
    roles: ['planner'],
    text: (r) => `${r.issue.id} reopened (was ${r.from}; lease until ${r.issue.leaseExpiresAt})`,
  }),
  tool(useCases.issueExtendLease, {
    title: 'Extend an issue lease',
    description: "Push an open issue's lease to now + extendSec (never shortens); work on its tasks renews it too.",
    roles: ['planner'],
    text: (r) => `${r.issue.id} lease until ${r.leaseExpiresAt}${r.extended ? '' : ' (already later; unchanged)'}`,
  }),
  tool(useCases.issueWait, {
    title: 'Wait for issues',
    description: 'Issues with a status (default open = open or in_progress), now or when one appears.',
    roles: ['implementer'],
    annotations: { readOnlyHint: true },
    text: (r, input) => (r.timedOut ? `No ${input.status} issue yet; call issue_wait again` : `${r.issues.length} issue(s)\n${r.issues.map(line).join('\n')}`),
  }),
];
