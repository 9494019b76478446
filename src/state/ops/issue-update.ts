// Op issue.update: edit an issue's subject, description and doc path lists (never its status).
import { z } from 'zod';
import { getIssue } from '../issues.js';
import { paths } from '../core/layout.js';
import { defineOp } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import { IssueId, type Issue } from '../core/schema.js';
import { requirePlanner } from '../roles.js';
import { issueField } from './issue-create.js';

const input = z.object({
  id: IssueId,
  subject: issueField.subject.optional(),
  description: issueField.description.optional(),
  sharedDocPaths: issueField.sharedDocPaths.optional(),
  projectDocPaths: issueField.projectDocPaths.optional(),
});

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export const issueUpdate = defineOp({
  name: 'issue.update',
  input,
  run(state, input, ctx) {
    requirePlanner(ctx, 'update issues');
    const issue = getIssue(state, input.id);
    const next: Issue = { ...issue };
    const changed: string[] = [];
    // Only the fields given are replaced; a field given with its current value is no change.
    for (const key of ['subject', 'description', 'sharedDocPaths', 'projectDocPaths'] as const) {
      if (input[key] === undefined || same(input[key], issue[key])) continue;
      (next as Record<string, unknown>)[key] = input[key];
      changed.push(key);
    }
    if (changed.length === 0) return { changes: [], result: { issue, changed } };
    next.updatedAt = isoTime(ctx.now);
    return {
      changes: [{ path: paths.issue(issue.id), value: next }],
      result: { issue: next, changed },
      event: { subject: issue.id, entities: [issue.id], data: { changed } },
    };
  },
});
