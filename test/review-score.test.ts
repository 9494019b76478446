// Review with artifacts, completion scores, feedback details and the next task reserved at approval
// (swarm's next-step tokens without their bugs: S6, S7, S8, S9, S12, S24), and the difficulty policy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowedFailures, pickNext, tierFor, tierOrder, workerStats } from '../src/state/difficulty.js';
import { paths } from '../src/state/core/layout.js';
import { isoTime } from '../src/state/core/ctx.js';
import { ops } from '../src/state/ops/index.js';
import { reviewOutcome, type ReviewRecord } from '../src/state/review.js';
import type { Complexity, Issue, Task } from '../src/state/core/schema.js';
import { fsckStrict, initAgent, makeRepo, stateSubjects, toolError } from './helpers.js';
import { codeOf, ctxFor, errorOf, invalidFields, MemoryState } from './memory-state.js';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const MIN = 60_000;
const planner = (now = T0) => ctxFor('planner-1', 'planner', now);
const as = (name: string, now = T0) => ctxFor(name, 'implementer', now);
const ISSUE = 'I-AAAA';

function withIssue(m: MemoryState): void {
  const at = isoTime(T0);
  const issue: Issue = { id: ISSUE, subject: 'Login', status: 'open', leaseExpiresAt: isoTime(T0 + 24 * 60 * MIN), docs: [], sharedDocPaths: [], projectDocPaths: [], createdAt: at, createdBy: 'planner-1', updatedAt: at };
  m.put(paths.issue(ISSUE), issue);
}

/** A todo task; with an issue its claims have a lease (settings.taskLeaseSec). */
function newTask(m: MemoryState, title: string, complexity: Complexity, points?: number, issue: string | undefined = ISSUE): Task {
  const t = m.run(ops.taskCreate, { title, complexity }, planner()).task;
  if (points === undefined && issue === undefined) return t;
  const value: Task = { ...t, points, issue };
  m.put(paths.task(t.id), value);
  return m.state.task(t.id)!;
}

const task = (m: MemoryState, id: string) => m.state.task(id)!;

/** Claim, submit, and leave the task in review. */
function inReview(m: MemoryState, t: Task, worker: string, now = T0): void {
  m.run(ops.taskClaim, { id: t.id }, as(worker, now));
  m.run(ops.taskSubmitForReview, { id: t.id, reviewNotes: `${t.title} done` }, as(worker, now));
}

function record(worker: string, verdict: ReviewRecord['verdict'], score: 1 | 2 | 5 | undefined, points: number, minute: number): ReviewRecord {
  return { worker, verdict, score, points, by: 'planner-1', at: isoTime(T0 + minute * MIN) };
}

// --- Difficulty policy (pure) ---

test('difficulty policy: tiers from points, downgraded by low scores beyond the allowance', () => {
  assert.deepEqual([0, 49, 50, 99, 100, 500].map(allowedFailures), [0, 0, 1, 1, 2, 2]);
  const cases: [number, number, string][] = [
    [0, 0, 'easy'],
    [9, 0, 'easy'],
    [10, 0, 'medium'],
    [29, 0, 'medium'],
    [30, 0, 'focus'],
    [10, 1, 'easy'],
    [30, 1, 'medium'],
    [30, 2, 'easy'],
    [30, 9, 'easy'],
    [50, 1, 'focus'],
    [50, 2, 'medium'],
    [100, 2, 'focus'],
    [100, 3, 'medium'],
    [100, 4, 'easy'],
  ];
  for (const [workerPoints, consecutiveLowScores, tier] of cases) assert.equal(tierFor({ workerPoints, consecutiveLowScores }), tier, `${workerPoints} points, ${consecutiveLowScores} low`);
});

test('difficulty policy: stats are derived from the review records, by time', () => {
  const records = [
    record('impl-1', 'approved', 5, 10, 1),
    record('impl-2', 'approved', 1, 50, 2),
    record('impl-1', 'changes_requested', 1, 7, 5), // a low score counts whatever the verdict; points only when approved
    record('impl-1', 'approved', undefined, 3, 6), // unscored (batch): not a low score, so it ends a run
    record('impl-1', 'approved', 1, 4, 7),
    record('impl-1', 'approved', 2, 6, 3), // older than the low scores, listed out of order
  ];
  assert.deepEqual(workerStats(records, 'impl-1'), { workerPoints: 23, consecutiveLowScores: 1 });
  assert.deepEqual(workerStats([...records, record('impl-1', 'changes_requested', 1, 9, 9)], 'impl-1'), { workerPoints: 23, consecutiveLowScores: 2 });
  assert.deepEqual(workerStats([...records, record('impl-1', 'approved', 5, 1, 8)], 'impl-1'), { workerPoints: 24, consecutiveLowScores: 0 });
  assert.deepEqual(workerStats(records, 'impl-2'), { workerPoints: 50, consecutiveLowScores: 1 });
  assert.deepEqual(workerStats(records, 'nobody'), { workerPoints: 0, consecutiveLowScores: 0 });
});

test('difficulty policy: fallback goes to lower tiers first, then higher ones', () => {
  assert.deepEqual(tierOrder('focus'), ['focus', 'medium', 'easy']);
  assert.deepEqual(tierOrder('medium'), ['medium', 'easy', 'focus']);
  assert.deepEqual(tierOrder('easy'), ['easy', 'medium', 'focus']);
  const m = new MemoryState();
  const simple = newTask(m, 'simple', 'simple', 1);
  const critical = newTask(m, 'critical', 'critical', 8);
  const complex = newTask(m, 'complex', 'complex', 9);
  assert.equal(pickNext([simple, critical], 'medium', 10)?.id, simple.id, 'medium falls back to easy before focus');
  assert.equal(pickNext([critical], 'easy', 0)?.id, critical.id, 'then to harder tiers');
  assert.equal(pickNext([simple, critical, complex], 'focus', 100)?.id, complex.id, 'focus takes complex and critical tasks');
  assert.equal(pickNext([], 'focus', 100), undefined);
});

test('difficulty policy: first at >= 100 points, last at 30..49, otherwise the middle', () => {
  const m = new MemoryState();
  const pool = [newTask(m, 'a', 'medium', 5), newTask(m, 'b', 'medium', 8), newTask(m, 'c', 'medium', 1), newTask(m, 'd', 'medium', 5)];
  const byIdAmongFives = [pool[0]!, pool[3]!].sort((x, y) => (x.id < y.id ? -1 : 1));
  const sorted = [pool[1]!, ...byIdAmongFives, pool[2]!]; // points desc, then id asc
  assert.equal(pickNext(pool, 'medium', 100)?.id, sorted[0]!.id);
  assert.equal(pickNext(pool, 'medium', 30)?.id, sorted[3]!.id);
  assert.equal(pickNext(pool, 'medium', 49)?.id, sorted[3]!.id);
  for (const points of [0, 10, 29, 50, 99]) assert.equal(pickNext(pool, 'medium', points)?.id, sorted[2]!.id, `${points} points: the middle`);
  const three = [pool[1]!, pool[0]!, pool[2]!];
  assert.equal(pickNext(three, 'medium', 0)?.id, pool[0]!.id, 'floor(3 / 2) = 1');
});

// --- Submission ---

test('submit records artifacts, with changed files normalised repo-relative', () => {
  const m = new MemoryState();
  withIssue(m);
  const t = newTask(m, 'Login form', 'medium', 3);
  m.run(ops.taskClaim, { id: t.id }, as('impl-1'));
  const artifacts = {
    summary: 'form and validation',
    changedFiles: ['./src/login.ts', 'src//form.ts', '/repo/src/c.ts', 'src/login.ts'],
    testCases: ['empty password is refused'],
    testResult: 'passed' as const,
    testOutput: '2 passing',
    diff: '--- a/src/login.ts\n+++ b/src/login.ts\n',
    links: ['https://example.com/pr/1'],
  };
  for (const bad of ['../x.ts', 'src/../../x.ts', '/etc/passwd', '/repo-other/a.ts', '.', 'a\u0000b']) {
    assert.equal(codeOf(() => m.run(ops.taskSubmitForReview, { id: t.id, artifacts: { ...artifacts, changedFiles: [bad] } }, as('impl-1'))), 'INVALID_INPUT', bad);
  }
  assert.equal(codeOf(() => m.run(ops.taskSubmitForReview, { id: t.id, artifacts: { changedFiles: ['a.ts'] } }, as('impl-1'))), 'INVALID_INPUT', 'notes or a summary is required');
  assert.deepEqual(invalidFields(() => m.run(ops.taskSubmitForReview, { id: t.id, artifacts: { ...artifacts, diff: 'x'.repeat(200_001) } }, as('impl-1'))), ['artifacts.diff'], 'a diff is at most 200 KB');
  const r = m.run(ops.taskSubmitForReview, { id: t.id, artifacts }, as('impl-1'));
  assert.equal(r.task.status, 'review');
  const s = task(m, t.id).submission!;
  assert.deepEqual(s.changedFiles, ['src/login.ts', 'src/form.ts', 'src/c.ts']);
  assert.equal(s.by, 'impl-1');
  assert.equal(s.at, isoTime(T0));
  assert.equal(s.summary, 'form and validation');
  assert.deepEqual([s.testCases, s.testResult, s.testOutput, s.diff, s.links], [artifacts.testCases, 'passed', '2 passing', artifacts.diff, artifacts.links]);
  assert.equal(task(m, t.id).review?.notes, 'form and validation', 'notes default to the summary');

  // Notes alone still work (the older form), and become the summary.
  const u = newTask(m, 'Logout', 'medium', 1);
  m.run(ops.taskClaim, { id: u.id }, as('impl-1'));
  m.run(ops.taskSubmitForReview, { id: u.id, reviewNotes: 'logout done' }, as('impl-1'));
  assert.equal(task(m, u.id).submission?.summary, 'logout done');
  assert.equal(task(m, u.id).review?.notes, 'logout done');
});

test('submit needs the live claim; a blocked task waits for its answer first', () => {
  const m = new MemoryState();
  withIssue(m);
  const t = newTask(m, 'A', 'medium', 2);
  m.run(ops.taskClaim, { id: t.id }, as('impl-1'));
  assert.equal(codeOf(() => m.run(ops.taskSubmitForReview, { id: t.id, reviewNotes: 'x' }, as('impl-2'))), 'NOT_OWNER');
  assert.equal(codeOf(() => m.run(ops.taskSubmitForReview, { id: t.id, owner: 'impl-2', reviewNotes: 'x' }, as('impl-1'))), 'IDENTITY_MISMATCH');
  m.run(ops.taskUpdate, { id: t.id, status: 'blocked' }, as('impl-1'));
  assert.equal(codeOf(() => m.run(ops.taskSubmitForReview, { id: t.id, reviewNotes: 'x' }, as('impl-1'))), 'INVALID_TRANSITION');
  m.run(ops.taskUpdate, { id: t.id, status: 'in_progress' }, as('impl-1'));
  const expiresAt = Date.parse(task(m, t.id).claim!.expiresAt!);
  const commits = m.commits;
  assert.equal(codeOf(() => m.run(ops.taskSubmitForReview, { id: t.id, reviewNotes: 'late' }, as('impl-1', expiresAt))), 'LEASE_EXPIRED', 'an expired claim cannot be submitted');
  assert.equal(m.commits, commits);
  m.run(ops.taskSubmitForReview, { id: t.id, reviewNotes: 'in time' }, as('impl-1', expiresAt - 1));
  assert.equal(task(m, t.id).status, 'review');
});

// --- Verdicts ---

test('approve and request changes record score, details and the score history', () => {
  const m = new MemoryState();
  withIssue(m);
  const t = newTask(m, 'A', 'medium', 4);
  inReview(m, t, 'impl-1');
  const later = T0 + 50 * MIN;
  const details = [{ dimension: 'tests', severity: 'major' as const, content: 'no test for empty input', file: 'src/a.ts', lines: '3-9', suggestion: 'add one' }];
  const back = m.run(ops.taskRequestChanges, { id: t.id, feedback: 'add tests', score: 1, details, summary: 'close', reviewedRefs: ['src/a.ts'] }, planner(later)).task;
  assert.equal(back.status, 'in_progress');
  assert.equal(back.review?.score, 1);
  assert.deepEqual(back.review?.details, details);
  assert.equal(back.review?.summary, 'close');
  assert.deepEqual(back.review?.reviewedRefs, ['src/a.ts']);
  assert.equal(back.claim?.expiresAt, isoTime(later + 3600 * 1000), 'the owner gets a full lease to fix it');
  assert.deepEqual(back.reviews, [{ worker: 'impl-1', verdict: 'changes_requested', score: 1, points: 4, by: 'planner-1', at: isoTime(later) }]);
  assert.equal(codeOf(() => m.run(ops.taskApprove, { id: t.id, score: 5 }, planner(later))), 'INVALID_TRANSITION', 'back in progress: no verdict until resubmitted');

  m.run(ops.taskSubmitForReview, { id: t.id, reviewNotes: 'tests added' }, as('impl-1', later));
  assert.deepEqual(invalidFields(() => m.run(ops.taskApprove, { id: t.id, score: 3 as 5 }, planner())), ['score'], 'scores are 1, 2 or 5');
  assert.deepEqual(invalidFields(() => m.run(ops.taskApprove, { id: t.id, details: Array.from({ length: 51 }, () => details[0]!) }, planner())), ['details'], 'at most 50 details');
  assert.deepEqual(invalidFields(() => m.run(ops.taskApprove, { id: t.id, details: [{ ...details[0]!, severity: 'blocker' as 'major' }] }, planner())), ['details.0.severity']);
  const done = m.run(ops.taskApprove, { id: t.id, score: 5, feedback: 'good' }, planner(later + MIN)).task;
  assert.equal(done.status, 'done');
  assert.equal(done.review?.score, 5);
  assert.equal(done.review?.details, undefined, "an earlier round's details are not inherited");
  assert.equal(done.review?.notes, 'tests added');
  assert.deepEqual(
    done.reviews.map((r) => [r.verdict, r.score, r.points]),
    [
      ['changes_requested', 1, 4],
      ['approved', 5, 4],
    ],
  );
});

test('S6: a reserved next task cannot be taken by another worker', () => {
  const m = new MemoryState();
  withIssue(m);
  const a = newTask(m, 'A', 'medium', 4);
  const b = newTask(m, 'B', 'simple', 1);
  inReview(m, a, 'impl-1');
  const r = m.run(ops.taskApprove, { id: a.id, score: 5, reserveNext: true }, planner());
  assert.deepEqual(r.next, { type: 'claim_task', task: { id: b.id, title: 'B', points: 1, complexity: 'simple' }, reservedUntil: isoTime(T0 + 900 * 1000) });
  assert.deepEqual([r.tier, r.workerPoints, r.consecutiveLowScores], ['easy', 4, 0]);
  assert.deepEqual(task(m, b.id).reservation, { for: 'impl-1', until: isoTime(T0 + 900 * 1000), by: 'planner-1', after: a.id });

  // Bound to the worker's name (the server-bound identity): nothing to steal, nothing to pass along.
  const stolen = errorOf(() => m.run(ops.taskClaim, { id: b.id }, as('impl-2')));
  assert.equal(stolen.code, 'TASK_RESERVED');
  assert.equal(stolen.data?.reservedFor, 'impl-1');
  assert.equal(codeOf(() => m.run(ops.taskClaim, { id: b.id, owner: 'impl-1' }, as('impl-2'))), 'IDENTITY_MISMATCH');
  assert.equal(m.run(ops.taskNext, { issue: ISSUE }, as('impl-2')).claimed, false, "task_next skips another worker's reservation");
  const c = newTask(m, 'C', 'simple', 9);
  assert.equal(m.run(ops.taskNext, {}, as('impl-2')).task?.id, c.id);

  const mine = m.run(ops.taskNext, {}, as('impl-1'));
  assert.equal(mine.task?.id, b.id, "the worker's task_next takes its reservation first");
  assert.equal(task(m, b.id).reservation, undefined, 'claiming consumes it');
});

test('S7: a failed claim burns nothing', () => {
  const m = new MemoryState();
  withIssue(m);
  const a = newTask(m, 'A', 'medium', 4);
  const b = newTask(m, 'B', 'simple', 1);
  inReview(m, a, 'impl-1');
  m.run(ops.taskApprove, { id: a.id, reserveNext: true }, planner());
  const before = task(m, b.id);
  const commits = m.commits;
  for (let i = 0; i < 3; i++) assert.equal(codeOf(() => m.run(ops.taskClaim, { id: b.id }, as('impl-2'))), 'TASK_RESERVED');
  assert.deepEqual(task(m, b.id), before, 'the reservation is intact');
  assert.equal(m.commits, commits, 'a refused claim commits nothing');
  const claimed = m.run(ops.taskClaim, { id: b.id }, as('impl-1', T0 + MIN)).task;
  assert.equal(claimed.owner, 'impl-1');
  assert.equal(claimed.reservation, undefined);

  // After expiry anyone may take a reservation.
  const c = newTask(m, 'C', 'simple', 1);
  const d = newTask(m, 'D', 'medium', 2);
  inReview(m, d, 'impl-3');
  assert.equal(m.run(ops.taskApprove, { id: d.id, reserveNext: true }, planner()).next?.type, 'claim_task');
  assert.equal(task(m, c.id).reservation?.for, 'impl-3');
  assert.equal(codeOf(() => m.run(ops.taskClaim, { id: c.id }, as('impl-2', T0 + 899 * 1000))), 'TASK_RESERVED');
  assert.equal(m.run(ops.taskClaim, { id: c.id }, as('impl-2', T0 + 900 * 1000)).task.owner, 'impl-2');
});

test('S8: reserving again is idempotent and a reserved candidate is skipped', () => {
  const m = new MemoryState();
  withIssue(m);
  const a1 = newTask(m, 'A1', 'medium', 5);
  const a2 = newTask(m, 'A2', 'medium', 3);
  const a3 = newTask(m, 'A3', 'medium', 4);
  const b1 = newTask(m, 'B1', 'simple', 2);
  const b2 = newTask(m, 'B2', 'simple', 1);
  inReview(m, a2, 'impl-2');
  // impl-2 (3 points, easy): simple tasks by points desc [B1, B2], the middle one.
  const r2 = m.run(ops.taskApprove, { id: a2.id, score: 2, reserveNext: true }, planner());
  assert.equal(r2.next?.type === 'claim_task' && r2.next.task.id, b2.id);

  inReview(m, a1, 'impl-1');
  inReview(m, a3, 'impl-1');
  const r1 = m.run(ops.taskApprove, { id: a1.id, score: 5, reserveNext: true }, planner());
  assert.equal(r1.next?.type === 'claim_task' && r1.next.task.id, b1.id, "B2 is reserved for impl-2: skipped, not an error");
  assert.equal(r1.workerPoints, 5);

  // A second approval for the same worker returns the reservation it holds; points come from the records.
  const r3 = m.run(ops.taskApprove, { id: a3.id, score: 5, reserveNext: true }, planner(T0 + MIN));
  assert.deepEqual(r3.next, r1.next);
  assert.equal(r3.workerPoints, 9);
  const reservedFor = (w: string) => m.state.tasks().items.filter((t) => t.reservation?.for === w).map((t) => t.id);
  assert.deepEqual(reservedFor('impl-1'), [b1.id]);
  assert.deepEqual(reservedFor('impl-2'), [b2.id]);
  // Retrying an approval changes nothing (the task is done), so nothing can be counted twice.
  const commits = m.commits;
  assert.equal(codeOf(() => m.run(ops.taskApprove, { id: a3.id, score: 5, reserveNext: true }, planner(T0 + 2 * MIN))), 'INVALID_TRANSITION');
  assert.equal(m.commits, commits);
  assert.equal(task(m, a3.id).reviews.length, 1);

  // Nothing left for impl-3 in its tier or any other: end.
  const a4 = newTask(m, 'A4', 'medium', 1);
  inReview(m, a4, 'impl-3');
  const r4 = m.run(ops.taskApprove, { id: a4.id, reserveNext: true }, planner());
  assert.deepEqual(r4.next, { type: 'end' });
});

test('S9: a verdict needs a task in review', async () => {
  const m = new MemoryState();
  withIssue(m);
  const todo = newTask(m, 'todo', 'medium', 1);
  const expired = newTask(m, 'expired', 'medium', 1);
  const done = newTask(m, 'done', 'medium', 1);
  m.run(ops.taskClaim, { id: expired.id }, as('impl-1'));
  const after = Date.parse(task(m, expired.id).claim!.expiresAt!) + 1;
  inReview(m, done, 'impl-2');
  m.run(ops.taskApprove, { id: done.id, score: 5 }, planner());
  const commits = m.commits;
  for (const id of [todo.id, expired.id, done.id]) {
    assert.equal(codeOf(() => m.run(ops.taskApprove, { id, score: 5, reserveNext: true }, planner(after))), 'INVALID_TRANSITION', id);
    assert.equal(codeOf(() => m.run(ops.taskRequestChanges, { id, feedback: 'no', score: 1 }, planner(after))), 'INVALID_TRANSITION', id);
  }
  assert.equal(m.commits, commits);
  assert.equal(task(m, done.id).reviews.length, 1);

  // The verdict is bound to names in the state, not to a planner process: a restarted planner approves.
  const repo = makeRepo();
  const p1 = await initAgent(repo, 'planner', 'planner-1');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const a = (await p1.call<{ task: Task }>('task_create', { title: 'A', complexity: 'medium' })).task;
  const b = (await p1.call<{ task: Task }>('task_create', { title: 'B', complexity: 'simple' })).task;
  await impl.call('task_claim', { id: a.id });
  await impl.call('task_submit_for_review', { id: a.id, reviewNotes: 'done' });
  await p1.close();
  const p2 = await initAgent(repo, 'planner', 'planner-1');
  const r = await p2.call<{ next: { type: string; task: { id: string } } }>('task_approve', { id: a.id, score: 5, reserveNext: true });
  assert.equal(r.next.task.id, b.id);
  assert.equal((await toolError(p2.call('task_approve', { id: a.id }))).code, 'INVALID_TRANSITION');
  assert.equal((await impl.call<{ task: Task }>('task_next')).task.id, b.id);
});

test('S24: request changes releases the worker\'s reservation', () => {
  const m = new MemoryState();
  withIssue(m);
  const a1 = newTask(m, 'A1', 'medium', 5);
  const a2 = newTask(m, 'A2', 'medium', 3);
  const a3 = newTask(m, 'A3', 'medium', 2);
  const b1 = newTask(m, 'B1', 'simple', 2);
  const b2 = newTask(m, 'B2', 'simple', 1);
  inReview(m, a1, 'impl-1');
  inReview(m, a2, 'impl-1');
  inReview(m, a3, 'impl-2');
  const mine = m.run(ops.taskApprove, { id: a1.id, reserveNext: true }, planner());
  const theirs = m.run(ops.taskApprove, { id: a3.id, reserveNext: true }, planner());
  assert.ok(mine.next?.type === 'claim_task' && theirs.next?.type === 'claim_task');
  const myNext = mine.next.task.id;
  const theirNext = theirs.next.task.id;
  assert.deepEqual([myNext, theirNext].sort(), [b1.id, b2.id].sort());

  const commits = m.commits;
  const r = m.run(ops.taskRequestChanges, { id: a2.id, feedback: 'broken', score: 1 }, planner(T0 + MIN));
  assert.equal(m.commits, commits + 1, 'one commit');
  assert.deepEqual(r.releasedReservations, [myNext]);
  assert.equal(task(m, myNext).reservation, undefined);
  assert.equal(task(m, theirNext).reservation?.for, 'impl-2', "another worker's reservation stays");
  assert.equal(m.run(ops.taskClaim, { id: myNext }, as('impl-3', T0 + MIN)).task.owner, 'impl-3', 'the released task is free');
  // A rejected review reserves nothing, and the worker's next approval reserves afresh.
  m.run(ops.taskSubmitForReview, { id: a2.id, reviewNotes: 'fixed' }, as('impl-1', T0 + 2 * MIN));
  const again = m.run(ops.taskApprove, { id: a2.id, reserveNext: true }, planner(T0 + 2 * MIN));
  assert.deepEqual(again.next, { type: 'end' }, 'B2 is reserved for impl-2 and B1 taken');
  assert.deepEqual([again.workerPoints, again.consecutiveLowScores], [8, 0]);
});

test('S12: resubmitting is idempotent in every state', () => {
  const m = new MemoryState();
  withIssue(m);
  const t = newTask(m, 'A', 'medium', 2);
  m.run(ops.taskClaim, { id: t.id }, as('impl-1'));
  const args = { id: t.id, reviewNotes: 'done', artifacts: { summary: 'done', changedFiles: ['a.ts'] } };
  m.run(ops.taskSubmitForReview, args, as('impl-1'));
  const commits = m.commits;
  const again = m.run(ops.taskSubmitForReview, args, as('impl-1', T0 + MIN));
  assert.equal(again.alreadySubmitted, true);
  assert.equal(again.task.submission?.at, isoTime(T0), 'the first submission stands');
  assert.equal(m.commits, commits);

  // Sent back: the very same submission again is a retry, not new work.
  m.run(ops.taskRequestChanges, { id: t.id, feedback: 'add tests' }, planner(T0 + 2 * MIN));
  const c2 = m.commits;
  assert.equal(m.run(ops.taskSubmitForReview, args, as('impl-1', T0 + 3 * MIN)).alreadySubmitted, true);
  assert.equal(m.commits, c2);
  assert.equal(task(m, t.id).status, 'in_progress');
  const fixed = m.run(ops.taskSubmitForReview, { ...args, reviewNotes: 'tests added' }, as('impl-1', T0 + 3 * MIN));
  assert.equal(fixed.alreadySubmitted, undefined);
  assert.equal(fixed.task.status, 'review');

  // Approved: a retry reports it, it does not reopen anything.
  m.run(ops.taskApprove, { id: t.id }, planner(T0 + 4 * MIN));
  const c3 = m.commits;
  assert.equal(m.run(ops.taskSubmitForReview, args, as('impl-1', T0 + 5 * MIN)).alreadySubmitted, true);
  assert.equal(m.commits, c3);
  assert.equal(task(m, t.id).status, 'done');
});

// --- End to end, separate processes ---

test('S12: submit with wait times out as a result and a retry does not duplicate the submission', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const t = (await planner.call<{ task: Task }>('task_create', { title: 'A', complexity: 'medium' })).task;
  await impl.call('task_claim', { id: t.id });
  const args = { id: t.id, artifacts: { summary: 'done', changedFiles: ['./src/a.ts'], testResult: 'passed' }, wait: true, timeoutSec: 1 };
  const first = await impl.call<{ timedOut: boolean; cursor: string; hint: string; task: Task }>('task_submit_for_review', args);
  assert.equal(first.timedOut, true);
  assert.ok(first.cursor);
  assert.equal(first.task.status, 'review');
  const second = await impl.call<{ timedOut: boolean; alreadySubmitted: boolean }>('task_submit_for_review', args);
  assert.deepEqual([second.timedOut, second.alreadySubmitted], [true, true]);
  assert.equal(stateSubjects(repo).filter((s) => s.startsWith('task.submit_for_review')).length, 1, 'one submission');

  await planner.call('task_approve', { id: t.id, score: 2 });
  const third = await impl.call<{ verdict: string; score: number; timedOut?: boolean; task: Task }>('task_submit_for_review', args);
  assert.deepEqual([third.verdict, third.score, third.timedOut, third.task.status], ['approved', 2, undefined, 'done']);
  assert.equal(stateSubjects(repo).filter((s) => s.startsWith('task.submit_for_review')).length, 1);
  fsckStrict(repo);
});

test('review across processes: the waiting submitter gets the verdict and its reserved next task', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const worker = await initAgent(repo, 'implementer', 'impl-1');
  const other = await initAgent(repo, 'implementer', 'impl-3');
  const a = (await planner.call<{ task: Task }>('task_create', { title: 'Login', complexity: 'medium' })).task;
  const b = (await planner.call<{ task: Task }>('task_create', { title: 'Docs', complexity: 'simple' })).task;
  await worker.call('task_claim', { id: a.id });

  type Outcome = { verdict: string; score: number; feedback: string; details: unknown[]; next: { type: string; task: { id: string }; reservedUntil: string }; task: Task };
  const waiting = worker.call<Outcome>('task_submit_for_review', {
    id: a.id,
    artifacts: { summary: 'login form', changedFiles: ['src/a.ts'], testCases: ['bad password'], testResult: 'passed' },
    wait: true,
    timeoutSec: 30,
  });
  for (let i = 0; i < 200; i++) {
    if ((await planner.call<{ task: Task }>('task_get', { id: a.id })).task.status === 'review') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const details = [{ dimension: 'tests', severity: 'minor', content: 'one more case would help' }];
  const approved = await planner.call<{ next: { type: string; task: { id: string } }; tier: string }>('task_approve', { id: a.id, score: 5, summary: 'solid', details, reserveNext: true });
  assert.equal(approved.next.task.id, b.id);
  assert.equal(approved.tier, 'easy');

  const outcome = await waiting;
  assert.equal(outcome.verdict, 'approved');
  assert.equal(outcome.score, 5);
  assert.deepEqual(outcome.details, details);
  assert.equal(outcome.next.type, 'claim_task');
  assert.equal(outcome.next.task.id, b.id);
  assert.equal(outcome.task.status, 'done');

  // A third implementer can neither claim it nor get it from task_next; the worker's task_next does.
  const c = (await planner.call<{ task: Task }>('task_create', { title: 'Other', complexity: 'simple' })).task;
  assert.equal((await toolError(other.call('task_claim', { id: b.id }))).code, 'TASK_RESERVED');
  assert.equal((await other.call<{ task: Task }>('task_next')).task.id, c.id);
  assert.equal((await worker.call<{ task: Task }>('task_next')).task.id, b.id);
  fsckStrict(repo);
});

test('reserveNext can reserve a task that depends on the one being approved (it is done in the same commit)', () => {
  const m = new MemoryState();
  withIssue(m);
  const first = newTask(m, 'schema', 'simple', 3);
  const dependent = m.run(ops.taskCreate, { title: 'use the schema', complexity: 'simple', issue: ISSUE, dependsOn: [first.id] }, planner()).task;
  inReview(m, first, 'impl-1');
  const r = m.run(ops.taskApprove, { id: first.id, score: 5, reserveNext: true }, planner());
  assert.equal(r.next?.type, 'claim_task');
  assert.equal(r.next?.type === 'claim_task' ? r.next.task.id : undefined, dependent.id);
  assert.equal(task(m, dependent.id).reservation?.for, 'impl-1');
});

test('an approval tells the planner and the waiting worker the same next step, in one shape', () => {
  const m = new MemoryState();
  withIssue(m);
  for (const reserveNext of [false, true]) {
    const t = newTask(m, `only ${reserveNext}`, 'medium');
    inReview(m, t, 'impl-1');
    const r = m.run(ops.taskApprove, { id: t.id, reserveNext }, planner());
    assert.deepEqual(r.next, { type: 'end' }, `reserveNext ${reserveNext}: nothing left`);
    assert.deepEqual(reviewOutcome(m.state, t.id, 'impl-1', T0)!.next, r.next, 'the worker learns the same');
  }
  const a = newTask(m, 'A', 'medium', 2);
  const b = newTask(m, 'B', 'simple', 1);
  inReview(m, a, 'impl-1');
  const r = m.run(ops.taskApprove, { id: a.id, reserveNext: true }, planner());
  assert.equal(r.next.type === 'claim_task' && r.next.task.id, b.id);
  assert.deepEqual(reviewOutcome(m.state, a.id, 'impl-1', T0)!.next, r.next);
});
