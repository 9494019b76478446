// Offline mode (issue 17): while the remote is unreachable, ops commit on each machine as
// provisional; once it is back every machine converges on one state, the ops that lost are
// conflicts recorded on the state, and each agent is told on its next call.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { fsckStrict, git, initAgent, sleep, toolError } from './helpers.js';
import { history, one, world } from './sync-helpers.js';

test('offline mode: while the remote is away ops commit here as provisional; once it is back every machine converges, and the op that lost is a conflict on the state and told to its agent', async () => {
  const w = world(2);
  const [a, b] = w.machines as [string, string];
  const offline = { extraArgs: ['--remote-mode', 'offline', '--remote-timeout-sec', '3'] };
  const planner = await initAgent(a, 'planner', 'lead', offline);
  const t1 = (await planner.call<{ task: { id: string } }>('task_create', { title: 'wanted by both' })).task.id;
  const implA = await initAgent(a, 'implementer', 'off-a', offline);
  const implB = await initAgent(b, 'implementer', 'off-b', offline);
  await implB.call('task_list'); // b has seen the task (its registration fetched the remote)
  assert.equal(git(b, 'rev-parse', 'refs/lockstep/state'), git(w.bare, 'rev-parse', 'refs/lockstep/state'));
  const away = `${w.bare}.away`;
  fs.renameSync(w.bare, away);
  const ra = await implA.call<{ provisional?: boolean; task: { owner: string } }>('task_claim', { id: t1 });
  const rb = await implB.call<{ provisional?: boolean; task: { owner: string } }>('task_claim', { id: t1 });
  assert.equal(ra.provisional, true);
  assert.equal(rb.provisional, true);
  const la = await implA.call<{ provisional?: boolean }>('lock_acquire', { paths: ['src/both.ts'] });
  const lb = await implB.call<{ provisional?: boolean }>('lock_acquire', { paths: ['src/both.ts'] });
  assert.equal(la.provisional && lb.provisional, true);
  const listed = await implA.call<{ leases: { owner: string; provisional?: boolean }[] }>('lock_list', { owner: 'off-a' });
  assert.deepEqual(listed.leases.map((l) => l.provisional), [true], 'a lease not yet on the remote is provisional');
  assert.equal((await implA.call<{ remote: { unpublished: number } }>('status_get')).remote.unpublished, 2);
  // A refusal on what this machine knows stays that refusal while the remote is away.
  assert.equal((await toolError(implA.call('task_claim', { id: 'T-ZZZZ' }))).code, 'TASK_NOT_FOUND');
  fs.renameSync(away, w.bare);
  const back = performance.now();
  // Converged: both machines at the remote's tip with nothing left to publish (the background sync runs every 2 s).
  const tipOf = (r: string) => git(r, 'rev-parse', 'refs/lockstep/state');
  let converged = false;
  for (let i = 0; i < 300 && !converged; i++) {
    await sleep(100);
    const notes = history(w.bare).filter((c) => one(c, 'Lockstep-Op') === 'sync.conflict').length;
    converged = notes === 2 && tipOf(a) === tipOf(w.bare) && tipOf(b) === tipOf(w.bare);
  }
  const convergeMs = performance.now() - back;
  assert.ok(converged, 'both machines converged on the remote state, with two conflicts recorded');
  // One claim and one lease won on the remote; each losing op is a conflict note (who, what, why).
  const hist = history(w.bare);
  assert.equal(hist.filter((c) => one(c, 'Lockstep-Op') === 'task.claim').length, 1);
  const { notes } = await planner.call<{ notes: { event?: string; payload?: { agent: string; op: string; error: { code: string } } }[] }>('note_list', { kind: 'system' });
  const conflicts = notes.filter((n) => n.event === 'sync.conflict').map((n) => [n.payload!.op, n.payload!.error.code]);
  assert.deepEqual(conflicts.sort(), [['lock.acquire', 'LOCK_HELD'], ['task.claim', 'TASK_NOT_CLAIMABLE']]);
  // Each agent's next call says which of its offline ops failed (told once).
  const toldA = await implA.call<{ conflicts?: { op: string; error: { code: string } }[] }>('whoami');
  const toldB = await implB.call<{ conflicts?: { op: string; error: { code: string } }[] }>('whoami');
  const told = [...(toldA.conflicts ?? []), ...(toldB.conflicts ?? [])].map((c) => [c.op, c.error.code]);
  assert.deepEqual(told.sort(), conflicts.sort());
  assert.equal((await implA.call<{ conflicts?: unknown[] }>('whoami')).conflicts, undefined);
  const after = await planner.call<{ leases: { provisional?: boolean }[] }>('lock_list');
  assert.deepEqual(after.leases.map((l) => l.provisional), [undefined], 'published: no longer provisional');
  for (const r of [a, b, w.bare]) fsckStrict(r);
  process.stderr.write(`sync.test: offline mode converged ${convergeMs.toFixed(0)} ms after the remote came back\n`);
});
