// The lease stress run (issue 5 must-show), short: 8 server processes contend for overlapping leases,
// then the state history is replayed to prove no two agents ever held conflicting leases. Also checks
// that the replay checker itself catches conflicts, including a revived dead lease (S2).
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { Lockstep } from '../src/app.js';
import { ops } from '../src/state/ops/index.js';
import { leaseConflicts, replayLeases, type LeaseView } from '../bench/lease-replay.js';
import { runStress, stressFailures, stressSummary } from '../bench/stress.js';
import { git, gitEditState, makeRepo } from './helpers.js';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const iso = (sec: number) => new Date(T0 + sec * 1000).toISOString();

function lease(id: string, owner: string, paths: string[], from: number, to: number, exclusive = true): LeaseView {
  return { id, owner, paths, exclusive, acquiredAt: iso(from), expiresAt: iso(to) };
}

test('the checker: overlapping patterns of different owners with intersecting lifetimes conflict, at least one exclusive', () => {
  const a = lease('L-AAAA', 'a', ['src/f01.ts'], 0, 10);
  assert.equal(leaseConflicts([a, lease('L-BBBB', 'b', ['src/**'], 5, 15)]).length, 1, 'glob over a file, both ways');
  assert.equal(leaseConflicts([lease('L-BBBB', 'b', ['src'], 5, 15), a]).length, 1, 'folder over a file');
  assert.equal(leaseConflicts([a, lease('L-BBBB', 'b', ['src/f0*'], 5, 15, false)]).length, 1, 'shared against exclusive');
  assert.equal(leaseConflicts([lease('L-AAAA', 'a', ['src'], 0, 10, false), lease('L-BBBB', 'b', ['src/**'], 5, 15, false)]).length, 0, 'shared + shared');
  assert.equal(leaseConflicts([a, lease('L-BBBB', 'a', ['src/**'], 5, 15)]).length, 0, 'same owner');
  assert.equal(leaseConflicts([a, lease('L-BBBB', 'b', ['src/f1*'], 5, 15)]).length, 0, 'disjoint patterns');
  assert.equal(leaseConflicts([a, lease('L-BBBB', 'b', ['src/f01.ts'], 10, 20)]).length, 0, 'taken over at the moment it expired');
});

test('S2: the replay finds a dead lease revived after another agent took its path over', async () => {
  const repo = makeRepo();
  let now = T0;
  const app = new Lockstep({ dir: repo, gcEvery: 0, clock: () => now });
  const a = await app.run(ops.lockAcquire, { path: 'src/f01.ts', ttlSec: 5 }, { agent: 'impl-a', role: 'implementer' });
  now += 6_000;
  const b = await app.run(ops.lockAcquire, { paths: ['src/**'], ttlSec: 60 }, { agent: 'impl-b', role: 'implementer' });
  assert.deepEqual(b.tookOver.map((t) => t.leaseId), [a.lease.id]);
  app.close();
  const clean = replayLeases(repo);
  assert.equal(clean.commits, Number(git(repo, 'rev-list', '--count', 'refs/lockstep/state')));
  assert.deepEqual(clean.violations, []);
  // A heartbeat that revives the dead lease (swarm's S2), written by hand into the history.
  const revived = [
    `acquiredAt: '${a.lease.acquiredAt}'`,
    `expiresAt: '${iso(600)}'`,
    `heartbeatAt: '${iso(7)}'`,
    `id: ${a.lease.id}`,
    'owner: impl-a',
    'paths:',
    '  - src/f01.ts',
    'ttlSec: 5',
    '',
  ].join('\n');
  const bad = gitEditState(repo, `leases/${a.lease.id}.yaml`, revived);
  const r = replayLeases(repo);
  assert.deepEqual(r.corrupt, []);
  assert.equal(r.violations.length, 1);
  assert.equal(r.violations[0]!.commit, bad);
  assert.deepEqual(new Set([r.violations[0]!.pathA, r.violations[0]!.pathB]), new Set(['src/f01.ts', 'src/**']));
});

test('stress: 8 server processes contend for overlapping leases; the replayed history has no conflicting holders and nothing deadlocks', async () => {
  // 2 cores run 8 servers slowly; keep the whole test well under 60 s.
  const seconds = os.cpus().length <= 2 ? 4 : 5;
  const report = await runStress({ processes: 8, seconds });
  const failures = stressFailures(report);
  assert.deepEqual(failures, [], stressSummary(report));
  assert.equal(report.replay.violations.length, 0);
  assert.ok(report.acquisitions > 0);
  assert.ok(report.refusals > 0, 'the processes really contended');
  assert.ok(report.replay.commits >= report.acquisitions, 'every acquisition is a commit');
  assert.deepEqual(report.unfinished, []);
});
