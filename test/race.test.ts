// Separate processes racing on one repository: exactly one winner, one commit per success.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ToolError } from '../src/client/agent-client.js';
import { fsckStrict, git, initAgent, makeRepo, stateSubjects } from './helpers.js';

test('two processes racing task_claim on the same 50 tasks: one owner each, one commit per success', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const a = await initAgent(repo, 'implementer', 'impl-1');
  const b = await initAgent(repo, 'implementer', 'impl-2');
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) ids.push((await planner.call<{ task: { id: string } }>('task_create', { title: `task ${i}` })).task.id);
  const before = Number(git(repo, 'rev-list', '--count', 'refs/lockstep/state'));

  // Fire every claim from both processes at once.
  const outcomes = await Promise.all(ids.map((id) => Promise.allSettled([a.call('task_claim', { id }), b.call('task_claim', { id })])));
  const winners = new Map<string, string>();
  outcomes.forEach(([ra, rb], i) => {
    const won = [ra, rb].filter((r) => r.status === 'fulfilled').length;
    assert.equal(won, 1, `exactly one winner for ${ids[i]}`);
    const lost = (ra.status === 'rejected' ? ra : rb) as PromiseRejectedResult;
    assert.ok(lost.reason instanceof ToolError);
    assert.equal(lost.reason.code, 'TASK_NOT_CLAIMABLE');
    winners.set(ids[i]!, ra.status === 'fulfilled' ? 'impl-1' : 'impl-2');
  });

  const { tasks } = await planner.call<{ tasks: { id: string; owner: string; status: string }[] }>('task_list', { limit: 100 });
  assert.equal(tasks.length, 50);
  for (const t of tasks) {
    assert.equal(t.status, 'in_progress');
    assert.equal(t.owner, winners.get(t.id));
  }
  const after = Number(git(repo, 'rev-list', '--count', 'refs/lockstep/state'));
  assert.equal(after - before, 50, 'one commit per successful claim, none for refused ones');
  const claims = stateSubjects(repo).filter((s) => s.startsWith('task.claim'));
  assert.equal(claims.length, 50);
  for (const s of claims) {
    const [, id, who] = /^task\.claim (T-\w+) by (\S+)$/.exec(s)!;
    assert.equal(winners.get(id!), who);
  }
  // Every commit carries a unique op id, so identical ops from two agents never look like no-ops.
  const opIds = git(repo, 'log', '--format=%(trailers:key=Lockstep-Op-Id,valueonly)', 'refs/lockstep/state').split('\n').filter(Boolean);
  assert.equal(new Set(opIds).size, opIds.length);
  fsckStrict(repo);
});
