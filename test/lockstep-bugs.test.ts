// The lockstep-mcp bugs of seed-behaviour.md A.12, each shown fixed through the doors users use.
// L7/L8 (commands, strict paths) are in files-commands.test.ts; L9's worktree half, L10, L11, L13
// and L14 belong to the worktree, launcher and installer work.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { AgentClient } from '../src/client/agent-client.js';
import { agent, cli, git, initAgent, makeRepo, stateSubjects, toolError } from './helpers.js';

const codeOf = async (p: Promise<unknown>) => (await toolError(p)).code;

interface Task {
  id: string;
  status: string;
  owner?: string;
}

async function taskInProgress(planner: AgentClient, impl: AgentClient, extra: Record<string, unknown> = {}): Promise<Task> {
  const { task } = await planner.call<{ task: Task }>('task_create', { title: 'work', ...extra });
  await impl.call('task_claim', { id: task.id });
  return task;
}

test('L1: a released lock can be acquired again, by anyone', async () => {
  const repo = makeRepo();
  const a = await initAgent(repo, 'implementer', 'impl-1');
  const b = await initAgent(repo, 'implementer', 'impl-2');
  type Acquired = { lease: { id: string; owner: string; paths: string[] }; created: boolean };
  type Listed = { leases: { id: string; owner: string; paths: string[] }[] };
  const holders = async () => (await b.call<Listed>('lock_list')).leases.map((l) => [l.owner, ...l.paths].join(' '));
  const first = await a.call<Acquired>('lock_acquire', { path: 'src/a.ts' });
  assert.deepEqual([first.created, first.lease.owner, first.lease.paths], [true, 'impl-1', ['src/a.ts']]);
  // While impl-1 holds it, nobody else gets it: the conflict names the holder and the lease.
  const held = await toolError(b.call('lock_acquire', { path: 'src/a.ts' }));
  assert.equal(held.code, 'LOCK_HELD');
  assert.deepEqual([held.data?.holder, held.data?.leaseId], ['impl-1', first.lease.id]);
  assert.deepEqual(await holders(), ['impl-1 src/a.ts']);
  await a.call('lock_release', { path: 'src/a.ts' });
  assert.deepEqual(await holders(), []);
  // Released: the same agent takes it again (a new lease), releases, and then anyone can.
  const again = await a.call<Acquired>('lock_acquire', { path: 'src/a.ts' });
  assert.equal(again.created, true);
  assert.notEqual(again.lease.id, first.lease.id);
  assert.equal((await toolError(b.call('lock_acquire', { path: 'src/a.ts' }))).code, 'LOCK_HELD');
  await a.call('lock_release', { path: 'src/a.ts' });
  const byB = await b.call<Acquired>('lock_acquire', { path: 'src/a.ts' });
  assert.deepEqual([byB.created, byB.lease.owner], [true, 'impl-2']);
  assert.deepEqual(await holders(), ['impl-2 src/a.ts']);
  assert.equal((await toolError(a.call('lock_acquire', { path: 'src/a.ts' }))).code, 'LOCK_HELD');
});

test('L2: two processes claiming one task: exactly one wins; a claim never steals or resurrects', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const impls = await Promise.all([1, 2, 3, 4].map((n) => initAgent(repo, 'implementer', `impl-${n}`)));
  const { task } = await planner.call<{ task: Task }>('task_create', { title: 'contested', complexity: 'simple' });
  const results = await Promise.allSettled(impls.map((c) => c.call('task_claim', { id: task.id })));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { code: string }).code, 'TASK_NOT_CLAIMABLE');
  const owner = (await planner.call<{ task: Task }>('task_get', { id: task.id })).task.owner!;
  const ownerClient = impls[Number(owner.split('-')[1]) - 1]!;
  await ownerClient.call('task_update', { id: task.id, status: 'done' });
  // A done task is not reopened by a claim (the seed set in_progress whatever the status).
  for (const c of impls) assert.equal(await codeOf(c.call('task_claim', { id: task.id })), 'TASK_NOT_CLAIMABLE');
  assert.equal((await planner.call<{ task: Task }>('task_get', { id: task.id })).task.status, 'done');

  // task_next under a race: every ready task goes to exactly one agent.
  const ids = new Set<string>();
  for (let i = 0; i < 4; i++) ids.add((await planner.call<{ task: Task }>('task_create', { title: `t${i}` })).task.id);
  const next = await Promise.all(impls.map((c) => c.call<{ task: Task | null }>('task_next')));
  const got = next.map((n) => n.task?.id).filter((x): x is string => x !== undefined);
  assert.equal(new Set(got).size, got.length, 'no task handed out twice');
  assert.deepEqual(new Set(got), ids);
});

test('L3: only legal transitions; review needs an in_progress task of your own; planner tools are refused to implementers', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const { task: todo } = await planner.call<{ task: Task }>('task_create', { title: 'not started' });
  assert.equal(await codeOf(planner.call('task_update', { id: todo.id, status: 'done' })), 'INVALID_TRANSITION', 'todo -> done skips the work');
  const critical = await taskInProgress(planner, impl, { complexity: 'critical' });
  assert.equal(await codeOf(impl.call('task_update', { id: critical.id, status: 'done' })), 'INVALID_TRANSITION', 'critical work goes through review');
  assert.equal(await codeOf(impl.call('task_update', { id: critical.id, status: 'review' })), 'INVALID_TRANSITION', 'review goes through task_submit_for_review');
  const simple = await taskInProgress(planner, impl, { complexity: 'simple' });
  await impl.call('task_update', { id: simple.id, status: 'done' });
  assert.equal(await codeOf(impl.call('task_submit_for_review', { id: simple.id, reviewNotes: 'again' })), 'INVALID_TRANSITION', 'a done task is not sent back to review');
  assert.equal(await codeOf(planner.call('task_approve', { id: critical.id })), 'INVALID_TRANSITION', 'only tasks in review are approved');
  for (const [tool, args] of [
    ['task_approve', { id: critical.id }],
    ['task_request_changes', { id: critical.id, feedback: 'x' }],
    ['task_approve_batch', { ids: [critical.id] }],
    ['session_reset', { confirm: true }],
    ['implementer_reset', {}],
    ['project_status_set', { status: 'complete' }],
  ] as const) {
    assert.equal(await codeOf(impl.call(tool, args)), 'ROLE_FORBIDDEN', tool);
  }
});

test('L4: lock ownership is checked, paths are normalised, leases expire', async () => {
  const repo = makeRepo();
  const a = await initAgent(repo, 'implementer', 'impl-1');
  const b = await initAgent(repo, 'implementer', 'impl-2');
  await a.call('lock_acquire', { path: 'src/a.ts', ttlSec: 60 });
  assert.equal(await codeOf(b.call('lock_release', { path: 'src/a.ts' })), 'NOT_OWNER');
  for (const spelling of ['./src/a.ts', path.join(repo, 'src/a.ts'), 'src//a.ts']) {
    assert.equal(await codeOf(b.call('lock_acquire', { path: spelling })), 'LOCK_HELD', spelling);
  }
  assert.equal(await codeOf(b.call('lock_acquire', { path: '../elsewhere.ts' })), 'INVALID_INPUT', 'paths outside the repository are refused');
  // A crashed holder's lease expires: a server whose clock is 2 minutes ahead takes it over.
  const later = await initAgent(repo, 'implementer', 'impl-3', { env: { LOCKSTEP_CLOCK_OFFSET_MS: String(120_000) } });
  await later.call('lock_acquire', { path: 'src/a.ts' });
});

test('L5: session_reset needs confirm, is one commit, and leaves nothing half-done', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  await planner.call('project_context_set', { description: 'd', endState: 'e' });
  await taskInProgress(planner, impl);
  await impl.call('lock_acquire', { path: 'src/a.ts' });
  await impl.call('note_append', { text: 'progress' });
  await impl.call('discussion_start', { topic: 'API shape?', message: 'which one', waitingOn: 'planner' });
  const before = stateSubjects(repo).length;
  assert.equal(await codeOf(planner.call('session_reset', { confirm: false })), 'CONFIRM_REQUIRED');
  assert.equal(stateSubjects(repo).length, before, 'a refused reset changes nothing');
  const r = await planner.call<Record<string, number>>('session_reset', { confirm: true, keepProjectContext: true });
  assert.equal(r.tasksCleared, 1);
  assert.equal(r.leasesCleared, 1);
  assert.equal(r.implementersStopped, 1);
  assert.equal(r.discussionsArchived, 1);
  assert.equal(stateSubjects(repo).length, before + 1, 'one commit');
  const tree = git(repo, 'ls-tree', '-r', '--name-only', 'refs/lockstep/state');
  assert.doesNotMatch(tree, /^(tasks|leases|notes)\//m);
  const status = await planner.call<{ status: string; found: boolean }>('project_context_get');
  assert.equal(status.found, true);
  assert.equal(status.status, 'planning');
  // The old state is still in history.
  assert.match(git(repo, 'log', '-p', '--format=%s', 'refs/lockstep/state'), /title: work/);
});

test('L6: state belongs to one repository; a reset in one leaves another untouched', async () => {
  const repoA = makeRepo();
  const repoB = makeRepo();
  const plannerA = await initAgent(repoA, 'planner', 'planner-1');
  const plannerB = await initAgent(repoB, 'planner', 'planner-1');
  await plannerA.call('task_create', { title: 'only in A' });
  await plannerB.call('task_create', { title: 'only in B' });
  const inB = await plannerB.call<{ tasks: { title: string }[] }>('task_list');
  assert.deepEqual(inB.tasks.map((t) => t.title), ['only in B']);
  await plannerA.call('session_reset', { confirm: true });
  assert.equal((await plannerB.call<{ total: number }>('task_list')).total, 1);
});

test('L9: agent names cannot carry shell or path tricks', async () => {
  const repo = makeRepo();
  const fresh = await agent(repo);
  const tricks = ['a"; touch pwned; "', '$(id)', '`id`', '../escape', 'a/b', '-rf', 'x'.repeat(100)];
  for (const name of tricks) {
    assert.equal(await codeOf(fresh.call('coordination_init', { role: 'implementer', name })), 'INVALID_INPUT', name);
    assert.equal(await codeOf(fresh.call('discussion_start', { topic: 't', message: 'm', waitingOn: name })), 'IDENTITY_REQUIRED');
  }
  await fresh.call('coordination_init', { role: 'implementer', name: 'impl-1' });
  for (const name of tricks) assert.equal(await codeOf(fresh.call('discussion_start', { topic: 't', message: 'm', waitingOn: name })), 'INVALID_INPUT', name);
  assert.equal(await codeOf(fresh.call('note_append', { text: 'x', author: '$(id)' })), 'INVALID_INPUT');
  const r = cli(repo, 'server', '--agent', '../x', '--role', 'implementer');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /error\[INVALID_INPUT\]/);
});

test('L12: enums are validated everywhere', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const before = stateSubjects(repo).length;
  for (const [tool, args] of [
    ['task_create', { title: 't', complexity: '<img src=x onerror=alert(1)>' }],
    ['task_update', { id: 'T-AAAA', status: 'finished' }],
    ['task_list', { status: 'everything' }],
    ['project_status_set', { status: 'paused' }],
    ['project_context_set', { description: 'd', endState: 'e', preferredImplementer: 'gpt' }],
    ['discussion_start', { topic: 't', message: 'm', category: 'gossip' }],
    ['discussion_start', { topic: 't', message: 'm', priority: 'urgent' }],
    ['coordination_init', { role: 'overlord' }],
  ] as const) {
    assert.equal(await codeOf(planner.call(tool, args)), 'INVALID_INPUT', `${tool} ${JSON.stringify(args)}`);
  }
  assert.equal(stateSubjects(repo).length, before);
});

test('L15: context arrays survive partial updates; implementers get names; float limits are refused; logs live in git', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  await planner.call('project_context_set', { description: 'd', endState: 'e', constraints: ['no new deps'], tests: ['npm test'] });
  await planner.call('project_context_set', { endState: 'e2' });
  const { context } = await planner.call<{ context: { constraints: string[]; tests: string[]; endState: string } }>('project_context_get');
  assert.deepEqual(context.constraints, ['no new deps']);
  assert.deepEqual(context.tests, ['npm test']);
  assert.equal(context.endState, 'e2');

  const anon = await agent(repo);
  const bound = await anon.call<{ agent: string }>('coordination_init', { role: 'implementer' });
  assert.match(bound.agent, /^impl-\d+$/);
  assert.equal((await anon.call<{ agent: string }>('whoami')).agent, bound.agent);

  assert.equal(await codeOf(planner.call('discussion_list', { limit: 2.5 })), 'INVALID_INPUT');

  await anon.call('log_append', { event: 'build.finished', payload: { ok: true, ms: 1234 } });
  const logs = await planner.call<{ notes: { event: string; payload: { ms: number } }[] }>('note_list', { kind: 'log' });
  assert.equal(logs.notes[0]?.payload.ms, 1234);
  assert.equal((await planner.call<{ notes: unknown[] }>('note_list')).notes.length, 0, 'log entries stay out of the ordinary notes');
  assert.match(git(repo, 'log', '--format=%s', 'refs/lockstep/state'), new RegExp(`^log\\.append build\\.finished by ${bound.agent}$`, 'm'));
});
