// Queries issue_list and issue_get: issues as readers see them (an expired one shows canceled).
import { z } from 'zod';
import { claimExpired } from '../claims.js';
import { listDocNames } from '../docs.js';
import { effectiveIssue, getIssue } from '../issues.js';
import { paths } from '../core/layout.js';
import { ISSUE_STATUSES, IssueId, TASK_STATUSES, type Issue, type Task, type TaskStatus } from '../core/schema.js';
import type { CorruptFile, State } from '../core/state.js';

export const MAX_ISSUE_PAGE = 200;

export const issueListInput = z.object({
  status: z.enum([...ISSUE_STATUSES, 'all']).default('all'),
  subjectContains: z.string().max(500).optional(),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).default(50),
  sortBy: z.enum(['createdAt', 'updatedAt']).default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
});

/** One line of a listing: the issue without its descriptions and doc lists. */
export interface IssueRow {
  id: string;
  subject: string;
  status: Issue['status'];
  leaseExpiresAt?: string;
  expired?: true;
  createdAt: string;
  updatedAt: string;
  /** How many tasks the issue has. */
  tasks: number;
}

export interface IssueListResult {
  issues: IssueRow[];
  total: number;
  offset: number;
  hasMore: boolean;
  corrupt: CorruptFile[];
}

function row(state: State, issue: Issue, now: number): IssueRow {
  const e = effectiveIssue(state, issue, now);
  return { id: e.id, subject: e.subject, status: e.status, leaseExpiresAt: e.leaseExpiresAt, expired: e.expired, createdAt: e.createdAt, updatedAt: e.updatedAt, tasks: state.issueTasks(e.id).length };
}

/** issue_list's input; status `active` is issue_wait's "open": open or in progress. */
export type IssueListQuery = Omit<z.output<typeof issueListInput>, 'status'> & { status: z.output<typeof issueListInput>['status'] | 'active' };

/** Issues filtered by EFFECTIVE status and subject, sorted, one page (at most 200). */
export function issueList(state: State, input: IssueListQuery, now: number): IssueListResult {
  const listing = state.issues();
  const needle = input.subjectContains?.toLowerCase();
  const key = input.sortBy;
  const dir = input.order === 'asc' ? 1 : -1;
  const matches = listing.items
    .map((i) => row(state, i, now))
    .filter((r) => {
      if (input.status === 'active') return r.status === 'open' || r.status === 'in_progress';
      return input.status === 'all' || r.status === input.status;
    })
    .filter((r) => needle === undefined || r.subject.toLowerCase().includes(needle))
    .sort((a, b) => (a[key] < b[key] ? -dir : a[key] > b[key] ? dir : a.id < b.id ? -dir : a.id > b.id ? dir : 0));
  const limit = Math.min(input.limit, MAX_ISSUE_PAGE);
  const page = matches.slice(input.offset, input.offset + limit);
  return { issues: page, total: matches.length, offset: input.offset, hasMore: input.offset + page.length < matches.length, corrupt: listing.corrupt };
}

export const issueGetInput = z.object({ id: IssueId });

export interface IssueGetResult {
  issue: Issue & { expired?: true };
  /** Tasks by status; a claim that expired counts as todo (what a claimer sees). */
  tasks: Record<TaskStatus, number> & { total: number };
  /** Every doc in the issue's folder (doc_read scope issue). */
  docs: string[];
}

function effectiveStatus(task: Task, now: number): TaskStatus {
  return claimExpired(task, now) ? 'todo' : task.status;
}

export function issueGet(state: State, input: z.output<typeof issueGetInput>, now: number): IssueGetResult {
  const issue = effectiveIssue(state, getIssue(state, input.id), now);
  const tasks = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  const list = state.issueTasks(issue.id);
  for (const t of list) tasks[effectiveStatus(t, now)]++;
  return { issue, tasks: { ...tasks, total: list.length }, docs: listDocNames(state, paths.docFolder('issue', issue.id)) };
}
