// Op delivery.submit: the planner hands a finished issue to acceptance, with the evidence that it works.
import { z } from 'zod';
import { claimExpired } from '../claims.js';
import { byDeliveredAt, deliveryField, failedEvidence, fileName, firstFailure, isPending, requireAligned, requireList, requireText } from '../deliveries.js';
import { LockstepError } from '../../errors.js';
import { idSource, mintId } from '../core/ids.js';
import { getIssue, issueRenewal, requireOpenIssue } from '../issues.js';
import { paths } from '../core/layout.js';
import { defineOp, type Change } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import { IssueId, type Delivery, type Task } from '../core/schema.js';
import type { State } from '../core/state.js';
import { requirePlanner } from '../roles.js';

const item = (max: number) => z.array(z.string().max(max)).max(1_000);

export const deliverySubmitInput = z.object({
  issue: IssueId,
  summary: z.string().max(20_000),
  artifacts: z.object({
    testResult: z.enum(['passed', 'failed']),
    testCases: item(2_000),
    changedFiles: item(1_000).describe("Every file the issue's done tasks changed"),
    reviewedRefs: item(1_000),
    testOutput: z.string().max(100_000).optional(),
    knownRisks: z.string().max(20_000).optional(),
  }),
  testEvidence: z.object({
    scriptPath: z.string().max(1_000),
    scriptCmd: z.string().max(2_000),
    scriptPassed: z.boolean(),
    scriptResult: z.string().max(100_000),
    docPath: z.string().max(1_000),
    docCommands: item(2_000),
    docResults: z.array(deliveryField.commandResult).max(1_000).describe('One per docCommand, same order and text'),
    docPassed: z.boolean(),
  }),
});
type SubmitInput = z.output<typeof deliverySubmitInput>;

const FIX_FIRST = 'a delivery says the issue works: fix it and run it again before delivering (note what stays uncertain in artifacts.knownRisks)';

/** S22: every field names itself when it is missing, and evidence must align by command and pass. */
function checkEvidence(input: SubmitInput): void {
  const { artifacts: a, testEvidence: e } = input;
  requireText(input.summary, 'summary');
  requireText(e.scriptPath, 'testEvidence.scriptPath');
  requireText(e.scriptCmd, 'testEvidence.scriptCmd');
  requireText(e.scriptResult, 'testEvidence.scriptResult');
  requireText(e.docPath, 'testEvidence.docPath');
  requireList(e.docCommands, 'testEvidence.docCommands');
  requireAligned(e.docCommands, e.docResults, 'testEvidence.docResults');
  requireList(a.testCases, 'artifacts.testCases');
  requireList(a.changedFiles, 'artifacts.changedFiles');
  requireList(a.reviewedRefs, 'artifacts.reviewedRefs');
  if (a.testResult === 'failed') throw failedEvidence('artifacts.testResult', `is failed; ${FIX_FIRST}`);
  const failed = firstFailure(e, 'testEvidence');
  if (failed) throw failedEvidence(failed, `is false; ${FIX_FIRST}`);
}

/** Every task done (canceled ones do not count), at least one, and every changed file named (S15, S22). */
function checkComplete(state: State, issueId: string, changedFiles: readonly string[], now: number, workTree: string | null): void {
  const tasks = state.issueTasks(issueId);
  // A claim that ran out is todo again, as readers see it.
  const status = (t: Task): Task['status'] => (claimExpired(t, now) ? 'todo' : t.status);
  const notDone = tasks.filter((t) => status(t) !== 'done' && status(t) !== 'canceled').map((t) => `${t.id}:${status(t)}`);
  if (notDone.length > 0) {
    throw new LockstepError('DELIVERY_INCOMPLETE', `issue ${issueId} has tasks not done: ${notDone.slice(0, 20).join(', ')}; finish or cancel them first`, { issue: issueId, notDone });
  }
  const done = tasks.filter((t) => t.status === 'done');
  if (done.length === 0) throw new LockstepError('DELIVERY_INCOMPLETE', `issue ${issueId} has no done task; there is nothing to deliver`, { issue: issueId, notDone: [] });
  const given = new Set(changedFiles.map((f) => fileName(f, workTree)));
  const missing = new Set<string>();
  for (const t of done) for (const f of t.submission?.changedFiles ?? []) if (!given.has(fileName(f, workTree))) missing.add(fileName(f, workTree));
  if (missing.size > 0) {
    const list = [...missing].sort();
    throw new LockstepError('DELIVERY_INCOMPLETE', `artifacts.changedFiles misses files the done tasks changed: ${list.slice(0, 20).join(', ')}${list.length > 20 ? ', ...' : ''}; add them`, {
      issue: issueId,
      field: 'artifacts.changedFiles',
      missing: list.slice(0, 200),
    });
  }
}

export const deliverySubmit = defineOp({
  name: 'delivery.submit',
  input: deliverySubmitInput,
  run(state, input, ctx) {
    requirePlanner(ctx, 'submit a delivery');
    getIssue(state, input.issue);
    // S12: a retry (after a timeout, or a lost answer) gets the delivery already waiting, never a second one.
    const pending = state
      .deliveries()
      .items.filter((d) => d.issue === input.issue && isPending(d))
      .sort(byDeliveredAt)[0];
    if (pending) return { changes: [], result: { delivery: pending, alreadyPending: true } };
    requireOpenIssue(state, input.issue, ctx.now);
    checkEvidence(input);
    checkComplete(state, input.issue, input.artifacts.changedFiles, ctx.now, ctx.workTree);

    const id = mintId(idSource(ctx.entropy), 'V', (candidate) => state.exists(paths.delivery(candidate)));
    const now = isoTime(ctx.now);
    const changedFiles = [...new Set(input.artifacts.changedFiles.map((f) => fileName(f, ctx.workTree)))];
    const delivery: Delivery = {
      id,
      issue: input.issue,
      summary: input.summary,
      status: 'open',
      artifacts: { ...input.artifacts, changedFiles },
      testEvidence: input.testEvidence,
      deliveredBy: ctx.actor,
      deliveredAt: now,
      updatedAt: now,
    };
    const changes: Change[] = [{ path: paths.delivery(id), value: delivery }];
    const renewal = issueRenewal(state, input.issue, ctx);
    if (renewal) changes.push(renewal);
    return {
      changes,
      result: { delivery, alreadyPending: false },
      event: { subject: `${id} for ${input.issue}`, entities: [id, input.issue], data: { issue: input.issue } },
    };
  },
});
