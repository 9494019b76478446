// Query acceptance_bundle: everything a reviewer needs to accept an issue in one read, doc contents included (S20).
// The tool adds the issue's events (they live in the commit history, not in the state tree).
import { z } from 'zod';
import { claimExpired } from '../claims.js';
import { deliveryRow, fileName, type DeliveryRow } from '../deliveries.js';
import { effectiveIssue, getIssue } from '../issues.js';
import { paths } from '../core/layout.js';
import { IssueId, type Issue, type Task } from '../core/schema.js';
import type { State } from '../core/state.js';

export const acceptanceBundleInput = z.object({ issue: IssueId });

/** Each doc's content is cut here (characters) so one huge doc cannot swamp the bundle. */
export const BUNDLE_DOC_CAP = 64 * 1024;

export interface BundleDoc {
  name: string;
  content: string;
  truncated?: true;
}

export interface BundleTask {
  id: string;
  title: string;
  status: Task['status'];
  owner?: string;
  points?: number;
  summary?: string;
  testResult?: 'passed' | 'failed';
  verdict?: 'approved' | 'changes_requested';
  score?: number;
  reviewSummary?: string;
  changedFiles: string[];
}

export interface AcceptanceBundle {
  issue: Issue & { expired?: true };
  tasks: BundleTask[];
  /** notDone lists `T-XXXX:status` of tasks neither done nor canceled. */
  totals: { tasks: number; done: number; canceled: number; notDone: string[] };
  /** Unions over the done tasks, sorted and de-duplicated. */
  changedFiles: string[];
  testCases: string[];
  links: string[];
  reviewedRefs: string[];
  submitters: string[];
  docs: { issue: BundleDoc[]; tasks: Record<string, BundleDoc[]> };
  /** The issue's deliveries, newest first. */
  deliveries: DeliveryRow[];
}

/** The docs in a docs folder, by name (the path below the folder without `.md`). */
function docsIn(state: State, folder: string): BundleDoc[] {
  const out: BundleDoc[] = [];
  for (const path of state.filePaths(folder)) {
    if (!path.endsWith('.md')) continue;
    const content = state.doc(path);
    if (content === undefined) continue;
    const name = path.slice(folder.length + 1, -'.md'.length);
    out.push(content.length > BUNDLE_DOC_CAP ? { name, content: content.slice(0, BUNDLE_DOC_CAP), truncated: true } : { name, content });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const sortedSet = (values: Iterable<string>) => [...new Set(values)].sort();

export function acceptanceBundle(state: State, input: z.output<typeof acceptanceBundleInput>, now: number, workTree: string | null): AcceptanceBundle {
  const issue = getIssue(state, input.issue);
  const tasks = [...state.issueTasks(issue.id)].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rows: BundleTask[] = tasks.map((t) => {
    // A claim that ran out shows as todo with no owner, as everywhere else.
    const expired = claimExpired(t, now);
    return {
      id: t.id,
      title: t.title,
      status: expired ? 'todo' : t.status,
      owner: expired ? undefined : t.owner,
      points: t.points,
      summary: t.submission?.summary,
      testResult: t.submission?.testResult,
      verdict: t.review?.verdict,
      score: t.review?.score,
      reviewSummary: t.review?.summary,
      changedFiles: (t.submission?.changedFiles ?? []).map((f) => fileName(f, workTree)),
    };
  });
  const done = tasks.filter((t) => t.status === 'done');
  const taskDocs: Record<string, BundleDoc[]> = {};
  for (const t of tasks) {
    const docs = docsIn(state, paths.docFolder('task', t.id));
    if (docs.length > 0) taskDocs[t.id] = docs;
  }
  return {
    issue: effectiveIssue(state, issue, now),
    tasks: rows,
    totals: {
      tasks: rows.length,
      done: done.length,
      canceled: rows.filter((r) => r.status === 'canceled').length,
      notDone: rows.filter((r) => r.status !== 'done' && r.status !== 'canceled').map((r) => `${r.id}:${r.status}`),
    },
    changedFiles: sortedSet(done.flatMap((t) => (t.submission?.changedFiles ?? []).map((f) => fileName(f, workTree)))),
    testCases: sortedSet(done.flatMap((t) => t.submission?.testCases ?? [])),
    links: sortedSet(done.flatMap((t) => t.submission?.links ?? [])),
    reviewedRefs: sortedSet(done.flatMap((t) => t.review?.reviewedRefs ?? [])),
    submitters: sortedSet(done.flatMap((t) => (t.submission ? [t.submission.by] : []))),
    docs: { issue: docsIn(state, paths.docFolder('issue', issue.id)), tasks: taskDocs },
    deliveries: state
      .deliveries()
      .items.filter((d) => d.issue === issue.id)
      .map((d) => deliveryRow(d, now))
      .sort((a, b) => (a.deliveredAt !== b.deliveredAt ? (a.deliveredAt < b.deliveredAt ? 1 : -1) : a.id < b.id ? 1 : -1)),
  };
}
