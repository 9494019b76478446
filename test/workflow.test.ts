// The lockstep-mcp README's example workflow, end to end through real stdio MCP servers, told by git log.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { git, initAgent, makeRepo, stateSubjects, toolError } from './helpers.js';

interface Task {
  id: string;
  title: string;
  status: string;
  owner?: string;
  review?: { notes?: string; verdict?: string; feedback?: string };
}

test('planner plans, two implementers in separate processes claim, lock and submit, planner requests changes then approves', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');

  // Phase 1: no context yet.
  assert.equal((await planner.call<{ status: string }>('coordination_init', { role: 'planner' })).status, 'needs_context');
  await planner.call('project_context_set', {
    description: 'A tiny calculator library',
    endState: 'add and mul exported from src/calc.ts, with tests',
    techStack: ['TypeScript'],
    acceptanceCriteria: ['npm test passes'],
  });
  assert.equal((await planner.call<{ status: string }>('coordination_init', { role: 'planner' })).status, 'needs_plan');
  await planner.call('project_context_set', { implementationPlan: ['Write add', 'Write mul', 'Document both'] });
  await planner.call('project_status_set', { status: 'ready' });
  const ctx = await planner.call<{ context: { techStack: string[]; acceptanceCriteria: string[] } }>('project_context_get');
  assert.deepEqual(ctx.context.techStack, ['TypeScript'], 'arrays omitted by the second project_context_set are kept (L15)');
  assert.equal((await planner.call<{ status: string }>('coordination_init', { role: 'planner' })).status, 'needs_tasks');

  const add = (await planner.call<{ task: Task }>('task_create', { title: 'Write add', complexity: 'medium' })).task;
  const mul = (await planner.call<{ task: Task }>('task_create', { title: 'Write mul', complexity: 'medium' })).task;
  const docs = (await planner.call<{ task: Task }>('task_create', { title: 'Document both', complexity: 'simple', dependsOn: [add.id, mul.id] })).task;
  assert.equal((await planner.call<{ status: string }>('coordination_init', { role: 'planner' })).status, 'monitoring');

  // Two implementers, each its own server process.
  const impl1 = await initAgent(repo, 'implementer', 'impl-1');
  const impl2 = await initAgent(repo, 'implementer', 'impl-2');
  const ready = await impl1.call<{ status: string; availableTasks: Task[] }>('coordination_init', { role: 'implementer' });
  assert.equal(ready.status, 'ready');
  assert.deepEqual(ready.availableTasks.map((t) => t.id).sort(), [add.id, mul.id].sort(), 'the dependent task is not ready yet');

  const [n1, n2] = await Promise.all([impl1.call<{ task: Task }>('task_next'), impl2.call<{ task: Task }>('task_next')]);
  assert.notEqual(n1.task.id, n2.task.id, 'task_next never hands one task to two agents');
  assert.deepEqual([n1.task.id, n2.task.id].sort(), [add.id, mul.id].sort());

  await impl1.call('lock_acquire', { path: 'src/calc.ts', task: n1.task.id });
  assert.equal((await toolError(impl2.call('lock_acquire', { path: './src/calc.ts' }))).code, 'LOCK_HELD');
  await impl1.call('lock_release', { path: 'src/calc.ts' });
  await impl2.call('lock_acquire', { path: 'src/calc.ts', task: n2.task.id });
  await impl2.call('lock_release', { path: 'src/calc.ts' });

  // A medium task cannot skip review; a non-owner cannot submit it.
  assert.equal((await toolError(impl1.call('task_update', { id: n1.task.id, status: 'done' }))).code, 'INVALID_TRANSITION');
  assert.equal((await toolError(impl2.call('task_submit_for_review', { id: n1.task.id, reviewNotes: 'not mine' }))).code, 'NOT_OWNER');
  await impl1.call('task_submit_for_review', { id: n1.task.id, reviewNotes: 'implemented, unit tests added' });
  await impl2.call('task_submit_for_review', { id: n2.task.id, reviewNotes: 'implemented' });

  // The planner sends impl-1's work back, then approves the resubmission together with impl-2's.
  const back = await planner.call<{ task: Task }>('task_request_changes', { id: n1.task.id, feedback: 'handle negative numbers' });
  assert.equal(back.task.status, 'in_progress');
  const seen = (await impl1.call<{ task: Task }>('task_get', { id: n1.task.id })).task;
  assert.equal(seen.review?.verdict, 'changes_requested');
  assert.equal(seen.review?.feedback, 'handle negative numbers');
  await impl1.call('task_submit_for_review', { id: n1.task.id, reviewNotes: 'negatives handled' });
  const batch = await planner.call<{ approved: number; failed: number; results: { id: string; approved: boolean; error?: { code: string } }[] }>('task_approve_batch', {
    ids: [n1.task.id, n2.task.id, docs.id],
  });
  assert.equal(batch.approved, 2);
  assert.equal(batch.results.find((r) => r.id === docs.id)?.error?.code, 'INVALID_TRANSITION', 'a todo task is reported, the rest still approved');

  // Now the dependent task is ready; it is simple, so its owner finishes it directly.
  const last = await impl2.call<{ task: Task }>('task_next');
  assert.equal(last.task.id, docs.id);
  const done = await impl2.call<{ allComplete: boolean }>('task_update', { id: docs.id, status: 'done' });
  assert.equal(done.allComplete, true);
  const notes = await planner.call<{ notes: { text: string; kind: string }[] }>('note_list', { kind: 'system' });
  assert.ok(notes.notes.some((n) => n.text.includes('ALL TASKS COMPLETE')));
  const summary = await planner.call<{ completionPercent: number }>('task_summary');
  assert.equal(summary.completionPercent, 100);

  await planner.call('project_status_set', { status: 'complete' });
  assert.equal((await impl1.call<{ status: string }>('coordination_init', { role: 'implementer' })).status, 'complete');

  // git log tells the story, in order.
  const ops = stateSubjects(repo).map((s) => s.split(' ')[0]);
  const story = [
    'project.context.set',
    'project.status.set',
    'task.create',
    'task.next',
    'lock.acquire',
    'lock.release',
    'task.submit_for_review',
    'task.request_changes',
    'task.submit_for_review',
    'task.approve_batch',
    'task.update',
    'project.status.set',
  ];
  let at = 0;
  for (const op of ops) if (op === story[at]) at++;
  assert.equal(at, story.length, `history follows the workflow: ${ops.join(', ')}`);
  const log = git(repo, 'log', '--format=%an %s', 'refs/lockstep/state');
  assert.match(log, new RegExp(`planner-1 task.request_changes ${n1.task.id} -> in_progress by planner-1`));
  assert.match(log, new RegExp(`impl-2 task.update ${docs.id} in_progress -> done by impl-2`));
});
