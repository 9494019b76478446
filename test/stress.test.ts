// The lease replay checker (issue 5 must-show) catches conflicts, including a revived dead lease (S2);
// the 8-process stress run it checks is test/long/stress.test.ts (CI) and `npm run stress`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Lockstep } from '../src/app/lockstep.js';
import { ops } from '../src/state/ops/index.js';
import { coversPath, leaseConflicts, replayLeases, type LeaseView } from '../bench/lease-replay.js';
import { patternCovers, patternsOverlap } from '../src/state/globs.js';
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

test('the checker decides overlap on concrete paths by its own rule, and the server agrees wherever it has a witness', () => {
  assert.ok(coversPath('src', 'src/a/b.ts'));
  assert.ok(!coversPath('src', 'srcx/a.ts'));
  assert.ok(coversPath('src/**/f1*.ts', 'src/f10.ts'), '**/ may match no folder');
  assert.ok(coversPath('src/**/f1*.ts', 'src/a/b/f1x.ts'));
  assert.ok(!coversPath('src/f0*', 'src/f1.ts'));
  assert.ok(coversPath('src/f0*', 'src/f0x/deep.ts'), 'below a folder the glob matches');
  assert.ok(!coversPath('src/f?.ts', 'src/f10.ts'));
  assert.ok(coversPath('a.b/*.ts', 'a.b/x.ts') && !coversPath('a.b/*.ts', 'aXb/x.ts'), 'dots are literal');
  // Random patterns over a small alphabet: a path both cover means the server must see an overlap.
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  const atoms = ['a', 'b', '/', '*', '?', '**', '**/'];
  const pattern = () => {
    let p = 'a';
    for (let n = rand(5); n >= 0; n--) p += atoms[rand(atoms.length)];
    return p.replace(/\/+/g, '/').replace(/\/$/, '');
  };
  const universe: string[] = [];
  const grow = (prefix: string, depth: number) => {
    universe.push(prefix);
    if (depth < 4) for (const next of ['a', 'b', '/a', '/b']) grow(prefix + next, depth + 1);
  };
  grow('a', 0);
  let witnessed = 0;
  for (let i = 0; i < 400; i++) {
    const [p, q] = [pattern(), pattern()];
    for (const w of universe) {
      if (!coversPath(p, w)) continue;
      assert.ok(patternCovers(p, w), `server: ${p} covers ${w}`);
      if (coversPath(q, w)) {
        witnessed++;
        assert.ok(patternsOverlap(p, q), `server: ${p} and ${q} overlap on ${w}`);
        break;
      }
    }
  }
  assert.ok(witnessed > 50, `enough overlapping pairs were tried (${witnessed})`);
});

test('the replay flags a live lease taken by another agent, and acknowledged ops missing from the history', async () => {
  const repo = makeRepo();
  let now = T0;
  const app = new Lockstep({ dir: repo, gcEvery: 0, clock: () => now });
  const a = await app.run(ops.lockAcquire, { path: 'src/f01.ts', ttlSec: 60 }, { agent: 'impl-a', role: 'implementer' });
  now += 1_000;
  const b = await app.run(ops.lockAcquire, { path: 'src/f02.ts', ttlSec: 60 }, { agent: 'impl-b', role: 'implementer' });
  app.close();
  assert.deepEqual(replayLeases(repo, { acknowledged: { created: [a.lease.id, b.lease.id] } }).thefts, []);
  // impl-b's commit deletes impl-a's lease 1 s into its 60 s: a takeover while it was live.
  const stolen = gitEditState(repo, `leases/${a.lease.id}.yaml`, null, 'lock.acquire by impl-b\n\nLockstep-Op: lock.acquire\nLockstep-Actor: impl-b\nLockstep-Time: 2030-01-01T00:00:02.000Z');
  const r = replayLeases(repo, { acknowledged: { created: [a.lease.id, b.lease.id, 'L-GONE'], released: [b.lease.id] } });
  assert.equal(r.thefts.length, 1);
  assert.deepEqual([r.thefts[0]!.commit, r.thefts[0]!.actor, r.thefts[0]!.lease.id], [stolen, 'impl-b', a.lease.id]);
  assert.deepEqual(r.missing, ['L-GONE: acquired, but no commit of the history holds it', `${b.lease.id}: released, but still leased at the tip`]);
  // The same removal by its owner, or after expiry, is no theft.
  const owner = makeRepo();
  now = T0;
  const app2 = new Lockstep({ dir: owner, gcEvery: 0, clock: () => now });
  const c = await app2.run(ops.lockAcquire, { path: 'src/f01.ts', ttlSec: 5 }, { agent: 'impl-a', role: 'implementer' });
  await app2.run(ops.lockRelease, { leaseId: c.lease.id }, { agent: 'impl-a', role: 'implementer' });
  await app2.run(ops.lockAcquire, { path: 'src/f01.ts', ttlSec: 5 }, { agent: 'impl-a', role: 'implementer' });
  now += 6_000;
  await app2.run(ops.lockAcquire, { path: 'src/**', ttlSec: 5 }, { agent: 'impl-b', role: 'implementer' });
  app2.close();
  const fine = replayLeases(owner, { acknowledged: { created: [c.lease.id], released: [c.lease.id] } });
  assert.deepEqual([fine.thefts, fine.missing, fine.violations], [[], [], []]);
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

