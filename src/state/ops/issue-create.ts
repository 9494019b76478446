// Op issue.create: a new open issue with its lease, and its docs (user, lead, others), all in one commit.
import { z } from 'zod';
import { docContent, docField, docName, docPath, docPlace, docRefField } from '../docs.js';
import { LockstepError } from '../../errors.js';
import { idSource, mintId } from '../core/ids.js';
import { field } from '../core/inputs.js';
import { paths } from '../core/layout.js';
import { defineOp, type Change } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import type { Issue } from '../core/schema.js';
import { requirePlanner } from '../roles.js';

const docInput = z.object({ name: docField.plainName, content: docField.content });

/** Issue input fields shared by create and update. */
export const issueField = {
  subject: z.string().trim().min(1).max(500),
  description: field.description,
  sharedDocPaths: z.array(docRefField.docName).max(50).describe('Shared doc names to read'),
  projectDocPaths: z.array(docRefField.repoFile).max(50).describe('Repo files to read'),
};

const input = z.object({
  subject: issueField.subject,
  description: issueField.description.optional(),
  userDoc: docInput.describe("The user's request"),
  leadDoc: docInput.describe('Your plan'),
  otherDocs: z.array(docInput).max(20).optional(),
  sharedDocPaths: issueField.sharedDocPaths.optional(),
  projectDocPaths: issueField.projectDocPaths.optional(),
});

export const issueCreate = defineOp({
  name: 'issue.create',
  input,
  run(state, input, ctx) {
    requirePlanner(ctx, 'create issues');
    // Docs first: a bad name or size fails before an id is minted.
    const docs = [input.userDoc, input.leadDoc, ...(input.otherDocs ?? [])].map((d, i) => {
      const what = i === 0 ? 'userDoc' : i === 1 ? 'leadDoc' : `otherDocs[${i - 2}]`;
      return { name: docName(d.name), content: d.content, bytes: docContent(d.content, `${what}.content`) };
    });
    const seen = new Set<string>();
    for (const d of docs) {
      if (seen.has(d.name)) throw new LockstepError('INVALID_INPUT', `two docs are named "${d.name}"; give each doc of the issue its own name`, { name: d.name });
      seen.add(d.name);
    }
    const id = mintId(idSource(ctx.entropy), 'I', (candidate) => state.exists(paths.issue(candidate)));
    const now = isoTime(ctx.now);
    const issue: Issue = {
      id,
      subject: input.subject,
      description: input.description,
      status: 'open',
      leaseExpiresAt: isoTime(ctx.now + state.meta().settings.issueLeaseSec * 1000),
      // Order says which is which: the user's doc, the lead's doc, then the others.
      docs: docs.map((d) => d.name),
      sharedDocPaths: input.sharedDocPaths ?? [],
      projectDocPaths: input.projectDocPaths ?? [],
      createdAt: now,
      createdBy: ctx.actor,
      updatedAt: now,
    };
    const place = docPlace({ scope: 'issue', issue: id });
    const changes: Change[] = [{ path: paths.issue(id), value: issue }, ...docs.map((d) => ({ path: docPath(place, d.name), value: d.content }))];
    return {
      changes,
      result: { issue },
      event: { subject: `${id} -> open`, entities: [id], data: { subject: input.subject.slice(0, 120), docs: issue.docs.length } },
    };
  },
});
