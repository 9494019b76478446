// Task Q&A (task_ask, task_message, task_reply), planner signals (events_wait signals:true),
// task claim leases (task_extend_lease, expiry), task_reset and task_wait: pure op tests on
// MemoryState with an injected clock, and end to end through separate MCP server processes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paths } from '../src/state/core/layout.js';
import type { Ctx } from '../src/state/core/ctx.js';
import { ops } from '../src/state/ops/index.js';
import { signalCandidates } from '../src/state/signals.js';
import { waitableTasks } from '../src/state/queries/task-wait.js';
import type { Issue, Task } from '../src/state/core/schema.js';
import { fsckStrict, initAgent, makeRepo, stateSubjects, toolError } from './helpers.js';
import { codeOf, ctxFor, invalidFields, MemoryState } from './memory-state.js';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const SEC = 1000;
const at = (actor: string, role: Ctx['role'], offsetSec = 0) => ctxFor(actor, role, T0 + offsetSec * SEC);
const planner = (s = 0) => at('planner-1', 'planner', s);
const planner2 = (s = 0) => at('planner-2', 'planner', s);
const impl1 = (s = 0) => at('impl-1', 'implementer', s);
const impl2 = (s = 0) => at('impl-2', 'implementer', s);

function putTask(m: MemoryState, task: Task): void {
  m.put(paths.task(task.id), task);
}

/** A minimal open issue written straight into the state (no dependency on the issue ops). */
function newIssue(m: MemoryState, id = 'I-AAAA'): Issue {
  const issue: Issue = {
    id,
    subject: 'An issue',
    status: 'open',
    leaseExpiresAt: new Date(T0 + 7200 * SEC).toISOString(),
    docs: [],
    sharedDocPaths: [],
    projectDocPaths: [],
    createdAt: new Date(T0).toISOString(),
    createdBy: 'planner-1',
    updatedAt: new Date(T0).toISOString(),
  };
  m.put(paths.issue(id), issue);
  return issue;
}

function newTask(m: MemoryState, title = 'Do it', issue?: string, s = 0): Task {
  const task = m.run(ops.taskCreate, { title, complexity: 'medium' }, planner(s)).task as Task;
  if (issue === undefined) return task;
  const inIssue = { ...task, issue };
  putTask(m, inIssue);
  return inIssue;
}

const task = (m: MemoryState, id: string) => m.state.task(id)!;
const claim = (m: MemoryState, id: string, who: Ctx) => m.run(ops.taskClaim, { id }, who).task as Task;
const signal = (m: MemoryState, who: Ctx, issue?: string) => m.run(ops.signalClaim, { issue }, who).signal;

// ---------------------------------------------------------------- pure: Q&A

test('task.ask: blocks the task, renews the lease, and a retry with the same content reuses the question', () => {
  const m = new MemoryState();
  newIssue(m);
  const t = newTask(m, 'Issue task', 'I-AAAA');
  claim(m, t.id, impl1());
  // Past half of the 3600 s lease: asking renews it.
  const first = m.run(ops.taskAsk, { task: t.id, content: 'Which API?' }, impl1(2000));
  assert.equal(first.reused, false);
  assert.match(first.question.id, /^M-[0-9A-Z]{4}$/);
  assert.equal(first.task.status, 'blocked');
  assert.equal(first.task.claim?.expiresAt, new Date(T0 + 5600 * SEC).toISOString());
  const commits = m.commits;
  const again = m.run(ops.taskAsk, { task: t.id, content: 'Which API?' }, impl1(2100));
  assert.equal(again.reused, true);
  assert.equal(again.question.id, first.question.id);
  assert.equal(m.commits, commits, 'a retry that renews nothing commits nothing');
  assert.equal(task(m, t.id).messages.length, 1);
  // Much later the retry renews the lease, still without a second question.
  const late = m.run(ops.taskAsk, { task: t.id, content: 'Which API?' }, impl1(4000));
  assert.equal(late.reused, true);
  assert.equal(task(m, t.id).messages.length, 1);
  assert.equal(task(m, t.id).claim?.expiresAt, new Date(T0 + 7600 * SEC).toISOString());
  // A different question is a new message.
  const other = m.run(ops.taskAsk, { task: t.id, content: 'And the DB?', kind: 'blocker' }, impl1(4000));
  assert.notEqual(other.question.id, first.question.id);
  assert.equal(other.question.kind, 'blocker');
});

test('task.ask: a retry after the reply came in returns that reply instead of asking again', () => {
  const m = new MemoryState();
  const t = newTask(m);
  claim(m, t.id, impl1());
  const q = m.run(ops.taskAsk, { task: t.id, content: 'Tabs or spaces?' }, impl1());
  m.run(ops.taskReply, { task: t.id, content: 'Spaces.' }, planner());
  const retry = m.run(ops.taskAsk, { task: t.id, content: 'Tabs or spaces?' }, impl1());
  assert.equal(retry.question.id, q.question.id);
  assert.equal(retry.reply?.content, 'Spaces.');
  assert.equal(task(m, t.id).status, 'in_progress');
  assert.equal(task(m, t.id).messages.length, 2);
});

test('task.ask refusals: not the owner, not working on it', () => {
  const m = new MemoryState();
  const t = newTask(m);
  assert.equal(codeOf(() => m.run(ops.taskAsk, { task: t.id, content: 'q' }, impl1())), 'NOT_OWNER');
  claim(m, t.id, impl1());
  assert.equal(codeOf(() => m.run(ops.taskAsk, { task: t.id, content: 'q' }, impl2())), 'NOT_OWNER');
  m.run(ops.taskSubmitForReview, { id: t.id, reviewNotes: 'done' }, impl1());
  assert.equal(codeOf(() => m.run(ops.taskAsk, { task: t.id, content: 'q' }, impl1())), 'INVALID_TRANSITION');
  assert.equal(codeOf(() => m.run(ops.taskAsk, { task: 'T-ZZZZ', content: 'q' }, impl1())), 'TASK_NOT_FOUND');
});

test('task.reply: default is the oldest open question; the task resumes only when none is left', () => {
  const m = new MemoryState();
  const t = newTask(m);
  claim(m, t.id, impl1());
  assert.equal(codeOf(() => m.run(ops.taskReply, { task: t.id, content: 'nothing asked' }, planner())), 'MESSAGE_NOT_FOUND');
  const q1 = m.run(ops.taskMessage, { task: t.id, content: 'first?', kind: 'question' }, impl1(1)).message;
  const q2 = m.run(ops.taskMessage, { task: t.id, content: 'second?', kind: 'blocker' }, impl1(2)).message;
  assert.equal(task(m, t.id).status, 'blocked');
  const r1 = m.run(ops.taskReply, { task: t.id, content: 'answer one' }, planner(3));
  assert.equal(r1.question.id, q1.id);
  assert.equal(r1.reply.replyTo, q1.id);
  assert.equal(r1.reply.kind, 'reply');
  assert.equal(r1.task.status, 'blocked', 'still waiting on the blocker');
  assert.equal(codeOf(() => m.run(ops.taskReply, { task: t.id, content: 'again', messageId: q1.id }, planner())), 'MESSAGE_ALREADY_REPLIED');
  assert.equal(codeOf(() => m.run(ops.taskReply, { task: t.id, content: 'x', messageId: 'M-ZZZZ' }, planner())), 'MESSAGE_NOT_FOUND');
  assert.equal(codeOf(() => m.run(ops.taskReply, { task: t.id, content: 'x', messageId: r1.reply.id }, planner())), 'MESSAGE_NOT_FOUND', 'a reply is not a question');
  const r2 = m.run(ops.taskReply, { task: t.id, content: 'answer two', messageId: q2.id }, planner(4));
  assert.equal(r2.task.status, 'in_progress');
  assert.equal(codeOf(() => m.run(ops.taskReply, { task: t.id, content: 'x' }, impl1())), 'ROLE_FORBIDDEN');
});

test('S17: task_message refuses kind reply; replies only through task_reply by a planner', async () => {
  // Pure: the op has no reply kind, an implementer cannot reply, a stranger cannot ask.
  const m = new MemoryState();
  const t = newTask(m);
  claim(m, t.id, impl1());
  assert.deepEqual(invalidFields(() => m.run(ops.taskMessage, { task: t.id, content: 'x', kind: 'reply' as 'message' }, impl1())), ['kind']);
  assert.equal(codeOf(() => m.run(ops.taskMessage, { task: t.id, content: 'x', kind: 'question' }, impl2())), 'NOT_OWNER');
  assert.equal(codeOf(() => m.run(ops.taskMessage, { task: t.id, content: 'x' }, impl2())), 'NOT_OWNER');
  assert.equal(codeOf(() => m.run(ops.taskMessage, { task: t.id, content: 'x', kind: 'question' }, planner())), 'NOT_OWNER');
  const note = m.run(ops.taskMessage, { task: t.id, content: 'FYI: use the v2 API' }, planner());
  assert.equal(note.message.kind, 'message');
  assert.equal(note.task.status, 'in_progress', 'a plain message blocks nothing');
  assert.equal(codeOf(() => m.run(ops.taskReply, { task: t.id, content: 'x' }, impl1())), 'ROLE_FORBIDDEN');

  // Through MCP: the enum refuses reply with INVALID_INPUT; task_reply is not an implementer tool.
  const repo = makeRepo();
  const lead = await initAgent(repo, 'planner', 'planner-1');
  const worker = await initAgent(repo, 'implementer', 'impl-1');
  const other = await initAgent(repo, 'implementer', 'impl-2');
  const { task: created } = await lead.call<{ task: Task }>('task_create', { title: 'Q&A', complexity: 'medium' });
  await worker.call('task_claim', { id: created.id });
  assert.equal((await toolError(worker.call('task_message', { task: created.id, content: 'done?', kind: 'reply' }))).code, 'INVALID_INPUT');
  assert.equal((await toolError(other.call('task_message', { task: created.id, content: 'hijack', kind: 'reply' }))).code, 'INVALID_INPUT');
  assert.equal((await toolError(other.call('task_message', { task: created.id, content: 'mine?', kind: 'question' }))).code, 'NOT_OWNER');
  const q = await worker.call<{ message: { id: string }; task: Task }>('task_message', { task: created.id, content: 'Which DB?', kind: 'question' });
  assert.equal(q.task.status, 'blocked');
  assert.equal((await toolError(worker.call('task_reply', { task: created.id, content: 'answering myself' }))).code, 'ROLE_FORBIDDEN');
  const r = await lead.call<{ task: Task; reply: { replyTo: string } }>('task_reply', { task: created.id, content: 'Postgres' });
  assert.equal(r.reply.replyTo, q.message.id);
  assert.equal(r.task.status, 'in_progress');
  const seen = (await worker.call<{ task: Task }>('task_get', { id: created.id })).task;
  assert.deepEqual(seen.messages.map((x) => x.kind), ['question', 'reply']);
});

// ---------------------------------------------------------------- pure: signals

test('S19: a held signal is not redelivered before its hold expires; handled signals vanish', () => {
  const m = new MemoryState();
  const a = newTask(m, 'A');
  const b = newTask(m, 'B');
  const c = newTask(m, 'C');
  claim(m, a.id, impl1());
  claim(m, b.id, impl2());
  claim(m, c.id, impl1());
  const qa = m.run(ops.taskMessage, { task: a.id, content: 'A?', kind: 'question' }, impl1(10)).message;
  const qb = m.run(ops.taskMessage, { task: b.id, content: 'B blocked', kind: 'blocker' }, impl2(20)).message;
  m.run(ops.taskSubmitForReview, { id: c.id, reviewNotes: 'C is done' }, impl1(30));

  // Oldest first; each planner gets a different one; the holder gets its own back first.
  const s1 = signal(m, planner(40))!;
  assert.equal(s1.type, 'question');
  assert.equal(s1.messageId, qa.id);
  assert.equal(s1.from, 'impl-1');
  assert.equal(s1.content, 'A?');
  const s2 = signal(m, planner2(41))!;
  assert.equal(s2.type, 'blocker');
  assert.equal(s2.messageId, qb.id);
  assert.equal(signal(m, planner(42))?.messageId, qa.id, 'a planner gets its own held signal back first');
  const s3 = signal(m, at('planner-3', 'planner', 43))!;
  assert.equal(s3.type, 'submission');
  assert.equal(s3.task, c.id);
  assert.equal(s3.notes, 'C is done');
  // Everything is held: a fourth planner gets nothing until a hold expires (600 s by default).
  const before = m.commits;
  assert.equal(signal(m, at('planner-4', 'planner', 44 + 500)), undefined);
  assert.equal(m.commits, before, 'no signal, no commit');
  const redelivered = signal(m, at('planner-4', 'planner', 42 + 600))!;
  assert.equal(redelivered.messageId, qa.id, "planner-1's renewed hold (at 42 s) expired: redelivered");

  // Handled signals vanish: a reply, a verdict. Nobody can take them again.
  m.run(ops.taskReply, { task: a.id, content: 'yes' }, planner(700));
  assert.equal(task(m, a.id).messages[0]!.hold, undefined, 'the reply clears the hold');
  m.run(ops.taskApprove, { id: c.id }, planner(700));
  const after = signalCandidates(m.state);
  assert.deepEqual(
    after.map((x) => x.messageId),
    [qb.id],
  );
  assert.equal(signal(m, planner(2000))?.messageId, qb.id);
  m.run(ops.taskReply, { task: b.id, content: 'unblocked' }, planner(2001));
  assert.equal(signal(m, planner(2002)), undefined);
  assert.equal(codeOf(() => signal(m, impl1())), 'ROLE_FORBIDDEN');
});

test('signals: a question of an expired claim is no signal; a request for changes ends a submission signal; issue filter', () => {
  const m = new MemoryState();
  newIssue(m, 'I-AAAA');
  newIssue(m, 'I-BBBB');
  const a = newTask(m, 'A', 'I-AAAA');
  const b = newTask(m, 'B', 'I-BBBB');
  claim(m, a.id, impl1());
  claim(m, b.id, impl2());
  m.run(ops.taskAsk, { task: a.id, content: 'A?' }, impl1(10));
  m.run(ops.taskSubmitForReview, { id: b.id, reviewNotes: 'B done' }, impl2(20));
  assert.equal(signal(m, planner(30), 'I-BBBB')?.task, b.id);
  assert.equal(signal(m, planner2(30), 'I-BBBB'), undefined, 'held by planner-1');
  // impl-1's claim expires (3600 s lease): its question is nobody's work any more.
  assert.equal(signal(m, planner2(3700), 'I-AAAA'), undefined);
  m.run(ops.taskRequestChanges, { id: b.id, feedback: 'more tests' }, planner(3700));
  assert.equal(signal(m, planner2(3701)), undefined);
});

test('signal.claim on a review task without a submission record creates one to hold', () => {
  const m = new MemoryState();
  const t = newTask(m);
  claim(m, t.id, impl1());
  const legacy: Task = { ...task(m, t.id), status: 'review', review: { notes: 'old style', requestedAt: new Date(T0 + 5 * SEC).toISOString() } };
  delete legacy.submission;
  putTask(m, legacy);
  const s = signal(m, planner(10))!;
  assert.equal(s.type, 'submission');
  assert.equal(s.notes, 'old style');
  const held = task(m, t.id).submission!;
  assert.equal(held.by, 'impl-1');
  assert.equal(held.at, legacy.review!.requestedAt);
  assert.equal(held.hold?.by, 'planner-1');
  assert.equal(signal(m, planner2(11)), undefined);
});

// ---------------------------------------------------------------- pure: leases, expiry, reset, wait

test('task.extend_lease: extends a live claim, never shortens, refuses project tasks and expired claims', () => {
  const m = new MemoryState();
  newIssue(m);
  const t = newTask(m, 'Issue task', 'I-AAAA');
  claim(m, t.id, impl1());
  const r = m.run(ops.taskExtendLease, { task: t.id, extendSec: 7200 }, impl1(100));
  assert.equal(r.expiresAt, new Date(T0 + 7300 * SEC).toISOString());
  const shorter = m.run(ops.taskExtendLease, { task: t.id, extendSec: 60 }, impl1(200));
  assert.equal(shorter.extended, false);
  assert.equal(shorter.expiresAt, r.expiresAt);
  const byDefault = m.run(ops.taskExtendLease, { task: t.id }, impl1(5000));
  assert.equal(byDefault.expiresAt, new Date(T0 + 8600 * SEC).toISOString(), 'default: settings.taskLeaseSec from now');
  assert.equal(codeOf(() => m.run(ops.taskExtendLease, { task: t.id }, impl2(5000))), 'NOT_OWNER');
  assert.equal(codeOf(() => m.run(ops.taskExtendLease, { task: t.id }, impl1(9000))), 'LEASE_EXPIRED');
  assert.deepEqual(invalidFields(() => m.run(ops.taskExtendLease, { task: t.id, extendSec: 10 }, impl1())), ['extendSec'], 'extendSec below 60 is refused');

  const project = newTask(m, 'Project task');
  claim(m, project.id, impl1());
  assert.equal(codeOf(() => m.run(ops.taskExtendLease, { task: project.id }, impl1())), 'INVALID_INPUT');
});

test('S14: task claim expiry', () => {
  const m = new MemoryState();
  newIssue(m);
  const t = newTask(m, 'Issue task', 'I-AAAA');
  const other = newTask(m, 'Another task', 'I-AAAA');
  claim(m, t.id, impl1());
  claim(m, other.id, impl1());
  m.run(ops.lockAcquire, { path: 'src/a.ts', task: t.id, ttlSec: 86_400 }, impl1(10));
  m.run(ops.lockAcquire, { path: 'src/b.ts', task: other.id, ttlSec: 86_400 }, impl1(10));
  m.run(ops.taskAsk, { task: t.id, content: 'stuck?' }, impl1(20));
  // Leftovers a fresh claimer must not inherit: a submission, a review, a reservation.
  putTask(m, {
    ...task(m, t.id),
    submission: { at: new Date(T0 + 30 * SEC).toISOString(), by: 'impl-1', summary: 'half done', changedFiles: ['src/a.ts'], testCases: [], links: [] },
    review: { notes: 'half done', verdict: 'changes_requested', feedback: 'redo' },
    reservation: { for: 'impl-2', until: new Date(T0 + 9000 * SEC).toISOString() },
  });

  // The 3600 s lease runs out (asking at 20 s renewed nothing: renewal starts past half-life).
  const expired = 3700;
  assert.equal(codeOf(() => m.run(ops.taskExtendLease, { task: t.id }, impl1(expired))), 'LEASE_EXPIRED');
  assert.equal(codeOf(() => m.run(ops.taskAsk, { task: t.id, content: 'stuck?' }, impl1(expired))), 'LEASE_EXPIRED');
  assert.equal(codeOf(() => m.run(ops.taskMessage, { task: t.id, content: 'still here', kind: 'blocker' }, impl1(expired))), 'LEASE_EXPIRED');
  assert.equal(signal(m, planner(expired)), undefined, "the expired owner's question is nobody's signal");
  assert.deepEqual(waitableTasks(m.state, 'impl-2', T0 + expired * SEC, { limit: 50 }).map((r) => [r.id, r.status]).sort(), [
    [other.id, 'todo'],
    [t.id, 'todo'],
  ].sort());

  const taken = m.run(ops.taskClaim, { id: t.id }, impl2(expired));
  assert.equal(taken.expiredFrom, 'impl-1');
  const fresh = task(m, t.id);
  assert.equal(fresh.owner, 'impl-2');
  assert.equal(fresh.status, 'in_progress');
  assert.equal(fresh.submission, undefined);
  assert.equal(fresh.review, undefined);
  assert.equal(fresh.reservation, undefined);
  assert.equal(fresh.messages.length, 1, 'the old question stays as history');
  const leases = m.state.leases().items;
  assert.deepEqual(
    leases.map((l) => l.paths[0]),
    ['src/b.ts'],
    "the old owner's lease on the taken task is released; the one on its other task stays",
  );
  // The old owner is out: its lease and question tools now say so.
  assert.equal(codeOf(() => m.run(ops.taskExtendLease, { task: t.id }, impl1(expired))), 'NOT_OWNER');
  assert.equal(codeOf(() => m.run(ops.taskAsk, { task: t.id, content: 'stuck?' }, impl1(expired))), 'NOT_OWNER');
  // The new owner's identical question is its own, not the old one reused.
  const q = m.run(ops.taskAsk, { task: t.id, content: 'stuck?' }, impl2(expired + 1));
  assert.equal(q.reused, false);
  assert.equal(m.run(ops.taskReply, { task: t.id, content: 'no' }, planner(expired + 2)).question.id, q.question.id, "the current owner's question is answered first");
  assert.equal(task(m, t.id).status, 'in_progress');
});

test('task.reset: pristine todo, spec doc kept, other docs and only this task\'s leases removed', () => {
  const m = new MemoryState();
  const t = newTask(m, 'Reset me');
  const keep = newTask(m, 'Keep me');
  putTask(m, { ...task(m, t.id), specDoc: 'spec' });
  m.putText(`docs/tasks/${t.id}/spec.md`, '# Spec\n');
  m.putText(`docs/tasks/${t.id}/notes.md`, 'scratch\n');
  m.putText(`docs/tasks/${t.id}/sub/more.md`, 'scratch\n');
  m.putText(`docs/tasks/${keep.id}/notes.md`, 'other\n');
  claim(m, t.id, impl1());
  claim(m, keep.id, impl1());
  m.run(ops.lockAcquire, { path: 'src/a.ts', task: t.id }, impl1());
  m.run(ops.lockAcquire, { path: 'src/b.ts', task: keep.id }, impl1());
  m.run(ops.lockAcquire, { path: 'src/c.ts' }, impl2());
  m.run(ops.taskAsk, { task: t.id, content: 'q?' }, impl1());

  assert.equal(codeOf(() => m.run(ops.taskReset, { task: t.id }, impl1())), 'ROLE_FORBIDDEN');
  const r = m.run(ops.taskReset, { task: t.id, reason: 'wrong approach' }, planner(5));
  assert.equal(r.changed, true);
  assert.deepEqual(r.deletedDocs.sort(), [`docs/tasks/${t.id}/notes.md`, `docs/tasks/${t.id}/sub/more.md`]);
  const reset = task(m, t.id);
  assert.equal(reset.status, 'todo');
  assert.equal(reset.owner, undefined);
  assert.equal(reset.claim, undefined);
  assert.equal(reset.specDoc, 'spec');
  assert.equal(reset.messages.length, 1, 'messages stay as history');
  assert.equal(m.state.doc(`docs/tasks/${t.id}/spec.md`), '# Spec\n');
  assert.equal(m.state.doc(`docs/tasks/${keep.id}/notes.md`), 'other\n');
  assert.deepEqual(m.state.leases().items.map((l) => l.paths[0]).sort(), ['src/b.ts', 'src/c.ts']);
  assert.equal(signal(m, planner(6)), undefined, 'no signal from a reset task');
  // Resetting a clean todo task again changes nothing.
  const commits = m.commits;
  assert.equal(m.run(ops.taskReset, { task: t.id }, planner(7)).changed, false);
  assert.equal(m.commits, commits);
  // A done task can be reset too (a planner decision).
  claim(m, t.id, impl2(8));
  m.run(ops.taskSubmitForReview, { id: t.id, reviewNotes: 'done' }, impl2(9));
  m.run(ops.taskApprove, { id: t.id }, planner(10));
  assert.equal(m.run(ops.taskReset, { task: t.id }, planner(11)).task.status, 'todo');
  assert.equal(codeOf(() => m.run(ops.taskReset, { task: 'T-ZZZZ' }, planner())), 'TASK_NOT_FOUND');
});

// ---------------------------------------------------------------- MCP end to end

interface Signal {
  type: string;
  task: string;
  messageId?: string;
  from: string;
  content?: string;
  holdUntil: string;
}
interface SignalResult {
  signal?: Signal;
  timedOut: boolean;
  cursor: string | null;
}

test('S12: task_ask timeout is a result and a retry does not duplicate the question', async () => {
  const repo = makeRepo();
  const lead = await initAgent(repo, 'planner', 'planner-1');
  const worker = await initAgent(repo, 'implementer', 'impl-1');
  const { task: t } = await lead.call<{ task: Task }>('task_create', { title: 'Ask me', complexity: 'medium' });
  await worker.call('task_claim', { id: t.id });
  const first = await worker.call<{ answered: boolean; timedOut: boolean; messageId: string; cursor: string; hint: string }>('task_ask', {
    task: t.id,
    content: 'Which port?',
    timeoutSec: 1,
  });
  assert.equal(first.answered, false);
  assert.equal(first.timedOut, true);
  assert.match(first.messageId, /^M-/);
  assert.match(first.cursor, /^[0-9a-f]{40}$/);
  const second = await worker.call<{ timedOut: boolean; messageId: string }>('task_ask', { task: t.id, content: 'Which port?', timeoutSec: 1 });
  assert.equal(second.timedOut, true);
  assert.equal(second.messageId, first.messageId, 'the retry resumes the same question');
  const seen = (await lead.call<{ task: Task }>('task_get', { id: t.id })).task;
  assert.equal(seen.messages.length, 1);
  assert.equal(seen.status, 'blocked');
  assert.equal(stateSubjects(repo).filter((s) => s.startsWith('task.ask')).length, 1, 'one question commit, no duplicate');
  // The planner answers while nobody waits; the next retry returns the answer at once.
  await lead.call('task_reply', { task: t.id, content: '8080' });
  const third = await worker.call<{ answered: boolean; reply: { content: string }; status: string }>('task_ask', { task: t.id, content: 'Which port?', timeoutSec: 1 });
  assert.equal(third.answered, true);
  assert.equal(third.reply.content, '8080');
  assert.equal(third.status, 'in_progress');
  assert.equal((await lead.call<{ task: Task }>('task_get', { id: t.id })).task.messages.length, 2);
});

test('task_ask end to end: a planner reply in another process unblocks the waiting worker', async () => {
  const repo = makeRepo();
  const lead = await initAgent(repo, 'planner', 'planner-1');
  const worker = await initAgent(repo, 'implementer', 'impl-1');
  const { task: t } = await lead.call<{ task: Task }>('task_create', { title: 'Needs an answer', complexity: 'medium' });
  await worker.call('task_claim', { id: t.id });
  const asking = worker.call<{ answered: boolean; question: { id: string }; reply: { content: string; from: string }; status: string }>('task_ask', {
    task: t.id,
    content: 'May I add a dependency?',
    kind: 'blocker',
    timeoutSec: 30,
  });
  const got = await lead.call<SignalResult>('events_wait', { signals: true, timeoutSec: 20 });
  assert.equal(got.signal?.type, 'blocker');
  assert.equal(got.signal?.from, 'impl-1');
  assert.equal(got.signal?.content, 'May I add a dependency?');
  assert.equal((await lead.call<{ task: Task }>('task_get', { id: t.id })).task.status, 'blocked');
  await lead.call('task_reply', { task: t.id, messageId: got.signal!.messageId, content: 'Yes, zod only.' });
  const answer = await asking;
  assert.equal(answer.answered, true);
  assert.equal(answer.question.id, got.signal!.messageId);
  assert.equal(answer.reply.content, 'Yes, zod only.');
  assert.equal(answer.reply.from, 'planner-1');
  assert.equal(answer.status, 'in_progress');
  // Handled: no signal is left.
  const none = await lead.call<SignalResult>('events_wait', { signals: true, timeoutSec: 1 });
  assert.equal(none.timedOut, true);
  assert.equal(none.signal, undefined);
  const subjects = stateSubjects(repo);
  assert.ok(subjects.includes(`task.ask ${t.id} blocker ${got.signal!.messageId} by impl-1`), subjects.join('\n'));
  assert.ok(subjects.includes(`task.reply ${t.id} reply ${got.signal!.messageId} -> in_progress by planner-1`), subjects.join('\n'));
  fsckStrict(repo);
});

test('events_wait signals: two planner processes never get the same signal', async () => {
  const repo = makeRepo();
  const p1 = await initAgent(repo, 'planner', 'planner-1');
  const p2 = await initAgent(repo, 'planner', 'planner-2');
  const w1 = await initAgent(repo, 'implementer', 'impl-1');
  const w2 = await initAgent(repo, 'implementer', 'impl-2');
  assert.equal((await toolError(w1.call('events_wait', { signals: true, timeoutSec: 1 }))).code, 'ROLE_FORBIDDEN');
  const { task: a } = await p1.call<{ task: Task }>('task_create', { title: 'A', complexity: 'medium' });
  const { task: b } = await p1.call<{ task: Task }>('task_create', { title: 'B', complexity: 'medium' });
  await w1.call('task_claim', { id: a.id });
  await w2.call('task_claim', { id: b.id });
  // Both planners are already waiting when the two questions arrive.
  const waits = Promise.all([p1.call<SignalResult>('events_wait', { signals: true, timeoutSec: 20 }), p2.call<SignalResult>('events_wait', { signals: true, timeoutSec: 20 })]);
  await w1.call('task_message', { task: a.id, content: 'A?', kind: 'question' });
  await w2.call('task_message', { task: b.id, content: 'B?', kind: 'question' });
  const [r1, r2] = await waits;
  assert.ok(r1.signal && r2.signal, 'each planner got a signal');
  assert.notEqual(r1.signal.messageId, r2.signal.messageId);
  assert.deepEqual([r1.signal.task, r2.signal.task].sort(), [a.id, b.id].sort());
  // Called again, each gets its own held signal back, never the other's.
  const [again1, again2] = await Promise.all([p1.call<SignalResult>('events_wait', { signals: true, timeoutSec: 5 }), p2.call<SignalResult>('events_wait', { signals: true, timeoutSec: 5 })]);
  assert.equal(again1.signal?.messageId, r1.signal.messageId);
  assert.equal(again2.signal?.messageId, r2.signal.messageId);
  // Plain events_wait still streams events.
  const events = await p1.call<{ events: { op: string }[] }>('events_wait', { cursor: r1.cursor, timeoutSec: 1 });
  assert.ok(Array.isArray(events.events));
});

test('signal holds survive a planner restart', async () => {
  const repo = makeRepo();
  const first = await initAgent(repo, 'planner', 'planner-1');
  const worker = await initAgent(repo, 'implementer', 'impl-1');
  const { task: t } = await first.call<{ task: Task }>('task_create', { title: 'Held', complexity: 'medium' });
  await worker.call('task_claim', { id: t.id });
  await worker.call('task_message', { task: t.id, content: 'Ready to merge?', kind: 'question' });
  const got = await first.call<SignalResult>('events_wait', { signals: true, timeoutSec: 10 });
  assert.ok(got.signal);
  await first.close();

  const restarted = await initAgent(repo, 'planner', 'planner-1');
  const back = await restarted.call<SignalResult>('events_wait', { signals: true, timeoutSec: 5 });
  assert.equal(back.signal?.messageId, got.signal.messageId, 'the restarted planner gets its held signal back');
  const other = await initAgent(repo, 'planner', 'planner-2');
  const nothing = await other.call<SignalResult>('events_wait', { signals: true, timeoutSec: 1 });
  assert.equal(nothing.timedOut, true, 'another planner does not get it while the hold lasts');
  await restarted.close();
  // After the hold (signalClaimSec, 600 s) another planner gets it: a server whose clock runs ahead.
  const later = await initAgent(repo, 'planner', 'planner-3', { env: { LOCKSTEP_CLOCK_OFFSET_MS: String(700 * SEC) } });
  const redelivered = await later.call<SignalResult>('events_wait', { signals: true, timeoutSec: 5 });
  assert.equal(redelivered.signal?.messageId, got.signal.messageId);
});

test('S16: task_reset keeps the state history and releases only that task\'s leases', async () => {
  const repo = makeRepo();
  const lead = await initAgent(repo, 'planner', 'planner-1');
  const w1 = await initAgent(repo, 'implementer', 'impl-1');
  const w2 = await initAgent(repo, 'implementer', 'impl-2');
  const { task: a } = await lead.call<{ task: Task }>('task_create', { title: 'A', complexity: 'medium' });
  const { task: b } = await lead.call<{ task: Task }>('task_create', { title: 'B', complexity: 'medium' });
  const { task: c } = await lead.call<{ task: Task }>('task_create', { title: 'C', complexity: 'medium' });
  await w1.call('task_claim', { id: a.id });
  await w1.call('task_claim', { id: b.id });
  await w2.call('task_claim', { id: c.id });
  await w1.call('lock_acquire', { path: 'src/a.ts', task: a.id });
  await w1.call('lock_acquire', { path: 'src/b.ts', task: b.id });
  await w2.call('lock_acquire', { path: 'src/c.ts', task: c.id });
  await w1.call('task_message', { task: a.id, content: 'progress: half way' });
  const before = stateSubjects(repo);
  assert.equal((await toolError(w1.call('task_reset', { task: a.id }))).code, 'ROLE_FORBIDDEN');

  const r = await lead.call<{ task: Task; releasedLeases: string[] }>('task_reset', { task: a.id, reason: 'wrong approach' });
  assert.equal(r.task.status, 'todo');
  assert.equal(r.task.owner, undefined);
  assert.equal(r.releasedLeases.length, 1);
  const leases = await lead.call<{ leases: { paths: string[]; task?: string }[] }>('lock_list', {});
  assert.deepEqual(leases.leases.map((l) => l.paths[0]).sort(), ['src/b.ts', 'src/c.ts']);

  const after = stateSubjects(repo);
  assert.deepEqual(after.slice(0, before.length), before, 'nothing in the history is rewritten');
  assert.equal(after[after.length - 1], `task.reset ${a.id} -> todo by planner-1`);
  assert.ok(after.includes(`task.claim ${a.id} by impl-1`), 'the claim of the reset task is still in the history');
  const seen = (await lead.call<{ task: Task }>('task_get', { id: a.id })).task;
  assert.equal(seen.messages.length, 1, 'its messages are kept');
  // Free for the next claimer, who inherits nothing.
  const next = await w2.call<{ task: Task }>('task_claim', { id: a.id });
  assert.equal(next.task.owner, 'impl-2');
  fsckStrict(repo);
});

test('task_wait returns claimable tasks at once, or times out with a result', async () => {
  const repo = makeRepo();
  const lead = await initAgent(repo, 'planner', 'planner-1');
  const worker = await initAgent(repo, 'implementer', 'impl-1');
  const empty = await worker.call<{ tasks: unknown[]; timedOut: boolean; cursor: string | null }>('task_wait', { timeoutSec: 1 });
  assert.equal(empty.timedOut, true);
  assert.deepEqual(empty.tasks, []);
  const waiting = worker.call<{ tasks: { id: string; status: string }[]; timedOut: boolean }>('task_wait', { timeoutSec: 20 });
  const { task: t } = await lead.call<{ task: Task }>('task_create', { title: 'New work', complexity: 'simple' });
  const woke = await waiting;
  assert.equal(woke.timedOut, false);
  assert.deepEqual(woke.tasks.map((x) => [x.id, x.status]), [[t.id, 'todo']]);
  await worker.call('task_claim', { id: t.id });
  const mine = await worker.call<{ tasks: { id: string }[]; timedOut: boolean }>('task_wait', { status: 'in_progress', timeoutSec: 1 });
  assert.deepEqual(mine.tasks.map((x) => x.id), [t.id]);
  assert.equal((await toolError(lead.call('task_wait', { timeoutSec: 1 }))).code, 'ROLE_FORBIDDEN');
});
