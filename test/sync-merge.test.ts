// Merges made on the host (issue 17): a pull request merged with plain git on another clone,
// pushed and fetched, is found by `lockstep sync`: the agent's task is marked merged and its leases
// on the merged files are released, once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cli, fsckStrict, git, initAgent } from './helpers.js';
import { history, one, world } from './sync-helpers.js';

test('a pull request merged with plain git on another clone, pushed and fetched: lockstep sync marks the task merged and releases the leases on the merged files', async () => {
  const w = world(2);
  const [a, host] = w.machines as [string, string];
  const planner = await initAgent(a, 'planner', 'lead');
  const { task } = await planner.call<{ task: { id: string } }>('task_create', { title: 'feature' });
  const impl = await initAgent(a, 'implementer', 'impl-w');
  const wt = await impl.call<{ dir: string; branch: string }>('worktree_create', {});
  await impl.call('task_claim', { id: task.id });
  await impl.call('lock_acquire', { paths: ['src/feature.ts'] });
  await impl.call('lock_acquire', { paths: ['docs/later.md'] });
  fs.mkdirSync(path.join(wt.dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(wt.dir, 'src', 'feature.ts'), 'export const feature = 1;\n');
  git(wt.dir, 'add', '.');
  git(wt.dir, 'commit', '-q', '-m', 'feature');
  git(wt.dir, 'push', '-q', 'origin', wt.branch);
  // Meanwhile main moves on the host; then the pull request is merged there with a merge commit.
  fs.writeFileSync(path.join(host, 'OTHER.md'), 'other\n');
  git(host, 'add', '.');
  git(host, 'commit', '-q', '-m', 'other work');
  git(host, 'fetch', '-q', 'origin', wt.branch);
  git(host, 'merge', '-q', '--no-ff', '-m', 'Merge pull request #1', 'FETCH_HEAD');
  git(host, 'push', '-q', 'origin', 'main');
  // Machine a fetches with plain git (the state comes along through the refspec) and syncs.
  git(a, 'fetch', '-q', 'origin');
  const r = cli(a, 'sync', '--json');
  assert.equal(r.status, 0, r.stderr);
  const merged = (JSON.parse(r.stdout) as { merged: { agent: string; into: string; task?: string; released: string[] }[] }).merged;
  assert.deepEqual(merged.map((m) => [m.agent, m.into, m.task, m.released]), [['impl-w', 'origin/main', task.id, ['src/feature.ts']]]);
  const got = await planner.call<{ task: { status: string; merged?: { into: string } } }>('task_get', { id: task.id });
  assert.equal(got.task.status, 'done');
  assert.equal(got.task.merged?.into, 'origin/main');
  const { leases } = await planner.call<{ leases: { owner: string; paths: string[] }[] }>('lock_list', { owner: 'impl-w' });
  assert.deepEqual(leases.map((l) => l.paths), [['docs/later.md']], 'only the lease on a merged file is released');
  // Recorded once: a second sync finds nothing new, and the record is on the remote.
  assert.deepEqual((JSON.parse(cli(a, 'sync', '--json').stdout) as { merged: unknown[] }).merged, []);
  assert.equal(history(w.bare).filter((c) => one(c, 'Lockstep-Op') === 'worktree.merge_record').length, 1);
  fsckStrict(w.bare);
});
