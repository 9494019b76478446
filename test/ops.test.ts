// Pure op tests: the domain rules without git or processes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFile, encodeFile } from '../src/state/core/codec.js';
import { idSource, mintId } from '../src/state/core/ids.js';
import { normalizeLockPath } from '../src/state/leases.js';
import { ops } from '../src/state/ops/index.js';
import { taskList, taskListInput } from '../src/state/queries/task-list.js';
import { codeOf, ctxFor, errorOf, MemoryState } from './memory-state.js';

const planner = ctxFor('planner-1', 'planner');
const impl1 = ctxFor('impl-1', 'implementer');
const impl2 = ctxFor('impl-2', 'implementer');

function newTask(m: MemoryState, title = 'Do it', extra: Record<string, unknown> = {}) {
  return m.run(ops.taskCreate, { title, ...extra }, ctxFor('planner-1', 'planner')).task;
}

test('task ids are short, prefixed and never reused', () => {
  const m = new MemoryState();
  const ids = new Set<string>();
  for (let i = 0; i < 300; i++) ids.add(newTask(m, `t${i}`).id);
  assert.equal(ids.size, 300);
  for (const id of ids) assert.match(id, /^T-[0-9A-Z]{4}$/);
  // A fully taken 4-char space grows the id instead of looping forever.
  const rng = idSource('x');
  const grown = mintId(rng, 'T', (id) => id.length === 6);
  assert.match(grown, /^T-[0-9A-Z]{5}$/);
});

test('claim: only todo tasks, one owner, a done task is never reopened by a claim', () => {
  const m = new MemoryState();
  const t = newTask(m);
  const claimed = m.run(ops.taskClaim, { id: t.id }, impl1).task;
  assert.equal(claimed.status, 'in_progress');
  assert.equal(claimed.owner, 'impl-1');
  assert.equal(codeOf(() => m.run(ops.taskClaim, { id: t.id }, impl2)), 'TASK_NOT_CLAIMABLE');
  m.run(ops.taskSubmitForReview, { id: t.id, reviewNotes: 'done' }, impl1);
  m.run(ops.taskApprove, { id: t.id }, planner);
  assert.equal(codeOf(() => m.run(ops.taskClaim, { id: t.id }, impl2)), 'TASK_NOT_CLAIMABLE');
  assert.equal(m.state.task(t.id)?.status, 'done');
  assert.equal(codeOf(() => m.run(ops.taskClaim, { id: 'T-ZZZZ' }, impl1)), 'TASK_NOT_FOUND');
});

test('claim: owner parameter must be the caller (no impersonation)', () => {
  const m = new MemoryState();
  const t = newTask(m);
  assert.equal(codeOf(() => m.run(ops.taskClaim, { id: t.id, owner: 'impl-2' }, impl1)), 'IDENTITY_MISMATCH');
  assert.equal(m.run(ops.taskClaim, { id: t.id, owner: 'impl-1' }, impl1).task.owner, 'impl-1');
});

test('dependencies: a task is claimable only when its dependencies are done; cycles are refused', () => {
  const m = new MemoryState();
  const a = newTask(m, 'a', { complexity: 'simple' });
  const b = newTask(m, 'b', { dependsOn: [a.id] });
  assert.equal(codeOf(() => m.run(ops.taskClaim, { id: b.id }, impl1)), 'TASK_NOT_CLAIMABLE');
  assert.equal(codeOf(() => m.run(ops.taskUpdate, { id: a.id, dependsOn: [b.id] }, planner)), 'INVALID_INPUT');
  assert.equal(codeOf(() => m.run(ops.taskCreate, { title: 'c', dependsOn: ['T-0000'] }, planner)), 'TASK_NOT_FOUND');
  m.run(ops.taskClaim, { id: a.id }, impl1);
  m.run(ops.taskUpdate, { id: a.id, status: 'done' }, impl1);
  assert.equal(m.run(ops.taskClaim, { id: b.id }, impl2).task.owner, 'impl-2');
});

test('transitions: legal moves only, by the right agent', () => {
  const m = new MemoryState();
  const t = newTask(m, 'medium task');
  assert.equal(codeOf(() => m.run(ops.taskUpdate, { id: t.id, status: 'in_progress' }, planner)), 'INVALID_TRANSITION');
  assert.equal(codeOf(() => m.run(ops.taskUpdate, { id: t.id, title: 'x' }, impl1)), 'NOT_OWNER');
  m.run(ops.taskClaim, { id: t.id }, impl1);
  // Medium tasks go through review: the owner cannot mark them done.
  assert.equal(codeOf(() => m.run(ops.taskUpdate, { id: t.id, status: 'done' }, impl1)), 'INVALID_TRANSITION');
  assert.equal(codeOf(() => m.run(ops.taskUpdate, { id: t.id, status: 'blocked' }, impl2)), 'NOT_OWNER');
  // Review moves have their own ops (they carry notes and feedback).
  assert.equal(codeOf(() => m.run(ops.taskUpdate, { id: t.id, status: 'review' }, impl1)), 'INVALID_TRANSITION');
  assert.equal(codeOf(() => m.run(ops.taskSubmitForReview, { id: t.id, reviewNotes: 'n' }, impl2)), 'NOT_OWNER');
  m.run(ops.taskSubmitForReview, { id: t.id, reviewNotes: 'n' }, impl1);
  assert.equal(codeOf(() => m.run(ops.taskUpdate, { id: t.id, status: 'done' }, impl1)), 'INVALID_TRANSITION');
  assert.equal(codeOf(() => m.run(ops.taskUpdate, { id: t.id, status: 'done' }, planner)), 'INVALID_TRANSITION');
  assert.equal(codeOf(() => m.run(ops.taskApprove, { id: t.id }, impl1)), 'ROLE_FORBIDDEN');
  m.run(ops.taskApprove, { id: t.id }, planner);
  // Giving a task back clears its owner.
  const u = newTask(m, 'u');
  m.run(ops.taskClaim, { id: u.id }, impl1);
  const back = m.run(ops.taskUpdate, { id: u.id, status: 'todo' }, impl1).task;
  assert.equal(back.owner, undefined);
  assert.equal(back.claim, undefined);
});

test('an update that changes nothing commits nothing', () => {
  const m = new MemoryState();
  const t = newTask(m, 'same');
  const before = m.commits;
  const r = m.run(ops.taskUpdate, { id: t.id, title: 'same' }, planner);
  assert.equal(r.changed, false);
  assert.equal(m.commits, before);
});

test('project context: omitted fields are kept (seed bug L15)', () => {
  const m = new MemoryState();
  assert.equal(codeOf(() => m.run(ops.projectContextSet, { description: 'only this' }, planner)), 'INVALID_INPUT');
  m.run(ops.projectContextSet, { description: 'd', endState: 'e', techStack: ['ts'], tests: ['npm test'] }, planner);
  const r = m.run(ops.projectContextSet, { implementationPlan: ['step 1'] }, planner);
  assert.deepEqual(r.context.techStack, ['ts']);
  assert.deepEqual(r.context.tests, ['npm test']);
  assert.deepEqual(r.context.implementationPlan, ['step 1']);
  assert.equal(r.context.description, 'd');
});

test('project status: stopped and complete leave a system note', () => {
  const m = new MemoryState();
  m.run(ops.projectStatusSet, { status: 'stopped' }, planner);
  const notes = m.state.notes().items;
  assert.equal(notes.length, 1);
  assert.equal(notes[0]!.kind, 'system');
  assert.match(notes[0]!.text, /STOPPED/);
  assert.equal(m.run(ops.projectStatusSet, { status: 'stopped' }, planner).changed, false);
});

test('lock paths: one canonical form; nothing outside the repository', () => {
  assert.equal(normalizeLockPath('./src//a.ts', '/repo'), 'src/a.ts');
  assert.equal(normalizeLockPath('/repo/src/a.ts', '/repo'), 'src/a.ts');
  assert.equal(normalizeLockPath('src\\b\\..\\a.ts', '/repo'), 'src/a.ts');
  assert.equal(normalizeLockPath('src/dir/', '/repo'), 'src/dir');
  for (const bad of ['../etc/passwd', '/etc/passwd', '/repo-other/a', '.', '.git/config', 'a\u0000b', 'x'.repeat(5000)]) {
    assert.equal(codeOf(() => normalizeLockPath(bad, '/repo')), 'INVALID_INPUT', bad);
  }
});

test('leases: conflict names the holder, re-acquire extends, release re-acquirable (seed bug L1), owner checked', () => {
  const m = new MemoryState();
  const l1 = m.run(ops.lockAcquire, { path: 'src/a.ts', reason: 'editing' }, impl1);
  assert.equal(l1.created, true);
  const err = errorOf(() => m.run(ops.lockAcquire, { path: './src/a.ts' }, impl2));
  assert.equal(err.code, 'LOCK_HELD');
  assert.equal(err.data?.holder, 'impl-1');
  assert.equal(err.data?.leaseId, l1.lease.id);
  // A folder overlaps the files in it, both ways; the conflict names the path that overlaps.
  assert.equal(codeOf(() => m.run(ops.lockAcquire, { path: 'src' }, impl2)), 'LOCK_HELD');
  m.run(ops.lockAcquire, { path: 'docs' }, impl1);
  assert.equal(errorOf(() => m.run(ops.lockAcquire, { path: 'docs/guide.md' }, impl2)).data?.heldPath, 'docs');
  const again = m.run(ops.lockAcquire, { path: 'src/a.ts' }, impl1);
  assert.deepEqual(again.extended, [l1.lease.id]);
  assert.equal(again.lease.id, l1.lease.id);
  assert.equal(codeOf(() => m.run(ops.lockRelease, { path: 'src/a.ts' }, impl2)), 'NOT_OWNER');
  m.run(ops.lockRelease, { path: '/repo/src/a.ts' }, impl1);
  assert.equal(codeOf(() => m.run(ops.lockRelease, { path: 'src/a.ts' }, impl1)), 'LOCK_NOT_FOUND');
  const l2 = m.run(ops.lockAcquire, { path: 'src/a.ts' }, impl2);
  assert.equal(l2.lease.owner, 'impl-2');
});

test('leases: an expired lease is taken over in the same change, visible in the result', () => {
  const m = new MemoryState();
  const t0 = Date.parse('2026-11-24T10:00:00.000Z');
  const l1 = m.run(ops.lockAcquire, { path: 'src/a.ts', ttlSec: 60 }, ctxFor('impl-1', 'implementer', t0));
  const later = ctxFor('impl-2', 'implementer', t0 + 61_000);
  const l2 = m.run(ops.lockAcquire, { path: 'src/a.ts' }, later);
  assert.deepEqual(l2.tookOver, [{ leaseId: l1.lease.id, owner: 'impl-1', paths: ['src/a.ts'] }]);
  assert.equal(m.state.lease(l1.lease.id), undefined);
});

test('task_list: oldest first, done hidden by default, paginated', () => {
  const m = new MemoryState();
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push(m.run(ops.taskCreate, { title: `t${i}`, complexity: 'simple' }, ctxFor('planner-1', 'planner', 1_700_000_000_000 + i)).task.id);
  m.run(ops.taskClaim, { id: ids[0]! }, impl1);
  m.run(ops.taskUpdate, { id: ids[0]!, status: 'done' }, impl1);
  const page = taskList(m.state, taskListInput.parse({ limit: 2 }));
  assert.deepEqual(page.tasks.map((t) => t.id), ids.slice(1, 3));
  assert.equal(page.total, 4);
  assert.equal(page.hasMore, true);
  assert.equal(page.doneCount, 1);
  assert.match(page.hint ?? '', /hidden/);
  assert.equal(taskList(m.state, taskListInput.parse({ includeDone: true })).total, 5);
  assert.equal(taskList(m.state, taskListInput.parse({ status: 'done' })).tasks[0]!.id, ids[0]);
});

test('codec: sorted keys, no empty lists, stable bytes, and a bad file is corrupt, not fatal', () => {
  const m = new MemoryState();
  const t = newTask(m, 'Title with: colon # and "quotes"\nand a second line', { tags: ['x'] });
  const text = encodeFile(`tasks/${t.id.slice(2, 4)}/${t.id}.yaml`, t);
  const keys = text.split('\n').filter((l) => /^[a-zA-Z]/.test(l)).map((l) => l.split(':')[0]);
  assert.deepEqual(keys, [...keys].sort());
  assert.doesNotMatch(text, /\[\]/);
  assert.equal(encodeFile('x.yaml', { b: 1, a: 2 }), encodeFile('x.yaml', { a: 2, b: 1 }));
  const path = `tasks/${t.id.slice(2, 4)}/${t.id}.yaml`;
  const round = decodeFile(path, text);
  assert.ok(round.ok);
  assert.deepEqual(round.value, m.state.task(t.id));
  for (const [bad, why] of [
    ['title: [unclosed', /invalid YAML/],
    ['id: T-ZZZZ\ntitle: x\nstatus: todo\ncomplexity: medium\ncreatedAt: 2026-01-01T00:00:00Z\ncreatedBy: p\nupdatedAt: 2026-01-01T00:00:00Z\n', /does not match/],
    ['a: &x [1]\nb: *x\n', /YAML|alias/i],
    [text.replace('status: todo', 'status: <img onerror=alert(1)>'), /status/],
  ] as const) {
    const d = decodeFile(path, bad);
    assert.equal(d.ok, false);
    if (!d.ok) {
      assert.equal(d.path, path);
      assert.match(d.reason, why);
    }
  }
  m.putText(path, 'title: [unclosed');
  assert.equal(codeOf(() => m.state.task(t.id)), 'STATE_CORRUPT');
  assert.equal(m.state.tasks().corrupt[0]?.path, path);
});

test('format: a newer state format is refused with FORMAT_TOO_NEW', () => {
  const m = new MemoryState();
  m.putText('lockstep.yaml', 'format: 99\n');
  assert.equal(codeOf(() => m.state.meta()), 'FORMAT_TOO_NEW');
});

test('review: request changes sends the task back with feedback; the last approval leaves ALL TASKS COMPLETE once', () => {
  const m = new MemoryState();
  const a = newTask(m, 'a');
  const b = newTask(m, 'b');
  m.run(ops.taskClaim, { id: a.id }, impl1);
  m.run(ops.taskClaim, { id: b.id }, impl2);
  m.run(ops.taskSubmitForReview, { id: a.id, reviewNotes: 'first try' }, impl1);
  const back = m.run(ops.taskRequestChanges, { id: a.id, feedback: 'add tests' }, planner).task;
  assert.equal(back.status, 'in_progress');
  assert.equal(back.owner, 'impl-1');
  assert.equal(back.review?.verdict, 'changes_requested');
  m.run(ops.taskSubmitForReview, { id: a.id, reviewNotes: 'tests added' }, impl1);
  assert.equal(m.run(ops.taskApprove, { id: a.id }, planner).allComplete, false, 'b is still open');
  m.run(ops.taskSubmitForReview, { id: b.id, reviewNotes: 'b' }, impl2);
  const batch = m.run(ops.taskApproveBatch, { ids: [b.id, a.id, 'T-ZZZZ'] }, planner);
  assert.equal(batch.approved, 1);
  assert.deepEqual(batch.results.filter((r) => !r.approved).map((r) => r.error?.code).sort(), ['INVALID_TRANSITION', 'TASK_NOT_FOUND']);
  assert.equal(batch.allComplete, true);
  const system = [...m.files.values()].filter((d) => d.ok && (d.value as { text?: string }).text?.includes('ALL TASKS COMPLETE'));
  assert.equal(system.length, 1);
});

test('task_next: dependencies first, then oldest; nothing ready is a result, not an error', () => {
  const m = new MemoryState();
  const early = newTask(m, 'early');
  const base = newTask(m, 'base', { complexity: 'simple' });
  newTask(m, 'needs base', { dependsOn: [base.id] });
  assert.equal(m.run(ops.taskNext, {}, impl1).task?.id, base.id, 'the task that unblocks others goes first');
  assert.equal(m.run(ops.taskNext, {}, impl2).task?.id, early.id);
  const none = m.run(ops.taskNext, {}, impl2);
  assert.equal(none.claimed, false);
  assert.ok(none.hint);
  m.run(ops.taskUpdate, { id: base.id, status: 'done' }, impl1);
  assert.equal(m.run(ops.taskNext, {}, impl2).task?.title, 'needs base');
});
