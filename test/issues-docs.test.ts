// Issues, issue tasks and the docs library: pure op rules (leases with an injected clock), then MCP stdio and the CLI.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { activityChanges } from '../src/state/activity.js';
import { docName, docPlace } from '../src/state/docs.js';
import { issueRenewal } from '../src/state/issues.js';
import { META_PATH, paths } from '../src/state/core/layout.js';
import { ops } from '../src/state/ops/index.js';
import { docList, docListInput, docRead, docReadInput } from '../src/state/queries/doc-list.js';
import { issueGet, issueList, issueListInput } from '../src/state/queries/issue-list.js';
import { taskList, taskListInput } from '../src/state/queries/task-list.js';
import type { Delivery, Issue, Task } from '../src/state/core/schema.js';
import { cli, fsckStrict, git, initAgent, makeRepo, stateSubjects, toolError } from './helpers.js';
import { codeOf, ctxFor, errorOf, invalidFields, MemoryState, validate } from './memory-state.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const planner = (ms = 0) => ctxFor('planner-1', 'planner', T0 + ms);
const impl1 = (ms = 0) => ctxFor('impl-1', 'implementer', T0 + ms);
const impl2 = (ms = 0) => ctxFor('impl-2', 'implementer', T0 + ms);

function createIssue(m: MemoryState, ctx = planner(), extra: Record<string, unknown> = {}): Issue {
  return m.run(ops.issueCreate, { subject: 'Add login', userDoc: { name: 'request', content: '# Users want login\n' }, leadDoc: { name: 'plan.md', content: '# Plan\n' }, ...extra }, ctx).issue;
}

function createTask(m: MemoryState, issue: string | undefined, ctx = planner(), extra: Record<string, unknown> = {}): Task {
  return m.run(ops.taskCreate, { title: 'Login form', issue, ...extra }, ctx).task;
}

function approvedDelivery(id: string, issue: string, at: number): Delivery {
  const t = new Date(at).toISOString();
  return {
    id,
    issue,
    summary: 'works',
    status: 'approved',
    artifacts: { testResult: 'passed', testCases: ['login'], changedFiles: ['src/a.ts'], reviewedRefs: ['abc'] },
    testEvidence: {
      scriptPath: 'test.sh',
      scriptCmd: 'sh test.sh',
      scriptPassed: true,
      scriptResult: 'ok',
      docPath: 'steps.md',
      docCommands: ['npm test'],
      docResults: [{ command: 'npm test', passed: true, output: 'ok' }],
      docPassed: true,
    },
    deliveredBy: 'planner-1',
    deliveredAt: t,
    reviewedBy: 'rev-1',
    reviewedAt: t,
    updatedAt: t,
  } as Delivery;
}

const list = (m: MemoryState, input: Record<string, unknown>, now = T0) => issueList(m.state, issueListInput.parse(input), now);

// ---- docs library (pure) ----

test('S5: doc names and ids with path characters are refused', () => {
  const m = new MemoryState();
  for (const bad of ['../x', '/etc/x', 'a/../../b', 'a\\b', '..', '.', 'a//b', 'a/', '.hidden', 'a/./b', 'C:\\x', '~/x', 'a b', '', '.md', 'x.md.md', 'a.md/b']) {
    assert.equal(codeOf(() => docName(bad)), 'INVALID_INPUT', JSON.stringify(bad));
    assert.equal(codeOf(() => m.run(ops.docWrite, { scope: 'shared', name: bad || 'x/', content: 'hi' }, planner())), 'INVALID_INPUT', JSON.stringify(bad));
  }
  assert.equal(codeOf(() => docName('a'.repeat(101))), 'INVALID_INPUT', 'segment over 100 characters');
  assert.equal(codeOf(() => docName(Array(9).fill('a').join('/'))), 'INVALID_INPUT', 'more than 8 levels');
  assert.equal(docName(Array(8).fill('a').join('/')), 'a/a/a/a/a/a/a/a');
  // Owner ids must be ids: the folder can never be escaped through them either.
  for (const issue of ['../I', 'I-AAAA/../../x', '/etc', 'I-AAAA/x']) {
    assert.equal(codeOf(() => docPlace({ scope: 'issue', issue })), 'INVALID_INPUT', issue);
    assert.equal(ops.docWrite.input.safeParse({ scope: 'issue', issue, name: 'x', content: 'hi' }).success, false, `input schema refuses ${issue}`);
    assert.equal(docReadInput.safeParse({ scope: 'issue', issue, name: 'x' }).success, false);
  }
  assert.equal(codeOf(() => docPlace({ scope: 'task', task: '../T' })), 'INVALID_INPUT');
  assert.equal(m.commits, 0, 'nothing was written');
  assert.deepEqual([...m.files.keys()], []);
});

test('docs: the scope and owner combination is checked; writers are planners, or the owner for task docs', () => {
  const m = new MemoryState();
  assert.equal(codeOf(() => docPlace({ scope: 'issue' })), 'INVALID_INPUT');
  assert.equal(codeOf(() => docPlace({ scope: 'task' })), 'INVALID_INPUT');
  assert.equal(codeOf(() => docPlace({ scope: 'shared', issue: 'I-AAAA' })), 'INVALID_INPUT');
  assert.equal(codeOf(() => docPlace({ scope: 'issue', issue: 'I-AAAA', task: 'T-AAAA' })), 'INVALID_INPUT');
  assert.equal(codeOf(() => docPlace({ scope: 'task', task: 'T-AAAA', issue: 'I-AAAA' })), 'INVALID_INPUT');
  assert.equal(codeOf(() => m.run(ops.docWrite, { scope: 'issue', issue: 'I-AAAA', name: 'x', content: 'hi' }, planner())), 'ISSUE_NOT_FOUND');
  assert.equal(codeOf(() => m.run(ops.docWrite, { scope: 'task', task: 'T-AAAA', name: 'x', content: 'hi' }, planner())), 'TASK_NOT_FOUND');
  assert.equal(codeOf(() => docList(m.state, docListInput.parse({ scope: 'issue', issue: 'I-AAAA' }))), 'ISSUE_NOT_FOUND', 'no silent empty list for a typo');
  assert.deepEqual(docList(m.state, docListInput.parse({ scope: 'shared' })).names, []);

  const issue = createIssue(m);
  const task = createTask(m, issue.id);
  assert.equal(codeOf(() => m.run(ops.docWrite, { scope: 'shared', name: 'guide', content: 'x' }, impl1())), 'ROLE_FORBIDDEN');
  assert.equal(codeOf(() => m.run(ops.docWrite, { scope: 'issue', issue: issue.id, name: 'notes', content: 'x' }, impl1())), 'ROLE_FORBIDDEN');
  assert.equal(codeOf(() => m.run(ops.docWrite, { scope: 'task', task: task.id, name: 'notes', content: 'x' }, impl1())), 'NOT_OWNER', 'unclaimed task');
  m.run(ops.taskClaim, { id: task.id }, impl1());
  assert.equal(codeOf(() => m.run(ops.docWrite, { scope: 'task', task: task.id, name: 'notes', content: 'x' }, impl2())), 'NOT_OWNER');
  const w = m.run(ops.docWrite, { scope: 'task', task: task.id, name: 'notes', content: 'found the bug\n' }, impl1());
  assert.deepEqual({ ...w }, { scope: 'task', owner: task.id, name: 'notes', path: `docs/tasks/${task.id}/notes.md`, bytes: 14, changed: true });
  // The owner keeps writing after the claim expires (live claim not required); a planner always can.
  m.run(ops.docWrite, { scope: 'task', task: task.id, name: 'notes', content: 'more\n' }, impl1(10 * HOUR));
  m.run(ops.docWrite, { scope: 'task', task: task.id, name: 'review', content: 'ok\n' }, planner());
  m.run(ops.docWrite, { scope: 'shared', name: 'guide', content: 'g\n' }, planner());
  // Same content again: nothing to commit.
  const before = m.commits;
  assert.equal(m.run(ops.docWrite, { scope: 'shared', name: 'guide.md', content: 'g\n' }, planner()).changed, false);
  assert.equal(m.commits, before);
  // 1 MiB is counted in UTF-8 bytes, not characters.
  assert.equal(codeOf(() => m.run(ops.docWrite, { scope: 'shared', name: 'big', content: 'é'.repeat(600_000) }, planner())), 'INVALID_INPUT');
  assert.deepEqual(invalidFields(validate(ops.docWrite.input, { scope: 'shared', name: 'blank', content: '  \n' })), ['content'], 'blank content is refused');
});

test('S23: a name from doc_list reads back', () => {
  const m = new MemoryState();
  const issue = createIssue(m);
  for (const name of ['guide.md', 'api/errors', 'x.md', 'deep/er/still.md', 'v1.2_notes']) m.run(ops.docWrite, { scope: 'shared', name, content: `# ${name}\n` }, planner());
  // A hand-added file the tools could not address is not listed.
  m.putText('docs/shared/bad name.md', 'x');
  m.putText('docs/shared/readme.txt', 'x');
  const names = docList(m.state, docListInput.parse({ scope: 'shared' })).names;
  assert.deepEqual(names, ['api/errors', 'deep/er/still', 'guide', 'v1.2_notes', 'x']);
  for (const name of names) assert.match(docRead(m.state, docReadInput.parse({ scope: 'shared', name })).content, /^# /, name);
  // guide and guide.md are the same doc.
  assert.equal(docRead(m.state, docReadInput.parse({ scope: 'shared', name: 'guide' })).content, '# guide.md\n');
  assert.equal(docRead(m.state, docReadInput.parse({ scope: 'shared', name: 'x.md' })).path, 'docs/shared/x.md');
  const issueDocs = docList(m.state, docListInput.parse({ scope: 'issue', issue: issue.id }));
  assert.deepEqual(issueDocs.names, ['plan', 'request']);
  for (const name of issueDocs.names) docRead(m.state, docReadInput.parse({ scope: 'issue', issue: issue.id, name }));
  const missing = errorOf(() => docRead(m.state, docReadInput.parse({ scope: 'shared', name: 'nope' })));
  assert.equal(missing.code, 'DOC_NOT_FOUND');
  assert.equal(missing.data?.folder, 'docs/shared');
  assert.equal(codeOf(() => docRead(m.state, docReadInput.parse({ scope: 'issue', issue: 'I-ZZZZ', name: 'plan' }))), 'ISSUE_NOT_FOUND');
});

// ---- issues (pure) ----

test('issue_create: planner only; docs in the same commit; duplicate doc names refused', () => {
  const m = new MemoryState();
  assert.equal(codeOf(() => createIssue(m, impl1())), 'ROLE_FORBIDDEN');
  const issue = createIssue(m, planner(), { otherDocs: [{ name: 'design/api', content: 'api' }], sharedDocPaths: ['guide'], projectDocPaths: ['README.md'] });
  assert.match(issue.id, /^I-[0-9A-Z]{4}$/);
  assert.equal(issue.status, 'open');
  assert.equal(issue.leaseExpiresAt, new Date(T0 + 7200 * 1000).toISOString());
  assert.deepEqual(issue.docs, ['request', 'plan', 'design/api']);
  assert.deepEqual(issue.sharedDocPaths, ['guide']);
  assert.equal(m.commits, 1, 'one commit holds the issue and its docs');
  assert.equal(m.state.doc(`docs/issues/${issue.id}/plan.md`), '# Plan\n');
  assert.equal(m.state.doc(`docs/issues/${issue.id}/design/api.md`), 'api');
  const dup = errorOf(() => createIssue(m, planner(), { leadDoc: { name: 'request.md', content: 'x' } }));
  assert.equal(dup.code, 'INVALID_INPUT');
  assert.equal(codeOf(() => createIssue(m, planner(), { otherDocs: [{ name: '../../x', content: 'x' }] })), 'INVALID_INPUT');
  assert.deepEqual(invalidFields(() => createIssue(m, planner(), { userDoc: { name: 'r', content: ' ' } })), ['userDoc.content'], 'blank doc content');
  assert.deepEqual(invalidFields(() => createIssue(m, planner(), { otherDocs: Array.from({ length: 21 }, (_, i) => ({ name: `d${i}`, content: 'x' })) })), ['otherDocs'], 'at most 20 other docs');
  assert.equal(m.commits, 1);
});

test('issue tasks: task_create with issue and spec writes the spec doc; task_list filters by issue', () => {
  const m = new MemoryState();
  const issue = createIssue(m);
  const other = createIssue(m);
  const first = createTask(m, issue.id);
  const t = createTask(m, issue.id, planner(MIN), {
    labels: ['ui', 'ui'],
    points: 8,
    suggestedFiles: ['src/login.ts'],
    dependsOn: [first.id],
    spec: { goal: 'Users log in', rules: 'No plain passwords', acceptance: 'A test logs in', splitFrom: 'the login epic', splitReason: 'too big', contextTasks: [first.id] },
  });
  assert.equal(t.issue, issue.id);
  assert.equal(t.specDoc, 'spec');
  assert.deepEqual(t.labels, ['ui']);
  assert.equal(t.points, 8);
  const spec = m.state.doc(`docs/tasks/${t.id}/spec.md`)!;
  assert.equal(
    spec,
    `# Spec: Login form\n\n## Goal\n\nUsers log in\n\n## Rules\n\nNo plain passwords\n\n## Acceptance criteria\n\nA test logs in\n\n## Split from\n\nthe login epic\n\nReason: too big\n\n## Context tasks\n\n- ${first.id}\n`,
  );
  assert.ok(!spec.includes('## Constraints'), 'empty sections are left out');
  // A spec needs no issue; its name is a doc name like any other.
  const loose = createTask(m, undefined, planner(), { spec: { name: 'design/spec.md', goal: 'g', acceptance: 'a' } });
  assert.equal(loose.specDoc, 'design/spec');
  assert.deepEqual(docList(m.state, docListInput.parse({ scope: 'task', task: loose.id })).names, ['design/spec']);
  assert.equal(codeOf(() => createTask(m, issue.id, planner(), { spec: { goal: 'g', acceptance: 'a', contextTasks: ['T-ZZZZ'] } })), 'TASK_NOT_FOUND');
  assert.equal(codeOf(() => createTask(m, issue.id, planner(), { spec: { name: '../x', goal: 'g', acceptance: 'a' } })), 'INVALID_INPUT');
  assert.equal(codeOf(() => createTask(m, 'I-ZZZZ')), 'ISSUE_NOT_FOUND');
  createTask(m, other.id);
  // Existing inputs keep working without an issue.
  assert.equal(createTask(m, undefined, planner(), { complexity: 'simple', tags: ['x'] }).issue, undefined);

  const listed = taskList(m.state, taskListInput.parse({ issue: issue.id }));
  assert.deepEqual(listed.tasks.map((x) => x.id), [first.id, t.id]);
  assert.equal(taskList(m.state, taskListInput.parse({ issue: other.id })).total, 1);
  assert.equal(taskList(m.state, taskListInput.parse({})).total, 5);
  const got = issueGet(m.state, { id: issue.id }, T0);
  assert.equal(got.tasks.total, 2);
  assert.equal(got.tasks.todo, 2);
  assert.deepEqual(got.docs, ['plan', 'request']);
});

test('issue tasks: settings.maxTasksPerIssue is enforced inside the op (TASK_LIMIT_REACHED)', () => {
  const m = new MemoryState();
  m.putText(META_PATH, 'format: 1\nsettings:\n  maxTasksPerIssue: 2\n');
  const issue = createIssue(m);
  const other = createIssue(m);
  const a = createTask(m, issue.id);
  createTask(m, issue.id);
  const err = errorOf(() => createTask(m, issue.id));
  assert.equal(err.code, 'TASK_LIMIT_REACHED');
  assert.deepEqual(err.data, { issue: issue.id, count: 2, max: 2 });
  // Canceled tasks still count; other issues and project tasks are not limited by it.
  m.run(ops.taskUpdate, { id: a.id, status: 'canceled' }, planner());
  assert.equal(codeOf(() => createTask(m, issue.id)), 'TASK_LIMIT_REACHED');
  createTask(m, other.id);
  createTask(m, undefined);
  createTask(m, undefined);
  createTask(m, undefined);
});

test('S14: an issue with live work does not expire; an idle one does, and its tasks cannot be created or claimed', () => {
  const m = new MemoryState();
  const issue = createIssue(m); // lease: T0 + 2 h
  const a = createTask(m, issue.id);
  const b = createTask(m, issue.id);
  m.run(ops.taskClaim, { id: a.id }, impl1(90 * MIN)); // claim lease until T0 + 2.5 h

  // Past the issue lease, but impl-1's claim is live: the issue stays open and takes new tasks.
  const t1 = 2 * HOUR + 10 * MIN;
  assert.equal(list(m, { status: 'in_progress' }, T0 + t1).total, 1);
  assert.equal(issueGet(m.state, { id: issue.id }, T0 + t1).issue.expired, undefined);
  createTask(m, issue.id, planner(t1));

  // The claim has expired and nobody works on it: the issue counts as canceled.
  const t2 = 3 * HOUR;
  const got = issueGet(m.state, { id: issue.id }, T0 + t2);
  assert.equal(got.issue.status, 'canceled');
  assert.equal(got.issue.expired, true);
  assert.equal(got.tasks.in_progress, 0, 'the expired claim counts as todo');
  assert.equal(got.tasks.todo, 3);
  assert.deepEqual(list(m, { status: 'canceled' }, T0 + t2).issues.map((r) => [r.id, r.expired]), [[issue.id, true]]);
  assert.equal(list(m, { status: 'open' }, T0 + t2).total, 0);
  assert.equal(codeOf(() => createTask(m, issue.id, planner(t2))), 'ISSUE_CLOSED');
  assert.equal(codeOf(() => m.run(ops.taskClaim, { id: b.id }, impl2(t2))), 'ISSUE_CLOSED');
  assert.equal(codeOf(() => m.run(ops.taskClaim, { id: a.id }, impl2(t2))), 'ISSUE_CLOSED', 'nor taken over');
  assert.equal(codeOf(() => m.run(ops.issueExtendLease, { id: issue.id }, planner(t2))), 'ISSUE_CLOSED', 'an expired lease is not revived by extend');
  assert.equal(m.state.issue(issue.id)!.status, 'in_progress', 'nothing was written: expiry is lazy');

  // Reopen gives a fresh lease; work can go on.
  const r = m.run(ops.issueReopen, { id: issue.id, summary: 'still wanted' }, planner(t2));
  assert.equal(r.from, 'expired');
  assert.equal(r.issue.status, 'open');
  assert.equal(r.issue.leaseExpiresAt, new Date(T0 + t2 + 2 * HOUR).toISOString());
  m.run(ops.taskClaim, { id: b.id }, impl2(t2));
  createTask(m, issue.id, planner(t2));
});

test('S14: activity renews the issue lease (the store adds the renewal to commits that touch its tasks)', () => {
  const m = new MemoryState();
  const issue = createIssue(m); // lease T0 + 2 h, TTL 2 h
  const task = createTask(m, issue.id);
  assert.equal(issueRenewal(m.state, issue.id, planner(30 * MIN)), undefined, 'not due before half-life');
  const due = issueRenewal(m.state, issue.id, planner(61 * MIN));
  assert.equal(due?.path, paths.issue(issue.id));
  assert.equal((due?.value as Issue).leaseExpiresAt, new Date(T0 + 61 * MIN + 2 * HOUR).toISOString());
  // A commit changing one of its tasks carries the renewal.
  const changed = [{ path: paths.task(task.id), value: { ...task, title: 'x' } }];
  const extra = activityChanges(m.state, impl1(90 * MIN), changed);
  assert.deepEqual(extra.map((c) => c.path), [paths.issue(issue.id)]);
  // Done issues are not renewed.
  m.put(paths.issue(issue.id), { ...m.state.issue(issue.id)!, status: 'done' });
  assert.equal(issueRenewal(m.state, issue.id, planner(90 * MIN)), undefined);
});

test('S15: issue_close checks tasks inside the transaction and refuses a canceled issue', () => {
  const m = new MemoryState();
  const issue = createIssue(m);
  // Created a millisecond apart, so the issue's tasks (oldest first) are a, b, c.
  const a = createTask(m, issue.id, planner(1));
  const b = createTask(m, issue.id, planner(2));
  const c = createTask(m, issue.id, planner(3));
  assert.equal(codeOf(() => m.run(ops.issueClose, { id: issue.id, withoutDelivery: true }, impl1())), 'ROLE_FORBIDDEN');
  m.run(ops.taskClaim, { id: a.id }, impl1());
  const open = errorOf(() => m.run(ops.issueClose, { id: issue.id, withoutDelivery: true }, planner()));
  assert.equal(open.code, 'ISSUE_NOT_COMPLETE');
  assert.deepEqual(open.data?.notDone, [`${a.id}:in_progress`, `${b.id}:todo`, `${c.id}:todo`]);
  // An expired claim is reported as the todo it is.
  assert.deepEqual(errorOf(() => m.run(ops.issueClose, { id: issue.id, withoutDelivery: true }, planner(90 * MIN))).data?.notDone, [`${a.id}:todo`, `${b.id}:todo`, `${c.id}:todo`]);

  m.run(ops.taskUpdate, { id: a.id, status: 'done' }, planner());
  m.run(ops.taskUpdate, { id: b.id, status: 'canceled' }, planner());
  assert.deepEqual(errorOf(() => m.run(ops.issueClose, { id: issue.id }, planner())).data?.notDone, [`${c.id}:todo`]);
  m.run(ops.taskUpdate, { id: c.id, status: 'canceled' }, planner());
  // Canceled tasks do not block; a delivery is still required unless waived.
  assert.equal(codeOf(() => m.run(ops.issueClose, { id: issue.id }, planner())), 'DELIVERY_REQUIRED');
  const rejected = { ...approvedDelivery('V-AAAA', issue.id, T0), status: 'rejected' };
  m.put(paths.delivery('V-AAAA'), rejected);
  m.put(paths.delivery('V-BBBB'), approvedDelivery('V-BBBB', 'I-ZZZZ', T0));
  assert.equal(codeOf(() => m.run(ops.issueClose, { id: issue.id }, planner())), 'DELIVERY_REQUIRED', 'rejected or other issues\' deliveries do not count');
  m.put(paths.delivery('V-CCCC'), approvedDelivery('V-CCCC', issue.id, T0 + MIN));
  const closed = m.run(ops.issueClose, { id: issue.id, summary: 'shipped' }, planner(2 * MIN)).issue;
  assert.equal(closed.status, 'done');
  assert.equal(closed.delivery, 'V-CCCC');
  assert.equal(closed.closedBy, 'planner-1');
  assert.equal(closed.summary, 'shipped');
  assert.equal(closed.closedAt, new Date(T0 + 2 * MIN).toISOString());
  assert.equal(codeOf(() => m.run(ops.issueClose, { id: issue.id }, planner())), 'ISSUE_CLOSED', 'closing twice');

  // A canceled issue (stored, or expired) cannot be closed as done.
  const stored = createIssue(m);
  m.put(paths.issue(stored.id), { ...stored, status: 'canceled' });
  assert.equal(codeOf(() => m.run(ops.issueClose, { id: stored.id, withoutDelivery: true }, planner())), 'ISSUE_CLOSED');
  const idle = createIssue(m);
  assert.equal(codeOf(() => m.run(ops.issueClose, { id: idle.id, withoutDelivery: true }, planner(3 * HOUR))), 'ISSUE_CLOSED');
  // withoutDelivery is recorded.
  const waived = m.run(ops.issueClose, { id: idle.id, withoutDelivery: true }, planner(HOUR)).issue;
  assert.equal(waived.closedWithoutDelivery, true);
  assert.equal(waived.delivery, undefined);
  assert.equal(codeOf(() => m.run(ops.issueClose, { id: 'I-ZZZZ' }, planner())), 'ISSUE_NOT_FOUND');
});

test('issue_reopen: only done, canceled or expired issues; the close fields go', () => {
  const m = new MemoryState();
  const issue = createIssue(m);
  assert.equal(codeOf(() => m.run(ops.issueReopen, { id: issue.id }, planner())), 'INVALID_TRANSITION');
  m.run(ops.issueClose, { id: issue.id, withoutDelivery: true, summary: 'early' }, planner());
  assert.equal(codeOf(() => m.run(ops.issueReopen, { id: issue.id }, impl1())), 'ROLE_FORBIDDEN');
  const r = m.run(ops.issueReopen, { id: issue.id, summary: 'regression' }, planner(HOUR));
  assert.equal(r.from, 'done');
  assert.equal(r.issue.status, 'open');
  assert.equal(r.issue.leaseExpiresAt, new Date(T0 + 3 * HOUR).toISOString());
  for (const k of ['closedBy', 'closedAt', 'closedWithoutDelivery', 'summary'] as const) assert.equal(r.issue[k], undefined, k);
  const canceled = createIssue(m);
  m.put(paths.issue(canceled.id), { ...canceled, status: 'canceled' });
  assert.equal(m.run(ops.issueReopen, { id: canceled.id }, planner()).from, 'canceled');
  assert.equal(codeOf(() => m.run(ops.issueReopen, { id: 'I-ZZZZ' }, planner())), 'ISSUE_NOT_FOUND');
});

test('issue_extend_lease never shortens; refuses done and expired issues', () => {
  const m = new MemoryState();
  const issue = createIssue(m); // lease T0 + 2 h
  const commits = m.commits;
  const same = m.run(ops.issueExtendLease, { id: issue.id, extendSec: 60 }, planner());
  assert.equal(same.extended, false);
  assert.equal(same.leaseExpiresAt, issue.leaseExpiresAt);
  assert.equal(m.commits, commits, 'no change, no commit');
  const longer = m.run(ops.issueExtendLease, { id: issue.id, extendSec: 86_400 }, planner());
  assert.equal(longer.leaseExpiresAt, new Date(T0 + 86_400_000).toISOString());
  // The default extension (the issue lease setting) is now shorter than what is there: kept.
  assert.equal(m.run(ops.issueExtendLease, { id: issue.id }, planner(HOUR)).extended, false);
  assert.equal(m.run(ops.issueExtendLease, { id: issue.id }, planner(23 * HOUR)).leaseExpiresAt, new Date(T0 + 25 * HOUR).toISOString());
  assert.deepEqual(invalidFields(() => m.run(ops.issueExtendLease, { id: issue.id, extendSec: 59 }, planner())), ['extendSec'], 'extendSec is 60..86400');
  assert.deepEqual(invalidFields(() => m.run(ops.issueExtendLease, { id: issue.id, extendSec: 86_401 }, planner())), ['extendSec']);
  assert.equal(codeOf(() => m.run(ops.issueExtendLease, { id: issue.id }, impl1())), 'ROLE_FORBIDDEN');
  assert.equal(codeOf(() => m.run(ops.issueExtendLease, { id: issue.id }, planner(26 * HOUR))), 'ISSUE_CLOSED', 'expired');
  m.run(ops.issueClose, { id: issue.id, withoutDelivery: true }, planner());
  assert.equal(codeOf(() => m.run(ops.issueExtendLease, { id: issue.id }, planner())), 'ISSUE_CLOSED', 'done');
});

test('issue_update: replaces only the given fields, never the status; no change commits nothing', () => {
  const m = new MemoryState();
  const issue = createIssue(m, planner(), { sharedDocPaths: ['a'], projectDocPaths: ['README.md'] });
  const r = m.run(ops.issueUpdate, { id: issue.id, subject: 'Add login and logout', sharedDocPaths: ['a', 'b'] }, planner(MIN));
  assert.deepEqual(r.changed, ['subject', 'sharedDocPaths']);
  assert.equal(r.issue.subject, 'Add login and logout');
  assert.deepEqual(r.issue.sharedDocPaths, ['a', 'b']);
  assert.deepEqual(r.issue.projectDocPaths, ['README.md'], 'untouched list kept');
  assert.equal(r.issue.updatedAt, new Date(T0 + MIN).toISOString());
  const commits = m.commits;
  assert.deepEqual(m.run(ops.issueUpdate, { id: issue.id, subject: 'Add login and logout' }, planner()).changed, []);
  assert.equal(m.commits, commits);
  // status is not an input: it is dropped, so nothing changes.
  assert.equal(m.run(ops.issueUpdate, { id: issue.id, status: 'done' } as never, planner()).issue.status, 'open');
  assert.equal(codeOf(() => m.run(ops.issueUpdate, { id: issue.id, subject: 'x' }, impl1())), 'ROLE_FORBIDDEN');
  assert.equal(codeOf(() => m.run(ops.issueUpdate, { id: 'I-ZZZZ', subject: 'x' }, planner())), 'ISSUE_NOT_FOUND');
  m.run(ops.issueClose, { id: issue.id, withoutDelivery: true }, planner());
  assert.equal(m.run(ops.issueUpdate, { id: issue.id, description: 'later note' }, planner()).issue.status, 'done', 'a done issue can still be edited');
});

test('issue_list: effective status filter, subject filter, sort, pagination and the 200 cap', () => {
  const m = new MemoryState();
  const ids: string[] = [];
  for (let i = 0; i < 205; i++) ids.push(createIssue(m, planner(i * MIN), { subject: i % 2 ? `Odd issue ${i}` : `Even LOGIN ${i}` }).id);
  let r = list(m, { limit: 1000 }, T0 + 205 * MIN);
  assert.equal(r.issues.length, 200, 'a page holds at most 200');
  assert.equal(r.total, 205);
  assert.equal(r.hasMore, true);
  assert.equal(r.issues[0]!.id, ids[204], 'newest first by default');
  r = list(m, { order: 'asc', offset: 200 }, T0 + 205 * MIN);
  assert.deepEqual(r.issues.map((x) => x.id), ids.slice(200));
  assert.equal(r.hasMore, false);
  assert.equal(list(m, {}, T0 + 205 * MIN).issues.length, 50, 'default limit');
  assert.equal(list(m, { subjectContains: 'login' }, T0 + 205 * MIN).total, 103, 'case-insensitive');
  // updatedAt sort: an edit moves an issue to the front.
  m.run(ops.issueUpdate, { id: ids[3]!, description: 'edited' }, planner(300 * MIN));
  assert.equal(list(m, { sortBy: 'updatedAt', limit: 1 }, T0 + 300 * MIN).issues[0]!.id, ids[3]);
  // Status is the effective one: the oldest leases (2 h) have run out by T0 + 205 min.
  const now = T0 + 205 * MIN;
  const expired = list(m, { status: 'canceled', limit: 200 }, now);
  assert.equal(expired.total, 86, 'issues created before T0 + 85 min have expired');
  assert.ok(expired.issues.every((x) => x.expired === true));
  assert.equal(list(m, { status: 'open', limit: 200 }, now).total, 205 - 86);
  m.run(ops.issueClose, { id: ids[204]!, withoutDelivery: true }, planner(205 * MIN));
  assert.deepEqual(list(m, { status: 'done' }, now).issues.map((x) => [x.id, x.status]), [[ids[204], 'done']]);
  const rowKeys = Object.keys(list(m, { limit: 1 }, now).issues[0]!).sort();
  assert.deepEqual(rowKeys, ['createdAt', 'expired', 'id', 'leaseExpiresAt', 'status', 'subject', 'tasks', 'updatedAt']);
  assert.deepEqual(invalidFields(validate(issueListInput, { status: 'closed' })), ['status']);
  // A corrupt issue file is listed, not fatal.
  m.putText('issues/I-QQQQ.yaml', 'id: I-QQQQ\nstatus: nope\n');
  assert.deepEqual(list(m, {}, now).corrupt.map((c) => c.path), ['issues/I-QQQQ.yaml']);
});

// ---- MCP stdio ----

test('MCP: issue and docs tools end to end (roles, issue_wait, issue tasks with specs, task docs, close and reopen)', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const reviewer = await initAgent(repo, 'reviewer', 'rev-1');
  const toolNames = async (c: typeof planner) => (await c.client.listTools()).tools.map((t) => t.name);
  const [p, i, r] = [await toolNames(planner), await toolNames(impl), await toolNames(reviewer)];
  for (const t of ['issue_create', 'issue_update', 'issue_close', 'issue_reopen', 'issue_extend_lease', 'doc_write']) assert.ok(p.includes(t), t);
  for (const t of ['issue_wait', 'doc_write', 'issue_get', 'issue_list', 'doc_read', 'doc_list']) assert.ok(i.includes(t), t);
  assert.ok(!p.includes('issue_wait') && !i.includes('issue_create') && !r.includes('doc_write') && !r.includes('issue_wait') && r.includes('doc_read'));

  // issue_wait with nothing there: a timeout is a result, not an error.
  const started = Date.now();
  const empty = await impl.call<{ issues: unknown[]; timedOut: boolean; cursor: string | null }>('issue_wait', { timeoutSec: 1 });
  assert.equal(empty.timedOut, true);
  assert.deepEqual(empty.issues, []);
  assert.ok(Date.now() - started < 10_000);

  // A waiting implementer wakes when the issue appears.
  const waiting = impl.call<{ issues: { id: string; status: string }[]; timedOut: boolean }>('issue_wait', { timeoutSec: 20 });
  const { issue } = await planner.call<{ issue: Issue }>('issue_create', {
    subject: 'Add login',
    userDoc: { name: 'request', content: 'Users want login' },
    leadDoc: { name: 'plan', content: 'Form, then API' },
  });
  const woke = await waiting;
  assert.equal(woke.timedOut, false);
  assert.deepEqual(woke.issues.map((x) => x.id), [issue.id]);
  // And it returns at once when matching issues exist.
  assert.equal((await impl.call<{ issues: unknown[] }>('issue_wait', { timeoutSec: 1 })).issues.length, 1);
  assert.equal((await impl.call<{ timedOut: boolean }>('issue_wait', { status: 'done', timeoutSec: 1 })).timedOut, true);

  const subjects = stateSubjects(repo);
  assert.equal(subjects.at(-1), `issue.create ${issue.id} -> open by planner-1`);
  const files = git(repo, 'show', '--name-only', '--format=', 'refs/lockstep/state').split('\n').sort();
  assert.deepEqual(files, [`docs/issues/${issue.id}/plan.md`, `docs/issues/${issue.id}/request.md`, `issues/${issue.id}.yaml`], 'issue and docs in one commit');

  await planner.call('doc_write', { scope: 'shared', name: 'guides/style.md', content: '# Style\n' });

  // S23 over MCP: every listed name reads back.
  await planner.call('doc_write', { scope: 'shared', name: 'x.md', content: 'x' });
  const listed = await impl.call<{ names: string[] }>('doc_list', { scope: 'shared' });
  assert.deepEqual(listed.names, ['guides/style', 'x']);
  for (const name of listed.names) assert.ok((await impl.call<{ content: string }>('doc_read', { scope: 'shared', name })).content.length > 0);

  // S5 over MCP: names and ids with path characters never reach the state.
  const n = stateSubjects(repo).length;
  for (const name of ['../x', '/etc/x', 'a/../../b', 'a\\b']) assert.equal((await toolError(planner.call('doc_write', { scope: 'shared', name, content: 'x' }))).code, 'INVALID_INPUT', name);
  assert.equal((await toolError(impl.call('doc_read', { scope: 'issue', issue: '../I', name: 'x' }))).code, 'INVALID_INPUT');
  assert.equal((await toolError(impl.call('doc_list', { scope: 'task', task: '../../etc' }))).code, 'INVALID_INPUT');
  assert.equal((await toolError(impl.call('doc_read', { scope: 'shared', name: 'nope' }))).code, 'DOC_NOT_FOUND');
  assert.equal(stateSubjects(repo).length, n);

  // Issue tasks with a spec; the implementer claims one and writes its task doc.
  const { task } = await planner.call<{ task: Task }>('task_create', { title: 'Login form', issue: issue.id, points: 3, spec: { goal: 'A form', acceptance: 'It submits' } });
  assert.equal(stateSubjects(repo).at(-1), `task.create ${task.id} by planner-1`);
  assert.equal(git(repo, 'log', '-1', '--format=%(trailers:key=Lockstep-Entity,valueonly,separator=%x2C)', 'refs/lockstep/state'), `${task.id},${issue.id}`);
  const spec = await impl.call<{ content: string }>('doc_read', { scope: 'task', task: task.id, name: 'spec' });
  assert.match(spec.content, /^# Spec: Login form\n\n## Goal\n\nA form\n/);
  assert.equal((await toolError(impl.call('doc_write', { scope: 'task', task: task.id, name: 'notes', content: 'x' }))).code, 'NOT_OWNER');
  await impl.call('task_claim', { id: task.id });
  await impl.call('doc_write', { scope: 'task', task: task.id, name: 'notes', content: 'progress' });
  assert.deepEqual((await reviewer.call<{ names: string[] }>('doc_list', { scope: 'task', task: task.id })).names, ['notes', 'spec']);
  assert.equal((await toolError(impl.call('doc_write', { scope: 'shared', name: 'x', content: 'x' }))).code, 'ROLE_FORBIDDEN');
  assert.deepEqual((await impl.call<{ tasks: Task[] }>('task_list', { issue: issue.id })).tasks.map((t) => t.id), [task.id]);

  const got = await reviewer.call<{ issue: Issue; tasks: Record<string, number>; docs: string[] }>('issue_get', { id: issue.id });
  assert.equal(got.issue.status, 'in_progress', 'the first claim moved it');
  assert.equal(got.tasks.in_progress, 1);
  assert.deepEqual(got.docs, ['plan', 'request']);
  assert.equal((await impl.call<{ total: number }>('issue_list', { status: 'in_progress' })).total, 1);

  assert.equal((await toolError(planner.call('issue_close', { id: issue.id }))).code, 'ISSUE_NOT_COMPLETE');
  await planner.call('task_update', { id: task.id, status: 'done' });
  assert.equal((await toolError(planner.call('issue_close', { id: issue.id }))).code, 'DELIVERY_REQUIRED');
  const closed = await planner.call<{ issue: Issue }>('issue_close', { id: issue.id, withoutDelivery: true, summary: 'done' });
  assert.equal(closed.issue.status, 'done');
  assert.equal(stateSubjects(repo).at(-1), `issue.close ${issue.id} -> done by planner-1`);
  assert.equal((await toolError(planner.call('task_create', { title: 'late', issue: issue.id }))).code, 'ISSUE_CLOSED');
  const reopened = await planner.call<{ issue: Issue; from: string }>('issue_reopen', { id: issue.id });
  assert.equal(reopened.from, 'done');
  const ext = await planner.call<{ extended: boolean }>('issue_extend_lease', { id: issue.id, extendSec: 60 });
  assert.equal(ext.extended, false, 'never shortens');
  await planner.call('issue_update', { id: issue.id, projectDocPaths: ['README.md'] });
  assert.deepEqual((await impl.call<{ issue: Issue }>('issue_get', { id: issue.id })).issue.projectDocPaths, ['README.md']);
  fsckStrict(repo);
});

test('S21: a doc write is one atomic state commit', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  // One doc write is exactly one commit carrying exactly that file, in the history like any op.
  const before = stateSubjects(repo).length;
  const w = await planner.call<{ path: string; bytes: number }>('doc_write', { scope: 'shared', name: 'guides/style.md', content: '# Style\n' });
  assert.equal(w.path, 'docs/shared/guides/style.md');
  assert.equal(w.bytes, 8);
  assert.equal(stateSubjects(repo).length, before + 1);
  assert.equal(stateSubjects(repo).at(-1), 'doc.write shared/guides/style by planner-1');
  assert.equal(git(repo, 'show', '--name-only', '--format=', 'refs/lockstep/state'), 'docs/shared/guides/style.md');
  assert.equal(git(repo, 'show', 'refs/lockstep/state:docs/shared/guides/style.md'), '# Style');
  await planner.call('doc_write', { scope: 'shared', name: 'guides/style', content: '# Style\n' });
  assert.equal(stateSubjects(repo).length, before + 1, 'rewriting the same content commits nothing');
  // Two writers at once: both docs land, each in its own commit, none lost (the ref is compare-and-swapped).
  const other = await initAgent(repo, 'planner', 'planner-2');
  await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? planner : other).call('doc_write', { scope: 'shared', name: `race/d${i}`, content: `doc ${i}` })));
  assert.equal(stateSubjects(repo).filter((x) => x.startsWith('doc.write shared/race/')).length, 6);
  assert.deepEqual((await other.call<{ names: string[] }>('doc_list', { scope: 'shared' })).names, ['guides/style', 'race/d0', 'race/d1', 'race/d2', 'race/d3', 'race/d4', 'race/d5']);
  fsckStrict(repo);
});

// ---- CLI ----

test('CLI: issue create, list, show and close (human and --json; coded errors)', () => {
  const repo = makeRepo();
  for (const c of [['issue', 'list'], ['issue', 'show'], ['issue', 'create'], ['issue', 'close']]) {
    const h = cli(repo, ...c, '--help');
    assert.equal(h.status, 0, c.join(' '));
    assert.match(h.stdout, new RegExp(`\\$ lockstep ${c.join(' ')}`));
  }
  const dir = fs.mkdtempSync(path.join(repo, '.docs-'));
  fs.writeFileSync(path.join(dir, 'request.md'), '# Request\n');
  fs.writeFileSync(path.join(dir, 'plan.md'), '# Plan\n');
  const created = cli(repo, 'issue', 'create', 'Add login', '--user-doc', path.join(dir, 'request.md'), '--lead-doc', path.join(dir, 'plan.md'), '--json');
  assert.equal(created.status, 0, created.stderr);
  const issue = (JSON.parse(created.stdout) as { issue: Issue }).issue;
  assert.deepEqual(issue.docs, ['request', 'plan']);
  assert.equal(git(repo, 'show', `refs/lockstep/state:docs/issues/${issue.id}/plan.md`), '# Plan');

  const human = cli(repo, 'issue', 'list');
  assert.equal(human.status, 0);
  assert.match(human.stdout, new RegExp(`${issue.id}\\s+open\\s+0\\s+\\S+\\s+Add login`));
  const json = JSON.parse(cli(repo, 'issue', 'list', '--status', 'open', '--json').stdout) as { issues: { id: string }[]; total: number };
  assert.deepEqual(json.issues.map((x) => x.id), [issue.id]);
  assert.equal(JSON.parse(cli(repo, 'issue', 'list', '--status', 'done', '--json').stdout).total, 0);
  const show = cli(repo, 'issue', 'show', issue.id);
  assert.match(show.stdout, /docs\s+plan, request/);
  assert.equal((JSON.parse(cli(repo, 'issue', 'show', issue.id, '--json').stdout) as { issue: Issue }).issue.id, issue.id);

  const missing = cli(repo, 'issue', 'show', 'I-ZZZZ');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^error\[ISSUE_NOT_FOUND\]: /);
  const noDoc = cli(repo, 'issue', 'create', 'x', '--user-doc', path.join(dir, 'nope.md'), '--lead-doc', path.join(dir, 'plan.md'));
  assert.equal(noDoc.status, 1);
  assert.match(noDoc.stderr, /^error\[FILE_NOT_FOUND\]: /);
  const dup = cli(repo, 'issue', 'create', 'x', '--user-doc', path.join(dir, 'plan.md'), '--lead-doc', path.join(dir, 'plan.md'));
  assert.match(dup.stderr, /^error\[INVALID_INPUT\]: /);

  const refused = cli(repo, 'issue', 'close', issue.id);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^error\[DELIVERY_REQUIRED\]: /);
  const closed = cli(repo, 'issue', 'close', issue.id, '--without-delivery', '--summary', 'not needed', '--json');
  assert.equal(closed.status, 0, closed.stderr);
  assert.equal((JSON.parse(closed.stdout) as { issue: Issue }).issue.status, 'done');
  assert.match(cli(repo, 'issue', 'show', issue.id).stdout, /closed\s+.* \(without delivery\)/);
});
