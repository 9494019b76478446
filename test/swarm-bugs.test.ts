// swarm-mcp bugs (seed-behaviour B.12) not covered by a feature's own test file. The map of every
// S-bug to its test is in docs/swarm-parity.md.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mintId } from '../src/state/core/ids.js';
import { ops } from '../src/state/ops/index.js';
import { git, initAgent, makeRepo, stateSubjects } from './helpers.js';
import { ctxFor, MemoryState } from './memory-state.js';

test('S4: times are stored with millisecond precision', () => {
  const m = new MemoryState();
  const t0 = Date.parse('2026-11-24T10:00:00.123Z');
  const { task } = m.run(ops.taskCreate, { title: 'x' }, ctxFor('lead', 'planner', t0));
  const { task: claimed } = m.run(ops.taskClaim, { id: task.id }, ctxFor('w1', 'implementer', t0 + 457));
  assert.equal(task.createdAt, '2026-11-24T10:00:00.123Z');
  assert.equal(claimed.claim!.at, '2026-11-24T10:00:00.580Z');
});

test('S18: ids are collision-checked where they are minted, and grow instead of failing', () => {
  let calls = 0;
  const seq = () => calls++; // deterministic: every 4-char candidate below is "taken"
  const id = mintId(seq, 'T', (c) => c.length === 6);
  assert.equal(id.length, 7, 'after 8 collisions at 4 characters it mints a 5-character id');
});

test('S18: two processes creating tasks at once never mint the same id', async () => {
  const repo = makeRepo();
  const a = await initAgent(repo, 'planner', 'lead-a');
  const b = await initAgent(repo, 'planner', 'lead-b');
  const make = (c: typeof a, n: number) => Promise.all(Array.from({ length: n }, (_, i) => c.call<{ task: { id: string } }>('task_create', { title: `t${i}` })));
  const [ra, rb] = await Promise.all([make(a, 25), make(b, 25)]);
  const ids = [...ra, ...rb].map((r) => r.task.id);
  assert.equal(new Set(ids).size, 50);
  assert.equal(stateSubjects(repo).filter((s) => s.startsWith('task.create')).length, 50, 'one commit per task');
  // Every acknowledged task is in the state itself, read back by a third process (not just named in the log).
  const reader = await initAgent(repo, 'reviewer', 'reader-1');
  const listed = await reader.call<{ total: number; tasks: { id: string }[] }>('task_list', { limit: 100 });
  assert.equal(listed.total, 50);
  assert.deepEqual(new Set(listed.tasks.map((t) => t.id)), new Set(ids), 'none lost');
  assert.deepEqual(new Set(git(repo, 'ls-tree', '-r', '--name-only', 'refs/lockstep/state', 'tasks').split('\n').map((f) => f.split('/').pop()!.replace(/\.yaml$/, ''))), new Set(ids));
});

test('S13: a blocked wait commits nothing and wakes on the commit, not on a polling tick', async () => {
  const repo = makeRepo();
  const lead = await initAgent(repo, 'planner', 'lead-1');
  const watcher = await initAgent(repo, 'implementer', 'impl-1');
  const before = stateSubjects(repo).length;
  const started = Date.now();
  const waiting = watcher.call<{ timedOut: boolean; events: { op: string }[] }>('events_wait', { timeoutSec: 40 });
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(stateSubjects(repo).length, before, 'waiting wrote nothing to the state');
  await lead.call('task_create', { title: 'wake up' });
  const r = await waiting;
  assert.equal(r.timedOut, false);
  assert.deepEqual(r.events.map((e) => e.op), ['task.create']);
  assert.ok(Date.now() - started < 20_000, 'woken by the commit long before the 40 s timeout');
});

test('S4: the state history carries the op clock in milliseconds (Lockstep-Time), and events report it', async () => {
  const repo = makeRepo();
  const lead = await initAgent(repo, 'planner', 'lead-1');
  const reader = await initAgent(repo, 'reviewer', 'reader-1');
  const { task } = await lead.call<{ task: { id: string; createdAt: string } }>('task_create', { title: 'timed' });
  const trailer = git(repo, 'log', '-1', '--format=%(trailers:key=Lockstep-Time,valueonly)', 'refs/lockstep/state');
  assert.equal(trailer, task.createdAt, 'the trailer is the clock the op used');
  const { events } = await reader.call<{ events: { op: string; at: string }[] }>('state_log', { limit: 1, op: 'task.create' });
  assert.equal(events[0]!.at, task.createdAt);
});
