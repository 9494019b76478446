// File leases (issue 5): all-or-nothing multi-path acquire, globs, shared leases, waiting, heartbeat,
// activity renewal, task-tied release, force release; swarm bugs S1-S4; the `lockstep lock` CLI.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { z } from 'zod';
import { activityChanges } from '../src/state/activity.js';
import type { Op } from '../src/state/core/op.js';
import type { Ctx } from '../src/state/core/ctx.js';
import { ops } from '../src/state/ops/index.js';
import { lockList, lockListInput } from '../src/state/queries/lock-list.js';
import type { Lease, Note } from '../src/state/core/schema.js';
import { cli, initAgent, makeRepo, sleep, stateSubjects, toolError } from './helpers.js';
import { codeOf, ctxFor, errorOf, MemoryState } from './memory-state.js';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const SEC = 1000;
const impl1 = (s = 0) => ctxFor('impl-1', 'implementer', T0 + s * SEC);
const impl2 = (s = 0) => ctxFor('impl-2', 'implementer', T0 + s * SEC);
const planner = (s = 0) => ctxFor('planner-1', 'planner', T0 + s * SEC);

type Acquired = { lease: Lease; created: boolean; extended: string[]; tookOver: { leaseId: string; owner: string; paths: string[] }[] };

const acquire = (m: MemoryState, input: Record<string, unknown>, ctx: Ctx) => m.run(ops.lockAcquire, input, ctx) as Acquired;
const leases = (m: MemoryState) => m.state.leases().items;
const lease = (m: MemoryState, id: string) => m.state.lease(id);

/** Run an op the way the store does, activity changes included (MemoryState.run leaves them out). */
function runWithActivity<S extends z.ZodType, R>(m: MemoryState, op: Op<S, R>, input: z.input<S>, ctx: Ctx): R {
  const out = op.run(m.state, op.input.parse(input), ctx);
  if (out.changes.length === 0) return out.result;
  const all = [...out.changes, ...activityChanges(m.state, ctx, out.changes)];
  for (const c of all) m.put(c.path, c.value);
  m.commits++;
  return out.result;
}

test('multi-path conflict: nothing is partially held', () => {
  const m = new MemoryState();
  const t = m.run(ops.taskCreate, { title: 'Refactor db' }, planner()).task;
  const held = acquire(m, { paths: ['src/db/**', 'docs/api.md'], task: t.id, reason: 'schema change' }, impl1());
  assert.equal(held.created, true);
  assert.deepEqual(held.lease.paths, ['src/db/**', 'docs/api.md']);
  const commits = m.commits;
  const err = errorOf(() => acquire(m, { paths: ['src/free.ts', 'src/db/conn.ts', 'docs'] }, impl2()));
  assert.equal(err.code, 'LOCK_HELD');
  const conflicts = err.data?.conflicts as { path: string; heldPath: string; holder: string; leaseId: string; task: string; expiresAt: string; exclusive: boolean }[];
  assert.deepEqual(
    conflicts.map((c) => [c.path, c.heldPath, c.holder, c.leaseId, c.task, c.expiresAt, c.exclusive]),
    [
      ['src/db/conn.ts', 'src/db/**', 'impl-1', held.lease.id, t.id, held.lease.expiresAt, true],
      ['docs', 'docs/api.md', 'impl-1', held.lease.id, t.id, held.lease.expiresAt, true],
    ],
  );
  // The flat fields are the first conflict (older callers read them).
  assert.equal(err.data?.holder, 'impl-1');
  assert.equal(err.data?.path, 'src/db/conn.ts');
  assert.equal(err.data?.heldPath, 'src/db/**');
  assert.equal(m.commits, commits, 'a refused attempt commits nothing');
  assert.deepEqual(leases(m).map((l) => l.owner), ['impl-1'], 'src/free.ts was not leased either');
  // The same free path alone is fine.
  assert.equal(acquire(m, { path: 'src/free.ts' }, impl2()).created, true);
  // path and paths merge; duplicates (in any spelling) count once; no path at all is refused.
  const both = acquire(m, { path: 'lib/x.ts', paths: ['./lib/x.ts', '/repo/lib/y.ts'] }, impl2());
  assert.deepEqual(both.lease.paths, ['lib/x.ts', 'lib/y.ts']);
  assert.equal(codeOf(() => acquire(m, {}, impl2())), 'INVALID_INPUT');
  assert.equal(codeOf(() => acquire(m, { paths: ['src/**/../../../x'] }, impl2())), 'INVALID_INPUT', '.. out of the repository is refused, globs or not');
  assert.equal(codeOf(() => acquire(m, { path: 'lib/z.ts', task: 'T-ZZZZ' }, impl2())), 'TASK_NOT_FOUND');
});

test('globs overlap both ways', () => {
  for (const [first, second] of [
    ['src/**', 'src/a.ts'],
    ['src/a.ts', 'src/**'],
    ['src/*.ts', 'src'],
    ['src', 'src/*.ts'],
    ['src/**/*.test.ts', 'src/lib/a.test.ts'],
    ['src/lib/a.test.ts', 'src/**/*.test.ts'],
  ]) {
    const m = new MemoryState();
    acquire(m, { path: first }, impl1());
    assert.equal(codeOf(() => acquire(m, { path: second }, impl2())), 'LOCK_HELD', `${first} then ${second}`);
  }
  // Patterns that cannot match a common path do not conflict.
  const m = new MemoryState();
  acquire(m, { paths: ['src/*.ts', 'test/**'] }, impl1());
  assert.equal(acquire(m, { paths: ['src/*.md', 'src/lib/a.ts', 'tests/x.ts'] }, impl2()).created, true);
});

test('shared leases: shared+shared ok, shared vs exclusive conflicts both ways', () => {
  const m = new MemoryState();
  const s1 = acquire(m, { path: 'docs/**', exclusive: false }, impl1());
  assert.equal(s1.lease.exclusive, false);
  const s2 = acquire(m, { path: 'docs/guide.md', exclusive: false }, impl2());
  assert.equal(s2.created, true);
  // Exclusive over a shared lease: refused (impl-3 against both readers).
  const impl3 = ctxFor('impl-3', 'implementer', T0);
  const err = errorOf(() => acquire(m, { path: 'docs/guide.md' }, impl3));
  assert.equal(err.code, 'LOCK_HELD');
  assert.deepEqual((err.data?.conflicts as { holder: string; exclusive: boolean }[]).map((c) => [c.holder, c.exclusive]).sort(), [
    ['impl-1', false],
    ['impl-2', false],
  ]);
  // Shared over an exclusive lease: refused too.
  acquire(m, { path: 'src/a.ts' }, impl3);
  assert.equal(codeOf(() => acquire(m, { path: 'src', exclusive: false }, impl1())), 'LOCK_HELD');
  // Your shared lease does not cover an exclusive request: other readers still block it.
  assert.equal(codeOf(() => acquire(m, { path: 'docs/**' }, impl1())), 'LOCK_HELD');
  // Re-acquiring shared extends the shared lease in place.
  const again = acquire(m, { path: 'docs/a.md', exclusive: false }, impl1(10));
  assert.equal(again.created, false);
  assert.deepEqual(again.extended, [s1.lease.id]);
  // lock_list filters by overlap with a path or a pattern.
  const list = (input: Record<string, unknown>) => lockList(m.state, lockListInput.parse(input), T0 + 20 * SEC, '/repo').leases.map((l) => l.owner).sort();
  assert.deepEqual(list({ path: 'docs/guide.md' }), ['impl-1', 'impl-2']);
  assert.deepEqual(list({ pattern: 'src/*' }), ['impl-3']);
  assert.deepEqual(list({ pattern: '**/*.md', owner: 'impl-2' }), ['impl-2']);
  assert.deepEqual(list({ path: 'lib' }), []);
});

test('S1: a failed multi-path attempt never touches your leases; re-acquiring extends in place', () => {
  const m = new MemoryState();
  const a = acquire(m, { path: 'src/a.ts', ttlSec: 600 }, impl1());
  const folder = acquire(m, { path: 'lib' }, impl1());
  acquire(m, { path: 'src/b.ts' }, impl2());
  const before = JSON.stringify(leases(m));
  // src/a.ts is yours, src/b.ts is not: refused, and your lease on src/a.ts is exactly as it was.
  assert.equal(codeOf(() => acquire(m, { paths: ['src/a.ts', 'src/b.ts'] }, impl1(30))), 'LOCK_HELD');
  assert.equal(JSON.stringify(leases(m)), before);
  // Re-acquiring extends the lease that holds the path (identical or under your folder), never a copy.
  const r = acquire(m, { paths: ['src/a.ts', 'lib/x/y.ts', 'src/c.ts'] }, impl1(60));
  assert.equal(r.created, true);
  assert.deepEqual(r.lease.paths, ['src/c.ts'], 'only the new path goes into the new lease');
  assert.deepEqual(r.extended.sort(), [a.lease.id, folder.lease.id].sort());
  const extended = lease(m, a.lease.id)!;
  assert.deepEqual(extended.paths, ['src/a.ts']);
  assert.equal(extended.expiresAt, new Date(T0 + 660 * SEC).toISOString(), "extended by the lease's own TTL");
  assert.equal(extended.heartbeatAt, new Date(T0 + 60 * SEC).toISOString());
  assert.equal(extended.acquiredAt, a.lease.acquiredAt);
  assert.deepEqual(lease(m, folder.lease.id)!.paths, ['lib']);
  assert.equal(leases(m).filter((l) => l.owner === 'impl-1').length, 3, 'no path is held by two of your leases');
  // Everything already yours: nothing new, the first extended lease is returned.
  const only = acquire(m, { path: 'src/a.ts' }, impl1(70));
  assert.equal(only.created, false);
  assert.equal(only.lease.id, a.lease.id);
  assert.deepEqual(only.tookOver, []);
});

test('expiry takeover: a stale heartbeat is refused (S2)', () => {
  const m = new MemoryState();
  const old = acquire(m, { paths: ['src/a.ts', 'src/b.ts'], ttlSec: 60 }, impl1());
  // Before it expires the holder may heartbeat it; after, no one can revive it.
  acquire(m, { path: 'x.ts', ttlSec: 60 }, impl1());
  assert.equal(codeOf(() => m.run(ops.lockHeartbeat, { leaseId: old.lease.id }, impl1(61))), 'LEASE_EXPIRED');
  assert.equal(lease(m, old.lease.id)!.expiresAt, new Date(T0 + 60 * SEC).toISOString(), 'nothing was revived');
  // Another agent takes the path over: the expired lease goes in the same commit, recorded in the result.
  const taken = acquire(m, { path: 'src' }, impl2(62));
  assert.deepEqual(taken.tookOver, [{ leaseId: old.lease.id, owner: 'impl-1', paths: ['src/a.ts', 'src/b.ts'] }]);
  assert.equal(lease(m, old.lease.id), undefined);
  // The stale holder's heartbeat now finds no lease at all, and heartbeat-all extends nothing of impl-2's.
  assert.equal(codeOf(() => m.run(ops.lockHeartbeat, { leaseId: old.lease.id }, impl1(63))), 'LOCK_NOT_FOUND');
  assert.deepEqual(m.run(ops.lockHeartbeat, {}, impl1(63)).leases, [], 'expired x.ts is not revived either');
  assert.equal(leases(m).find((l) => l.paths.includes('src'))!.owner, 'impl-2');
  assert.equal(codeOf(() => acquire(m, { path: 'src/a.ts' }, impl1(64))), 'LOCK_HELD');
});

test('heartbeat by a non-owner is refused', () => {
  const m = new MemoryState();
  const l = acquire(m, { path: 'src/a.ts' }, impl1());
  const commits = m.commits;
  assert.equal(codeOf(() => m.run(ops.lockHeartbeat, { leaseId: l.lease.id }, impl2(10))), 'NOT_OWNER');
  assert.equal(codeOf(() => m.run(ops.lockHeartbeat, { leaseId: l.lease.id }, planner(10))), 'NOT_OWNER');
  assert.equal(codeOf(() => m.run(ops.lockHeartbeat, { leaseId: 'L-ZZZZ' }, impl1(10))), 'LOCK_NOT_FOUND');
  assert.equal(m.commits, commits);
  assert.equal(lease(m, l.lease.id)!.heartbeatAt, l.lease.heartbeatAt);
});

test("S4: heartbeat extends by the lease's own TTL", () => {
  const m = new MemoryState();
  const long = acquire(m, { path: 'src/a.ts', ttlSec: 3600 }, impl1());
  const short = acquire(m, { path: 'src/b.ts', ttlSec: 60 }, impl1());
  assert.equal(short.lease.ttlSec, 60);
  const r = m.run(ops.lockHeartbeat, { leaseId: long.lease.id }, impl1(10));
  assert.equal(r.leases[0]!.expiresAt, new Date(T0 + 3610 * SEC).toISOString());
  // Without a lease id: every live lease of yours, each by its own TTL.
  const all = m.run(ops.lockHeartbeat, {}, impl1(50));
  assert.deepEqual(
    all.leases.map((l) => [l.id, l.expiresAt]).sort(),
    [
      [long.lease.id, new Date(T0 + 3650 * SEC).toISOString()],
      [short.lease.id, new Date(T0 + 110 * SEC).toISOString()],
    ].sort(),
  );
  // An explicit extendSec never shortens a lease.
  assert.equal(m.run(ops.lockHeartbeat, { leaseId: long.lease.id, extendSec: 10 }, impl1(60)).leases[0]!.expiresAt, new Date(T0 + 3650 * SEC).toISOString());
  assert.equal(m.run(ops.lockHeartbeat, { leaseId: short.lease.id, extendSec: 600 }, impl1(60)).leases[0]!.expiresAt, new Date(T0 + 660 * SEC).toISOString());
  // The default TTL comes from settings.lockTtlSec.
  assert.equal(acquire(m, { path: 'src/c.ts' }, impl1()).lease.ttlSec, m.state.meta().settings.lockTtlSec);
});

test('activity renews your leases past half-life; expired ones are not revived', () => {
  const m = new MemoryState();
  const young = acquire(m, { path: 'src/a.ts', ttlSec: 600 }, impl1());
  const old = acquire(m, { path: 'src/b.ts', ttlSec: 100 }, impl1());
  const dead = acquire(m, { path: 'src/c.ts', ttlSec: 10 }, impl1());
  const theirs = acquire(m, { path: 'src/d.ts', ttlSec: 100 }, impl2());
  // At 60 s: src/b.ts has 40 of 100 s left (renewed), src/a.ts 540 of 600 (not yet), src/c.ts expired.
  runWithActivity(m, ops.noteAppend, { text: 'still working' }, impl1(60));
  assert.equal(lease(m, old.lease.id)!.expiresAt, new Date(T0 + 160 * SEC).toISOString());
  assert.equal(lease(m, old.lease.id)!.heartbeatAt, new Date(T0 + 60 * SEC).toISOString());
  assert.equal(lease(m, young.lease.id)!.expiresAt, young.lease.expiresAt);
  assert.equal(lease(m, dead.lease.id)!.expiresAt, dead.lease.expiresAt, 'an expired lease stays expired');
  assert.equal(lease(m, theirs.lease.id)!.expiresAt, theirs.lease.expiresAt, "another agent's lease is not renewed");
  // A lease the op writes itself is left to the op (release of src/b.ts is not undone).
  runWithActivity(m, ops.lockRelease, { path: 'src/b.ts' }, impl1(150));
  assert.equal(lease(m, old.lease.id), undefined);
  // Still an expired lease cannot be renewed: a takeover is possible at once.
  assert.deepEqual(acquire(m, { path: 'src/c.ts' }, impl2(151)).tookOver.map((t) => t.leaseId), [dead.lease.id]);
});

test("a task's leases are released when it is done", () => {
  const m = new MemoryState();
  const t = m.run(ops.taskCreate, { title: 'A', complexity: 'simple' }, planner()).task;
  const u = m.run(ops.taskCreate, { title: 'B' }, planner()).task;
  const other = m.run(ops.taskCreate, { title: 'C' }, planner()).task;
  m.run(ops.taskClaim, { id: t.id }, impl1());
  m.run(ops.taskClaim, { id: u.id }, impl1());
  const tied = acquire(m, { paths: ['src/a.ts', 'src/b.ts'], task: t.id }, impl1());
  const untied = acquire(m, { path: 'src/c.ts' }, impl1());
  const otherTask = acquire(m, { path: 'src/d.ts', task: other.id }, impl2());
  const toU = acquire(m, { path: 'src/e.ts', task: u.id }, impl1());
  runWithActivity(m, ops.taskUpdate, { id: t.id, status: 'done' }, impl1(5));
  assert.equal(lease(m, tied.lease.id), undefined, 'done: its leases are gone in the same commit');
  assert.ok(lease(m, untied.lease.id) && lease(m, otherTask.lease.id) && lease(m, toU.lease.id));
  // Canceled by the planner releases them too.
  runWithActivity(m, ops.taskUpdate, { id: u.id, status: 'canceled' }, planner(6));
  assert.equal(lease(m, toU.lease.id), undefined);
  assert.ok(lease(m, untied.lease.id));
});

test('force release of a stale lease leaves the new holder intact (S3)', () => {
  const m = new MemoryState();
  const stale = acquire(m, { paths: ['src/a.ts', 'src/b.ts'], ttlSec: 60 }, impl1());
  const fresh = acquire(m, { path: 'src/a.ts' }, impl2(61));
  assert.deepEqual(fresh.tookOver.map((t) => t.leaseId), [stale.lease.id]);
  // Force-releasing the old id after the takeover: it is gone, and nothing of impl-2's is touched.
  assert.equal(codeOf(() => m.run(ops.lockForceRelease, { leaseId: stale.lease.id, reason: 'impl-1 crashed' }, planner(62))), 'LOCK_NOT_FOUND');
  assert.equal(lease(m, fresh.lease.id)!.owner, 'impl-2');
  // Two shared leases on the same path: force-releasing the stale one leaves the other holder's.
  const stale2 = acquire(m, { path: 'src/x.ts', ttlSec: 60, exclusive: false }, impl1(62));
  const newer = acquire(m, { path: 'src/x.ts', exclusive: false }, impl2(63));
  assert.deepEqual(newer.tookOver, []);
  assert.equal(codeOf(() => m.run(ops.lockForceRelease, { leaseId: stale2.lease.id, reason: 'x' }, impl2(64))), 'ROLE_FORBIDDEN');
  assert.equal(ops.lockForceRelease.input.safeParse({ leaseId: stale2.lease.id, reason: ' ' }).success, false, 'a reason is required');
  const r = m.run(ops.lockForceRelease, { leaseId: stale2.lease.id, reason: 'impl-1 is gone' }, planner(300));
  assert.equal(r.lease.id, stale2.lease.id);
  assert.equal(r.wasExpired, true);
  assert.equal(lease(m, stale2.lease.id), undefined);
  assert.deepEqual(lease(m, newer.lease.id)!.paths, ['src/x.ts'], "the other holder's lease is intact");
  assert.equal(lease(m, fresh.lease.id)!.owner, 'impl-2');
  const notes = m.state.notes().items as Note[];
  assert.equal(notes.length, 1);
  assert.equal(notes[0]!.kind, 'system');
  assert.ok(notes[0]!.text.startsWith(`[LEASE RELEASED] ${stale2.lease.id} (impl-1, src/x.ts) by planner-1: impl-1 is gone`));
});

test('lock_release: by paths or lease id, as leased, owner checked, all or nothing', () => {
  const m = new MemoryState();
  const l = acquire(m, { paths: ['src/a.ts', 'src/b.ts', 'lib/**'] }, impl1());
  const theirs = acquire(m, { path: 'docs' }, impl2());
  assert.equal(codeOf(() => m.run(ops.lockRelease, { paths: ['src/a.ts', 'docs'] }, impl1())), 'NOT_OWNER');
  assert.equal(codeOf(() => m.run(ops.lockRelease, { paths: ['src/a.ts', 'lib/x.ts'] }, impl1())), 'LOCK_NOT_FOUND', 'a path under a glob is released with the glob');
  assert.equal(codeOf(() => m.run(ops.lockRelease, { leaseId: theirs.lease.id }, impl1())), 'NOT_OWNER');
  assert.equal(ops.lockRelease.input.safeParse({ path: 'src/a.ts', leaseId: l.lease.id }).success, false, 'paths or a lease id, not both');
  assert.deepEqual(lease(m, l.lease.id)!.paths, ['src/a.ts', 'src/b.ts', 'lib/**'], 'refusals released nothing');
  const r = m.run(ops.lockRelease, { paths: ['./src/a.ts', 'lib/**'] }, impl1());
  assert.deepEqual(r.released, ['src/a.ts', 'lib/**']);
  assert.deepEqual(lease(m, l.lease.id)!.paths, ['src/b.ts']);
  m.run(ops.lockRelease, { leaseId: l.lease.id }, impl1());
  assert.equal(lease(m, l.lease.id), undefined);
  assert.equal(codeOf(() => m.run(ops.lockRelease, { leaseId: l.lease.id }, impl1())), 'LOCK_NOT_FOUND');
});

test('wait then succeed after the holder releases from another process', async () => {
  const repo = makeRepo();
  const holder = await initAgent(repo, 'implementer', 'impl-1');
  const waiter = await initAgent(repo, 'implementer', 'impl-2');
  await holder.call('lock_acquire', { paths: ['src/a.ts', 'src/b.ts'] });
  // Without waitSec the refusal is immediate; with a short wait it ends with the last LOCK_HELD.
  assert.equal((await toolError(waiter.call('lock_acquire', { path: 'src/b.ts' }))).code, 'LOCK_HELD');
  const t0 = Date.now();
  const timedOut = await toolError(waiter.call('lock_acquire', { path: 'src/b.ts', waitSec: 1 }));
  assert.equal(timedOut.code, 'LOCK_HELD');
  assert.equal(timedOut.data?.holder, 'impl-1');
  assert.ok(Date.now() - t0 >= 900, 'it waited');
  const before = stateSubjects(repo).length;
  const waiting = waiter.call<Acquired & { waitedMs: number }>('lock_acquire', { paths: ['src/b.ts', 'src/c.ts'], waitSec: 30 });
  await sleep(600);
  await holder.call('lock_release', { path: 'src/b.ts' });
  const started = Date.now();
  const got = await waiting;
  assert.deepEqual(got.lease.paths, ['src/b.ts', 'src/c.ts']);
  assert.ok(got.waitedMs >= 500, `waitedMs ${got.waitedMs}`);
  // Woken by the release commit, not by a periodic recheck (that runs every 5 s).
  assert.ok(Date.now() - started < 3000, `woke ${Date.now() - started} ms after the release`);
  assert.deepEqual(stateSubjects(repo).slice(before).map((s) => s.split(' ')[0]), ['lock.release', 'lock.acquire'], 'failed attempts committed nothing');

  // A lease that just runs out makes no commit: the waiter looks again at its expiry, not at the next 5 s recheck.
  const idle = await initAgent(repo, 'implementer', 'impl-3');
  await idle.call('lock_acquire', { path: 'src/d.ts', ttlSec: 7 });
  const expired = await waiter.call<Acquired & { waitedMs: number }>('lock_acquire', { path: 'src/d.ts', waitSec: 30 });
  assert.ok(expired.waitedMs >= 6000 && expired.waitedMs < 9000, `took the expired lease after ${expired.waitedMs} ms (7 s TTL)`);
  assert.deepEqual(expired.tookOver.map((t) => t.owner), ['impl-3']);
});

test('through MCP: heartbeat, force release by a planner with a note, lock_list by pattern; clock moved, not slept', async () => {
  const repo = makeRepo();
  const a = await initAgent(repo, 'implementer', 'impl-1');
  const b = await initAgent(repo, 'implementer', 'impl-2');
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const later = await initAgent(repo, 'implementer', 'impl-3', { env: { LOCKSTEP_CLOCK_OFFSET_MS: String(10 * 60_000) } });
  const { lease } = await a.call<Acquired>('lock_acquire', { paths: ['src/**/*.ts'], ttlSec: 60 });
  // Globs overlap both ways through the tool too.
  assert.equal((await toolError(b.call('lock_acquire', { path: 'src/lib/x.ts' }))).code, 'LOCK_HELD');
  await b.call('lock_acquire', { path: 'lib/a.ts' });
  assert.equal((await toolError(a.call('lock_acquire', { paths: ['lib/**'] }))).code, 'LOCK_HELD');
  await b.call('lock_release', { path: 'lib/a.ts' });
  assert.equal((await toolError(b.call('lock_heartbeat', { leaseId: lease.id }))).code, 'NOT_OWNER');
  const hb = await a.call<{ leases: Lease[] }>('lock_heartbeat', {});
  assert.deepEqual(hb.leases.map((l) => l.id), [lease.id]);
  const listed = await planner.call<{ leases: Lease[] }>('lock_list', { pattern: 'src/lib/*' });
  assert.deepEqual(listed.leases.map((l) => l.id), [lease.id]);
  // Ten minutes later the lease is expired: a takeover is recorded, the stale heartbeat refused (S2).
  const took = await later.call<Acquired>('lock_acquire', { path: 'src/a.ts' });
  assert.deepEqual(took.tookOver.map((t) => t.leaseId), [lease.id]);
  assert.match(stateSubjects(repo).at(-1)!, /^lock\.acquire L-\w+ src\/a\.ts by impl-3$/);
  assert.equal((await toolError(a.call('lock_heartbeat', { leaseId: lease.id }))).code, 'LOCK_NOT_FOUND');
  // Force release (planner only): exactly that lease, with the reason in the history and a note.
  assert.equal((await toolError(b.call('lock_force_release', { leaseId: took.lease.id, reason: 'x' }))).code, 'ROLE_FORBIDDEN');
  const { lease: other } = await b.call<Acquired>('lock_acquire', { path: 'docs' });
  const r = await planner.call<{ lease: Lease }>('lock_force_release', { leaseId: other.id, reason: 'impl-2 went quiet' });
  assert.equal(r.lease.id, other.id);
  assert.match(stateSubjects(repo).at(-1)!, new RegExp(`^lock\\.force_release ${other.id} of impl-2 by planner-1$`));
  const notes = await planner.call<{ notes: Note[] }>('note_list', {});
  assert.ok(notes.notes.some((n) => n.text.startsWith(`[LEASE RELEASED] ${other.id} (impl-2, docs) by planner-1: impl-2 went quiet`)));
  const left = await planner.call<{ leases: Lease[] }>('lock_list', {});
  assert.deepEqual(left.leases.map((l) => l.owner), ['impl-3']);
});

test('CLI lock list / release / release --force', async () => {
  const repo = makeRepo();
  const a = await initAgent(repo, 'implementer', 'impl-1');
  const b = await initAgent(repo, 'implementer', 'impl-2');
  const { lease: la } = await a.call<Acquired>('lock_acquire', { paths: ['src/a.ts', 'src/b.ts'] });
  const { lease: lb } = await b.call<Acquired>('lock_acquire', { path: 'docs/**', exclusive: false });
  const list = cli(repo, 'lock', 'list');
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`${la.id}\\s+impl-1\\s+exclusive`));
  assert.match(list.stdout, new RegExp(`${lb.id}\\s+impl-2\\s+shared`));
  const json = JSON.parse(cli(repo, 'lock', 'list', '--owner', 'impl-1', '--path', 'src', '--json').stdout) as { leases: Lease[] };
  assert.deepEqual(json.leases.map((l) => l.id), [la.id]);
  assert.deepEqual(JSON.parse(cli(repo, 'lock', 'list', '--path', 'lib', '--json').stdout).leases, []);
  // Release as the owner, by path; someone else is refused.
  const refused = cli(repo, 'lock', 'release', 'src/a.ts');
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^error\[NOT_OWNER\]: /);
  const released = cli(repo, 'lock', 'release', 'src/a.ts', '--as', 'impl-1', '--json');
  assert.equal(released.status, 0, released.stderr);
  assert.deepEqual(JSON.parse(released.stdout).released, ['src/a.ts']);
  // --force needs --lease and --reason; then it releases exactly that lease.
  assert.match(cli(repo, 'lock', 'release', 'src/b.ts', '--force', '--reason', 'x').stderr, /^error\[INVALID_INPUT\]: /);
  assert.match(cli(repo, 'lock', 'release', '--lease', la.id, '--force').stderr, /^error\[INVALID_INPUT\]: /);
  const forced = cli(repo, 'lock', 'release', '--lease', la.id, '--force', '--reason', 'impl-1 crashed');
  assert.equal(forced.status, 0, forced.stderr);
  assert.match(forced.stdout, new RegExp(`Force-released ${la.id} of impl-1`));
  assert.equal(cli(repo, 'lock', 'release', '--lease', la.id, '--force', '--reason', 'again').status, 1);
  const after = JSON.parse(cli(repo, 'lock', 'list', '--all', '--json').stdout) as { leases: Lease[] };
  assert.deepEqual(after.leases.map((l) => l.id), [lb.id]);
  assert.equal(cli(repo, 'lock', 'release', '--help').status, 0);
});
