// Deliveries and acceptance: pure op rules (evidence, completeness, holds with an injected clock, listing,
// the bundle), then MCP stdio with a planner and reviewers in separate processes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeFile } from '../src/state/core/codec.js';
import { paths } from '../src/state/core/layout.js';
import { isoTime } from '../src/state/core/ctx.js';
import { ops } from '../src/state/ops/index.js';
import { acceptanceBundle, BUNDLE_DOC_CAP } from '../src/state/queries/acceptance-bundle.js';
import { deliveryGet, deliveryList, deliveryListInput } from '../src/state/queries/delivery-list.js';
import type { Delivery } from '../src/state/core/schema.js';
import { gitEditState, initAgent, makeRepo, stateSubjects, toolError } from './helpers.js';
import { codeOf, ctxFor, errorOf, invalidFields, MemoryState, validate } from './memory-state.js';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const SEC = 1000;
const LEASE = 3600 * SEC; // settings.deliveryLeaseSec default
const lead = (ms = 0) => ctxFor('lead', 'planner', T0 + ms);
const rev1 = (ms = 0) => ctxFor('rev-1', 'reviewer', T0 + ms);
const rev2 = (ms = 0) => ctxFor('rev-2', 'reviewer', T0 + ms);

// ---- fixtures: issues and tasks written as files (issue ops belong to other work) ----

function issueFile(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    subject: `subject of ${id}`,
    status: 'in_progress',
    leaseExpiresAt: isoTime(T0 + 7200 * SEC),
    createdAt: isoTime(T0 - 60 * SEC),
    createdBy: 'lead',
    updatedAt: isoTime(T0 - 60 * SEC),
    ...extra,
  };
}

function taskFile(id: string, issue: string, changedFiles: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    title: `task ${id}`,
    status: 'done',
    complexity: 'medium',
    issue,
    owner: 'impl-1',
    points: 3,
    submission: { at: isoTime(T0 - 30 * SEC), by: 'impl-1', summary: `did ${id}`, changedFiles, testCases: [`case ${id}`], testResult: 'passed', links: [`https://ci/${id}`] },
    review: { verdict: 'approved', score: 5, summary: `fine ${id}`, reviewedRefs: [`ref-${id}`], reviewedBy: 'lead', reviewedAt: isoTime(T0 - 20 * SEC) },
    createdAt: isoTime(T0 - 50 * SEC),
    createdBy: 'lead',
    updatedAt: isoTime(T0 - 20 * SEC),
    ...extra,
  };
}

/** A fixture file, written with MemoryState.put (no commit); it must be valid. */
function put(m: MemoryState, path: string, value: unknown): void {
  const d = m.put(path, value)!;
  assert.ok(d.ok, `fixture ${path} is invalid: ${!d.ok && d.reason}`);
}

/** An in-progress issue with two done tasks (files a.ts, b.ts, c.ts) and a canceled one. */
function world(issueIds = ['I-AAAA']): MemoryState {
  const m = new MemoryState();
  issueIds.forEach((issue, n) => {
    put(m, paths.issue(issue), issueFile(issue));
    put(m, paths.task(`T-${n}AA1`), taskFile(`T-${n}AA1`, issue, ['src/a.ts', './src//b.ts']));
    put(m, paths.task(`T-${n}AA2`), taskFile(`T-${n}AA2`, issue, ['src/c.ts']));
    put(m, paths.task(`T-${n}AA3`), taskFile(`T-${n}AA3`, issue, ['src/never.ts'], { status: 'canceled', submission: undefined, review: undefined }));
  });
  return m;
}

const COMMANDS = ['npm test', 'curl -s localhost:8080/health'];

function submitInput(issue = 'I-AAAA', over: { artifacts?: Record<string, unknown>; testEvidence?: Record<string, unknown>; summary?: string } = {}) {
  return {
    issue,
    summary: over.summary ?? 'login works end to end',
    artifacts: { testResult: 'passed', testCases: ['login ok', 'bad password'], changedFiles: ['src/a.ts', 'src/b.ts', 'src/c.ts'], reviewedRefs: ['abc123'], ...over.artifacts },
    testEvidence: {
      scriptPath: 'ai-issue-doc/issue-test.sh',
      scriptCmd: 'bash ai-issue-doc/issue-test.sh',
      scriptPassed: true,
      scriptResult: 'all 12 passed',
      docPath: 'ai-issue-doc/issue-test-steps.md',
      docCommands: COMMANDS,
      docResults: COMMANDS.map((command) => ({ command, passed: true, exitCode: 0, output: `ran ${command}` })),
      docPassed: true,
      ...over.testEvidence,
    },
  } as const;
}

function verification(over: Record<string, unknown> = {}) {
  return {
    scriptPassed: true,
    scriptResult: 'reran: all 12 passed',
    docPassed: true,
    docResults: COMMANDS.map((command) => ({ command, passed: true, output: `reran ${command}` })),
    ...over,
  };
}

const submit = (m: MemoryState, input: unknown = submitInput(), ctx = lead()) => m.run(ops.deliverySubmit, input as never, ctx);
const claim = (m: MemoryState, ctx = rev1(), input: Record<string, unknown> = {}) => m.run(ops.deliveryClaim, input, ctx);
const review = (m: MemoryState, deliveryId: string, ctx = rev1(), over: Record<string, unknown> = {}) =>
  m.run(ops.deliveryReview, { deliveryId, verdict: 'approved', verification: verification(), ...over } as never, ctx);
const list = (m: MemoryState, input: Record<string, unknown> = {}, now = T0) => deliveryList(m.state, deliveryListInput.parse(input), now);

// ---- pure ----

test('submit: one commit creates an open V- delivery; planner only; the issue must exist and be open', () => {
  const m = world();
  assert.equal(codeOf(() => submit(m, submitInput(), rev1())), 'ROLE_FORBIDDEN');
  assert.equal(codeOf(() => submit(m, submitInput('I-ZZZZ'))), 'ISSUE_NOT_FOUND');
  const r = submit(m);
  assert.equal(m.commits, 1);
  assert.match(r.delivery.id, /^V-[0-9A-Z]{4}$/);
  assert.equal(r.alreadyPending, false);
  const d = m.state.delivery(r.delivery.id)!;
  assert.equal(d.status, 'open');
  assert.equal(d.issue, 'I-AAAA');
  assert.equal(d.deliveredBy, 'lead');
  assert.equal(d.deliveredAt, isoTime(T0));
  assert.deepEqual(d.artifacts.changedFiles, ['src/a.ts', 'src/b.ts', 'src/c.ts']);
  assert.deepEqual(d.testEvidence.docCommands, COMMANDS);

  const done = world();
  put(done, paths.issue('I-AAAA'), issueFile('I-AAAA', { status: 'done' }));
  assert.equal(codeOf(() => submit(done)), 'ISSUE_CLOSED');
  // Lease ran out and nobody works on it (every task done): effectively canceled.
  const expired = world();
  put(expired, paths.issue('I-AAAA'), issueFile('I-AAAA', { leaseExpiresAt: isoTime(T0 - SEC) }));
  assert.equal(codeOf(() => submit(expired)), 'ISSUE_CLOSED');
});

test('submit: evidence fields are named when blank or missing; failing evidence is refused', () => {
  const m = world();
  const field = (input: unknown) => {
    const err = errorOf(() => submit(m, input));
    assert.equal(err.code, 'EVIDENCE_INVALID');
    return err.data?.field;
  };
  assert.equal(field(submitInput('I-AAAA', { summary: '  ' })), 'summary');
  assert.equal(field(submitInput('I-AAAA', { testEvidence: { scriptPath: '' } })), 'testEvidence.scriptPath');
  assert.equal(field(submitInput('I-AAAA', { testEvidence: { scriptCmd: ' ' } })), 'testEvidence.scriptCmd');
  assert.equal(field(submitInput('I-AAAA', { testEvidence: { scriptResult: '\n' } })), 'testEvidence.scriptResult');
  assert.equal(field(submitInput('I-AAAA', { testEvidence: { docPath: '' } })), 'testEvidence.docPath');
  assert.equal(field(submitInput('I-AAAA', { testEvidence: { docCommands: [], docResults: [] } })), 'testEvidence.docCommands');
  assert.equal(field(submitInput('I-AAAA', { testEvidence: { docCommands: ['npm test', ' '] } })), 'testEvidence.docCommands[1]');
  const blankOutput = COMMANDS.map((command, i) => ({ command, passed: true, output: i === 1 ? '' : 'x' }));
  assert.equal(field(submitInput('I-AAAA', { testEvidence: { docResults: blankOutput } })), 'testEvidence.docResults[1].output');
  assert.equal(field(submitInput('I-AAAA', { artifacts: { testCases: [] } })), 'artifacts.testCases');
  assert.equal(field(submitInput('I-AAAA', { artifacts: { changedFiles: [] } })), 'artifacts.changedFiles');
  assert.equal(field(submitInput('I-AAAA', { artifacts: { reviewedRefs: [''] } })), 'artifacts.reviewedRefs[0]');
  // A delivery claims success: anything that failed must be fixed first.
  assert.equal(field(submitInput('I-AAAA', { artifacts: { testResult: 'failed' } })), 'artifacts.testResult');
  assert.equal(field(submitInput('I-AAAA', { testEvidence: { scriptPassed: false } })), 'testEvidence.scriptPassed');
  assert.equal(field(submitInput('I-AAAA', { testEvidence: { docPassed: false } })), 'testEvidence.docPassed');
  const oneFailed = COMMANDS.map((command, i) => ({ command, passed: i === 0, output: 'x' }));
  assert.equal(field(submitInput('I-AAAA', { testEvidence: { docResults: oneFailed } })), 'testEvidence.docResults[1].passed');
  // Missing required fields are refused by the schema, naming them.
  assert.deepEqual(invalidFields(() => submit(m, { ...submitInput(), testEvidence: { ...submitInput().testEvidence, scriptPassed: undefined } })), ['testEvidence.scriptPassed']);
  assert.equal(m.commits, 0);
});

test('submit: every task must be done (canceled tasks do not block) and at least one done', () => {
  const m = world();
  put(m, paths.task('T-0AA4'), taskFile('T-0AA4', 'I-AAAA', [], { status: 'review' }));
  put(m, paths.task('T-0AA5'), taskFile('T-0AA5', 'I-AAAA', [], { status: 'in_progress', claim: { by: 'impl-2', at: isoTime(T0 - SEC), expiresAt: isoTime(T0 - 1) } }));
  const err = errorOf(() => submit(m));
  assert.equal(err.code, 'DELIVERY_INCOMPLETE');
  // An expired claim is todo, as every reader sees it.
  assert.deepEqual(err.data?.notDone, ['T-0AA4:review', 'T-0AA5:todo']);

  const none = new MemoryState();
  put(none, paths.issue('I-AAAA'), issueFile('I-AAAA'));
  put(none, paths.task('T-0AA3'), taskFile('T-0AA3', 'I-AAAA', [], { status: 'canceled' }));
  const empty = errorOf(() => submit(none));
  assert.equal(empty.code, 'DELIVERY_INCOMPLETE');
  assert.deepEqual(empty.data?.notDone, []);
  assert.equal(m.commits + none.commits, 0);
});

test('S22: changed files are compared by name and verification by command', () => {
  const m = world();
  // Three names, as many as the done tasks changed, but one is wrong: a count would pass, names do not.
  const wrong = errorOf(() => submit(m, submitInput('I-AAAA', { artifacts: { changedFiles: ['src/a.ts', 'src/b.ts', 'src/z.ts'] } })));
  assert.equal(wrong.code, 'DELIVERY_INCOMPLETE');
  assert.deepEqual(wrong.data?.missing, ['src/c.ts']);
  assert.equal(wrong.data?.field, 'artifacts.changedFiles');
  // The same names written differently are the same files (./, //, the working tree's absolute path).
  const r = submit(m, submitInput('I-AAAA', { artifacts: { changedFiles: ['./src/a.ts', 'src//b.ts', '/repo/src/c.ts', 'docs/extra.md'] } }));
  assert.deepEqual(r.delivery.artifacts.changedFiles, ['src/a.ts', 'src/b.ts', 'src/c.ts', 'docs/extra.md']);

  // Evidence results align by command text, in order, not by count.
  const m2 = world();
  const swapped = [...COMMANDS].reverse().map((command) => ({ command, passed: true, output: 'x' }));
  const bad = errorOf(() => submit(m2, submitInput('I-AAAA', { testEvidence: { docResults: swapped } })));
  assert.equal(bad.code, 'EVIDENCE_INVALID');
  assert.equal(bad.data?.field, 'testEvidence.docResults[0].command');
  const short = errorOf(() => submit(m2, submitInput('I-AAAA', { testEvidence: { docResults: [{ command: 'npm test', passed: true, output: 'x' }] } })));
  assert.equal(short.code, 'EVIDENCE_INVALID');
  assert.equal(short.data?.missing, COMMANDS[1]);
  const extra = [...COMMANDS, 'rm -rf /'].map((command) => ({ command, passed: true, output: 'x' }));
  assert.equal(errorOf(() => submit(m2, submitInput('I-AAAA', { testEvidence: { docResults: extra } }))).data?.field, 'testEvidence.docResults[2]');

  // The reviewer's verification is matched to the delivery's commands the same way.
  const id = r.delivery.id;
  claim(m);
  const v = errorOf(() => review(m, id, rev1(), { verification: verification({ docResults: swapped }) }));
  assert.equal(v.code, 'EVIDENCE_INVALID');
  assert.equal(v.data?.field, 'verification.docResults[0].command');
  assert.equal(errorOf(() => review(m, id, rev1(), { verification: verification({ docResults: swapped.slice(0, 1) }) })).code, 'EVIDENCE_INVALID');
  assert.equal(errorOf(() => review(m, id, rev1(), { verification: verification({ scriptResult: ' ' }) })).data?.field, 'verification.scriptResult');
  // Approving what failed is refused: reject it instead.
  assert.equal(errorOf(() => review(m, id, rev1(), { verification: verification({ scriptPassed: false }) })).data?.field, 'verification.scriptPassed');
  assert.equal(errorOf(() => review(m, id, rev1(), { verification: verification({ docPassed: false }) })).data?.field, 'verification.docPassed');
  const failedRun = COMMANDS.map((command, i) => ({ command, passed: i === 0, output: 'x' }));
  assert.equal(errorOf(() => review(m, id, rev1(), { verification: verification({ docResults: failedRun }) })).data?.field, 'verification.docResults[1].passed');
  // Rejecting needs feedback; with it, failing checks are exactly what a rejection records.
  assert.equal(codeOf(() => review(m, id, rev1(), { verdict: 'rejected', verification: verification({ scriptPassed: false }) })), 'INVALID_INPUT');
  const rejected = review(m, id, rev1(), { verdict: 'rejected', verification: verification({ scriptPassed: false }), feedback: 'script fails on a clean checkout' }).delivery;
  assert.equal(rejected.status, 'rejected');
  assert.equal(rejected.verification?.scriptPassed, false);
  assert.equal(rejected.feedback, 'script fails on a clean checkout');
  assert.equal(rejected.hold, undefined);
});

test('submit is idempotent while a delivery is pending (S12); after a rejection the planner delivers again', () => {
  const m = world();
  const first = submit(m).delivery;
  const again = submit(m, submitInput('I-AAAA', { summary: 'retry after a timeout' }), lead(5 * SEC));
  assert.equal(again.alreadyPending, true);
  assert.equal(again.delivery.id, first.id);
  assert.equal(m.commits, 1, 'a retry commits nothing');
  claim(m);
  assert.equal(submit(m, submitInput(), lead(6 * SEC)).delivery.id, first.id, 'in review is still pending');
  review(m, first.id, rev1(), { verdict: 'rejected', feedback: 'no' });
  const second = submit(m, submitInput(), lead(7 * SEC));
  assert.equal(second.alreadyPending, false);
  assert.notEqual(second.delivery.id, first.id);
  assert.equal(m.state.deliveries().items.length, 2);
});

test('claim: one per call, oldest first; a given id; a delivery you hold is a no-op; reviewers only', () => {
  const m = world(['I-AAAA', 'I-BBBB', 'I-CCCC']);
  const v = ['I-AAAA', 'I-BBBB', 'I-CCCC'].map((issue, i) => submit(m, submitInput(issue), lead(i * SEC)).delivery.id);
  assert.equal(codeOf(() => claim(m, lead())), 'ROLE_FORBIDDEN');
  const commits = m.commits;
  const a = claim(m, rev1(10 * SEC));
  assert.equal(a.delivery?.id, v[0]);
  assert.equal(a.delivery?.status, 'in_review');
  assert.deepEqual(a.delivery?.hold, { by: 'rev-1', until: isoTime(T0 + 10 * SEC + LEASE) });
  assert.equal(m.commits, commits + 1);
  // Without an id, the caller gets back what it already holds (a retry never takes a second one).
  const again = claim(m, rev1(11 * SEC));
  assert.equal(again.delivery?.id, v[0]);
  assert.equal(again.alreadyHeld, true);
  // With the id of a delivery you hold: no-op success (the documented wait -> claim flow works).
  assert.equal(claim(m, rev1(12 * SEC), { deliveryId: v[0] }).alreadyHeld, true);
  assert.equal(m.commits, commits + 1);
  // Another reviewer gets the next oldest; the held one is refused by id, naming the holder.
  assert.equal(claim(m, rev2(13 * SEC)).delivery?.id, v[1]);
  const held = errorOf(() => claim(m, rev2(14 * SEC), { deliveryId: v[0] }));
  assert.equal(held.code, 'INVALID_TRANSITION');
  assert.equal(held.data?.holder, 'rev-1');
  // A given id that is open is claimed even if it is not the oldest; the issue filter picks within an issue.
  const ctx3 = ctxFor('rev-3', 'reviewer', T0 + 15 * SEC);
  assert.equal(claim(m, ctx3, { issue: 'I-AAAA' }).delivery, null, 'I-AAAA has nothing free');
  assert.equal(claim(m, ctx3, { deliveryId: v[2] }).delivery?.id, v[2]);
  assert.equal(claim(m, ctxFor('rev-4', 'reviewer', T0 + 16 * SEC)).delivery, null);
  assert.equal(codeOf(() => claim(m, rev1(), { deliveryId: 'V-ZZZZ' })), 'DELIVERY_NOT_FOUND');
  review(m, v[0], rev1(17 * SEC));
  assert.equal(codeOf(() => claim(m, rev2(18 * SEC), { deliveryId: v[0] })), 'INVALID_TRANSITION', 'already approved');
});

test('delivery hold expiry: claimable by another reviewer once the hold runs out (clock)', () => {
  const m = world();
  const id = submit(m).delivery.id;
  claim(m, rev1());
  assert.equal(claim(m, rev2(LEASE - SEC)).delivery, null, 'held: nothing for rev-2');
  assert.equal(deliveryGet(m.state, { deliveryId: id }, T0 + LEASE - SEC).delivery.status, 'in_review');
  // After the hold: readers see it open again, the old holder can no longer act on it.
  const late = T0 + LEASE + SEC;
  const seen = deliveryGet(m.state, { deliveryId: id }, late).delivery;
  assert.equal(seen.status, 'open');
  assert.equal(seen.holdExpired, true);
  assert.deepEqual(list(m, { status: 'open' }, late).deliveries.map((d) => d.id), [id]);
  assert.equal(list(m, { status: 'in_review' }, late).total, 0);
  assert.equal(codeOf(() => review(m, id, rev1(LEASE + SEC))), 'LEASE_EXPIRED');
  assert.equal(codeOf(() => m.run(ops.deliveryExtendLease, { deliveryId: id }, rev1(LEASE + SEC))), 'LEASE_EXPIRED');
  const taken = claim(m, rev2(LEASE + 2 * SEC));
  assert.equal(taken.delivery?.id, id);
  assert.equal(taken.expiredFrom, 'rev-1');
  assert.equal(taken.delivery?.hold?.by, 'rev-2');
  assert.equal(codeOf(() => review(m, id, rev1(LEASE + 3 * SEC))), 'NOT_OWNER');
  const done = review(m, id, rev2(LEASE + 4 * SEC)).delivery;
  assert.equal(done.status, 'approved');
  assert.equal(done.reviewedBy, 'rev-2');
  assert.equal(done.reviewedAt, isoTime(T0 + LEASE + 4 * SEC));
});

test('delivery_extend_lease: holder only, live hold only, never shortens; review needs the hold', () => {
  const m = world();
  const id = submit(m).delivery.id;
  const extend = (ctx = rev1(), extendSec?: number) => m.run(ops.deliveryExtendLease, { deliveryId: id, extendSec }, ctx);
  assert.equal(codeOf(() => extend()), 'INVALID_TRANSITION', 'open: nothing to extend');
  assert.equal(codeOf(() => review(m, id)), 'INVALID_TRANSITION', 'open: claim first');
  claim(m, rev1());
  assert.equal(codeOf(() => extend(rev2())), 'NOT_OWNER');
  assert.equal(codeOf(() => review(m, id, rev2())), 'NOT_OWNER');
  const commits = m.commits;
  const same = extend(rev1(10 * SEC), 60);
  assert.equal(same.extended, false, 'now + 60 s is before the current end');
  assert.equal(same.delivery.hold?.until, isoTime(T0 + LEASE));
  assert.equal(m.commits, commits);
  const longer = extend(rev1(20 * SEC), 86_400);
  assert.equal(longer.extended, true);
  assert.equal(longer.delivery.hold?.until, isoTime(T0 + 20 * SEC + 86_400 * SEC));
  // The default is the delivery lease setting, and it never moves the end earlier.
  assert.equal(extend(rev1(30 * SEC)).delivery.hold?.until, isoTime(T0 + 20 * SEC + 86_400 * SEC));
  assert.deepEqual(invalidFields(() => extend(rev1(), 30)), ['extendSec'], 'extendSec is 60..86400');
  // Far past the old end, but inside the extended hold: still rev-1's to review.
  assert.equal(review(m, id, rev1(LEASE + 60 * SEC)).delivery.status, 'approved');
});

test('delivery_list filters: status, issue, deliverer, reviewer; newest first; paging; compact rows', () => {
  const m = world(['I-AAAA', 'I-BBBB', 'I-CCCC']);
  const va = submit(m, submitInput('I-AAAA'), lead(1 * SEC)).delivery.id;
  const vb = submit(m, submitInput('I-BBBB'), ctxFor('lead-2', 'planner', T0 + 2 * SEC)).delivery.id;
  const vc = submit(m, submitInput('I-CCCC'), lead(3 * SEC)).delivery.id;
  claim(m, rev1(4 * SEC), { deliveryId: va });
  review(m, va, rev1(5 * SEC));
  claim(m, rev2(6 * SEC), { deliveryId: vb });
  review(m, vb, rev2(7 * SEC), { verdict: 'rejected', feedback: 'broken' });
  claim(m, rev1(8 * SEC), { deliveryId: vc });
  const ids = (input: Record<string, unknown>) => list(m, input, T0 + 9 * SEC).deliveries.map((d) => d.id);
  assert.deepEqual(ids({}), [vc, vb, va], 'newest first');
  assert.deepEqual(ids({ status: 'approved' }), [va]);
  assert.deepEqual(ids({ status: 'rejected' }), [vb]);
  assert.deepEqual(ids({ status: 'in_review' }), [vc]);
  assert.deepEqual(ids({ status: 'open' }), []);
  assert.deepEqual(ids({ issue: 'I-BBBB' }), [vb]);
  assert.deepEqual(ids({ deliveredBy: 'lead' }), [vc, va]);
  assert.deepEqual(ids({ reviewedBy: 'rev-1' }), [va]);
  const page = list(m, { limit: 2 }, T0 + 9 * SEC);
  assert.deepEqual([page.total, page.hasMore, page.deliveries.length], [3, true, 2]);
  const rest = list(m, { limit: 2, offset: 2 }, T0 + 9 * SEC);
  assert.deepEqual([rest.hasMore, rest.deliveries.map((d) => d.id)], [false, [va]]);
  assert.deepEqual(invalidFields(validate(deliveryListInput, { limit: 201 })), ['limit'], 'limit is capped at 200');
  const row = page.deliveries[0] as unknown as Record<string, unknown>;
  for (const heavy of ['artifacts', 'testEvidence', 'verification', 'feedback']) assert.equal(row[heavy], undefined, `${heavy} is not in a row`);
  assert.equal(row.testResult, 'passed');
  assert.equal(codeOf(() => deliveryGet(m.state, { deliveryId: 'V-ZZZZ' }, T0)), 'DELIVERY_NOT_FOUND');
  assert.equal(deliveryGet(m.state, { deliveryId: vb }, T0).delivery.feedback, 'broken');
});

test('acceptance bundle (pure): tasks by id, totals, unions over done tasks, doc contents capped', () => {
  const m = world();
  put(m, paths.task('T-0AA0'), taskFile('T-0AA0', 'I-AAAA', [], { status: 'in_progress', submission: undefined, review: undefined, claim: { by: 'impl-1', at: isoTime(T0), expiresAt: isoTime(T0 + LEASE) } }));
  m.putText('docs/issues/I-AAAA/user.md', '# What the user wants\nlogin\n');
  m.putText('docs/issues/I-AAAA/notes/design.md', 'x'.repeat(BUNDLE_DOC_CAP + 10));
  m.putText('docs/tasks/T-0AA1/spec.md', '# Spec of T-0AA1\n');
  m.putText('docs/issues/I-BBBB/other.md', 'not this issue');
  const b = acceptanceBundle(m.state, { issue: 'I-AAAA' }, T0, '/repo');
  assert.equal(b.issue.id, 'I-AAAA');
  assert.deepEqual(b.tasks.map((t) => t.id), ['T-0AA0', 'T-0AA1', 'T-0AA2', 'T-0AA3']);
  assert.deepEqual(b.totals, { tasks: 4, done: 2, canceled: 1, notDone: ['T-0AA0:in_progress'] });
  const t1 = b.tasks[1]!;
  assert.deepEqual([t1.summary, t1.testResult, t1.verdict, t1.score, t1.reviewSummary, t1.points], ['did T-0AA1', 'passed', 'approved', 5, 'fine T-0AA1', 3]);
  assert.deepEqual(t1.changedFiles, ['src/a.ts', 'src/b.ts']);
  assert.deepEqual(b.changedFiles, ['src/a.ts', 'src/b.ts', 'src/c.ts'], 'canceled work is not delivered');
  assert.deepEqual(b.testCases, ['case T-0AA1', 'case T-0AA2']);
  assert.deepEqual(b.links, ['https://ci/T-0AA1', 'https://ci/T-0AA2']);
  assert.deepEqual(b.reviewedRefs, ['ref-T-0AA1', 'ref-T-0AA2']);
  assert.deepEqual(b.submitters, ['impl-1']);
  assert.deepEqual(b.docs.issue.map((d) => [d.name, d.content.length, d.truncated]), [
    ['notes/design', BUNDLE_DOC_CAP, true],
    ['user', '# What the user wants\nlogin\n'.length, undefined],
  ]);
  assert.deepEqual(b.docs.tasks, { 'T-0AA1': [{ name: 'spec', content: '# Spec of T-0AA1\n' }] });
  assert.deepEqual(b.deliveries, []);
  const id = (() => {
    put(m, paths.task('T-0AA0'), taskFile('T-0AA0', 'I-AAAA', []));
    return submit(m).delivery.id;
  })();
  assert.deepEqual(acceptanceBundle(m.state, { issue: 'I-AAAA' }, T0, '/repo').deliveries.map((d) => [d.id, d.status]), [[id, 'open']]);
  assert.equal(codeOf(() => acceptanceBundle(m.state, { issue: 'I-ZZZZ' }, T0, null)), 'ISSUE_NOT_FOUND');
});

// ---- MCP stdio: real processes ----

/** Write an issue with done tasks (and docs) straight into the state ref, as the issue tools would leave it. */
function seedIssue(repo: string, issue: string, n: number): void {
  const files: [string, unknown][] = [
    [paths.issue(issue), issueFile(issue, { createdAt: isoTime(Date.now()), updatedAt: isoTime(Date.now()), leaseExpiresAt: isoTime(Date.now() + 7200 * SEC) })],
    [paths.task(`T-${n}AA1`), taskFile(`T-${n}AA1`, issue, ['src/a.ts', './src//b.ts'])],
    [paths.task(`T-${n}AA2`), taskFile(`T-${n}AA2`, issue, ['src/c.ts'])],
  ];
  for (const [path, value] of files) gitEditState(repo, path, encodeFile(path, value), `seed ${path}`);
  gitEditState(repo, `docs/issues/${issue}/user.md`, `# Request for ${issue}\nMake login work.\n`, 'seed doc');
  gitEditState(repo, `docs/tasks/T-${n}AA1/spec.md`, `# Spec T-${n}AA1\n`, 'seed doc');
}

type D = Delivery & { holdExpired?: true };

test('MCP: submit with wait returns the verdict once another process reviews (delivery_wait -> delivery_review)', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'lead');
  const reviewer = await initAgent(repo, 'reviewer', 'rev-1');
  seedIssue(repo, 'I-AAAA', 0);
  const waiting = planner.call<{ delivery: D; verdict: string; timedOut?: boolean }>('delivery_submit', { ...submitInput('I-AAAA'), wait: true, timeoutSec: 30 });
  const got = await reviewer.call<{ delivery: D; timedOut: boolean; alreadyHeld: boolean }>('delivery_wait', { timeoutSec: 30 });
  assert.equal(got.timedOut, false);
  assert.equal(got.delivery.status, 'in_review');
  assert.equal(got.delivery.hold?.by, 'rev-1');
  // The documented flow: claiming after delivery_wait succeeds (S10: it used to always fail).
  const again = await reviewer.call<{ alreadyHeld: boolean }>('delivery_claim', { deliveryId: got.delivery.id });
  assert.equal(again.alreadyHeld, true);
  const reviewed = await reviewer.call<{ delivery: D }>('delivery_review', { deliveryId: got.delivery.id, verdict: 'approved', verification: verification() });
  assert.equal(reviewed.delivery.status, 'approved');
  const r = await waiting;
  assert.equal(r.timedOut, undefined);
  assert.equal(r.verdict, 'approved');
  assert.equal(r.delivery.id, got.delivery.id);
  assert.equal(r.delivery.reviewedBy, 'rev-1');
  // Role gates: the planner cannot review, the reviewer cannot deliver.
  assert.equal((await toolError(planner.call('delivery_review', { deliveryId: got.delivery.id, verdict: 'approved', verification: verification() }))).code, 'ROLE_FORBIDDEN');
  assert.equal((await toolError(reviewer.call('delivery_submit', submitInput('I-AAAA')))).code, 'ROLE_FORBIDDEN');
  const listed = await planner.call<{ deliveries: { id: string; status: string }[] }>('delivery_list', { status: 'approved' });
  assert.deepEqual(listed.deliveries.map((d) => d.id), [got.delivery.id]);
  const subjects = stateSubjects(repo).filter((s) => s.startsWith('delivery.'));
  assert.deepEqual(subjects.map((s) => s.split(' ')[0]), ['delivery.submit', 'delivery.claim', 'delivery.review']);
});

test('S10: delivery_wait claims one delivery per call, oldest first, for the real reviewer; review by another reviewer is refused', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'lead');
  const r1 = await initAgent(repo, 'reviewer', 'rev-1');
  const r2 = await initAgent(repo, 'reviewer', 'rev-2');
  seedIssue(repo, 'I-AAAA', 0);
  seedIssue(repo, 'I-BBBB', 1);
  const va = (await planner.call<{ delivery: D }>('delivery_submit', submitInput('I-AAAA'))).delivery.id;
  const vb = (await planner.call<{ delivery: D }>('delivery_submit', submitInput('I-BBBB'))).delivery.id;
  const first = await r1.call<{ delivery: D; alreadyHeld: boolean }>('delivery_wait', { timeoutSec: 5 });
  assert.equal(first.delivery.id, va, 'oldest first');
  assert.equal(first.delivery.hold?.by, 'rev-1', 'held by the real reviewer name');
  // One per call: the other delivery is still open, and a second call returns the one already held.
  assert.equal((await r1.call<{ delivery: D }>('delivery_get', { deliveryId: vb })).delivery.status, 'open');
  const repeat = await r1.call<{ delivery: D; alreadyHeld: boolean }>('delivery_wait', { timeoutSec: 5 });
  assert.deepEqual([repeat.delivery.id, repeat.alreadyHeld], [va, true]);
  const second = await r2.call<{ delivery: D }>('delivery_wait', { timeoutSec: 5 });
  assert.equal(second.delivery.id, vb);
  assert.equal(second.delivery.hold?.by, 'rev-2');
  assert.equal((await toolError(r2.call('delivery_review', { deliveryId: va, verdict: 'approved', verification: verification() }))).code, 'NOT_OWNER');
  assert.equal((await toolError(r2.call('delivery_claim', { deliveryId: va }))).code, 'INVALID_TRANSITION');
  const own = await r2.call<{ delivery: D; alreadyHeld: boolean }>('delivery_wait', { timeoutSec: 0 });
  assert.deepEqual([own.delivery.id, own.alreadyHeld], [vb, true], 'rev-2 gets its own held delivery back');
  await r1.call('delivery_review', { deliveryId: va, verdict: 'rejected', verification: verification({ docPassed: false }), feedback: 'health check fails' });
  const empty = await r1.call<{ delivery: null; timedOut: boolean }>('delivery_wait', { timeoutSec: 1 });
  assert.deepEqual([empty.delivery, empty.timedOut], [null, true]);
  const ext = await r2.call<{ delivery: D; extended: boolean }>('delivery_extend_lease', { deliveryId: vb, extendSec: 86_400 });
  assert.equal(ext.extended, true);
  assert.equal((await toolError(r1.call('delivery_extend_lease', { deliveryId: vb }))).code, 'NOT_OWNER');
});

test('S12: delivery_submit timeout is a result and a retry returns the pending delivery', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'lead');
  seedIssue(repo, 'I-AAAA', 0);
  const t = await planner.call<{ timedOut: boolean; delivery: D; cursor: string; alreadyPending: boolean }>('delivery_submit', { ...submitInput('I-AAAA'), wait: true, timeoutSec: 1 });
  assert.equal(t.timedOut, true);
  assert.equal(t.delivery.status, 'open');
  assert.match(t.cursor, /^[0-9a-f]{40}$/);
  assert.equal(t.alreadyPending, false);
  const retry = await planner.call<{ timedOut: boolean; delivery: D; alreadyPending: boolean }>('delivery_submit', { ...submitInput('I-AAAA'), wait: true, timeoutSec: 1 });
  assert.equal(retry.timedOut, true);
  assert.equal(retry.delivery.id, t.delivery.id);
  assert.equal(retry.alreadyPending, true);
  const plain = await planner.call<{ delivery: D; alreadyPending: boolean }>('delivery_submit', submitInput('I-AAAA'));
  assert.deepEqual([plain.delivery.id, plain.alreadyPending], [t.delivery.id, true]);
  assert.equal(stateSubjects(repo).filter((s) => s.startsWith('delivery.submit')).length, 1, 'retries create nothing');
  assert.equal((await planner.call<{ total: number }>('delivery_list', {})).total, 1);
});

test('S20: acceptance_bundle includes doc contents and the issue events', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'lead');
  const reviewer = await initAgent(repo, 'reviewer', 'rev-1');
  seedIssue(repo, 'I-AAAA', 0);
  seedIssue(repo, 'I-BBBB', 1);
  const id = (await planner.call<{ delivery: D }>('delivery_submit', submitInput('I-AAAA'))).delivery.id;
  await planner.call('delivery_submit', submitInput('I-BBBB'));
  await reviewer.call('delivery_claim', { deliveryId: id });
  await reviewer.call('delivery_review', { deliveryId: id, verdict: 'approved', verification: verification() });
  type Bundle = {
    issue: { id: string };
    tasks: { id: string; status: string }[];
    docs: { issue: { name: string; content: string }[]; tasks: Record<string, { name: string; content: string }[]> };
    deliveries: { id: string; status: string }[];
    events: { op: string; entities: string[] }[];
    changedFiles: string[];
  };
  const b = await reviewer.call<Bundle>('acceptance_bundle', { issue: 'I-AAAA' });
  assert.deepEqual(b.docs.issue, [{ name: 'user', content: '# Request for I-AAAA\nMake login work.\n' }]);
  assert.deepEqual(b.docs.tasks, { 'T-0AA1': [{ name: 'spec', content: '# Spec T-0AA1\n' }] });
  assert.deepEqual(b.changedFiles, ['src/a.ts', 'src/b.ts', 'src/c.ts']);
  assert.deepEqual(b.deliveries.map((d) => [d.id, d.status]), [[id, 'approved']]);
  // The approval is in the issue's history (it used to leave no trace), oldest first, and only this issue's events.
  assert.deepEqual(b.events.map((e) => e.op), ['delivery.submit', 'delivery.claim', 'delivery.review']);
  for (const e of b.events) assert.ok(e.entities.includes('I-AAAA'));
  const forPlanner = await planner.call<Bundle>('acceptance_bundle', { issue: 'I-BBBB' });
  assert.deepEqual(forPlanner.events.map((e) => e.op), ['delivery.submit']);
});
