// MCP over stdio with the real SDK client: roles, identity, validation, leases, events.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentClient } from '../src/client/agent-client.js';
import { listTools } from '../src/mcp/list.js';
import { agent, initAgent, makeRepo, stateSubjects, toolError } from './helpers.js';

const codeOf = async (p: Promise<unknown>) => (await toolError(p)).code;

interface Task {
  id: string;
  status: string;
  owner?: string;
}

test('tools/list is filtered by role, and other roles\' tools are refused', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const names = async (c: AgentClient) => (await c.client.listTools()).tools.map((t) => t.name);
  const p = await names(planner);
  const i = await names(impl);
  assert.ok(p.includes('task_create') && !p.includes('task_claim') && !p.includes('lock_acquire'));
  assert.ok(i.includes('task_claim') && i.includes('lock_acquire') && !i.includes('task_create') && !i.includes('project_context_set'));
  for (const t of (await planner.client.listTools()).tools) {
    assert.ok(t.title && t.description && t.inputSchema.type === 'object', `${t.name} is described`);
    assert.ok(t.description.length <= 120, `${t.name}: descriptions stay short (the role's tools/list budget)`);
  }
  assert.equal(await codeOf(impl.call('task_create', { title: 'x' })), 'ROLE_FORBIDDEN');
  assert.equal(await codeOf(planner.call('task_claim', { id: 'T-AAAA' })), 'ROLE_FORBIDDEN');
});

test('tools/list stays under 5,000 tokens (bytes / 4) for each working role', () => {
  for (const role of ['planner', 'implementer', 'reviewer'] as const) {
    const tokens = JSON.stringify(listTools(role)).length / 4;
    assert.ok(tokens < 5000, `${role}: ${Math.round(tokens)} tokens`);
  }
});

test('identity: unbound servers require coordination_init, which names implementers impl-N', async () => {
  const repo = makeRepo();
  const a = await agent(repo);
  assert.equal(await codeOf(a.call('task_list')), 'IDENTITY_REQUIRED');
  assert.equal((await a.call<{ bound: boolean }>('whoami')).bound, false);
  let changed = 0;
  a.client.setNotificationHandler((await import('@modelcontextprotocol/sdk/types.js')).ToolListChangedNotificationSchema, () => {
    changed++;
  });
  const r = await a.call<{ agent: string; role: string }>('coordination_init', { role: 'worker' });
  assert.equal(r.agent, 'impl-1');
  assert.equal(r.role, 'implementer');
  const b = await agent(repo);
  assert.equal((await b.call<{ agent: string }>('coordination_init', { role: 'implementer' })).agent, 'impl-2');
  assert.equal(await codeOf(a.call('coordination_init', { role: 'planner' })), 'IDENTITY_MISMATCH');
  assert.equal(await codeOf(a.call('coordination_init', { role: 'implementer', name: 'impl-9' })), 'IDENTITY_MISMATCH');
  assert.ok(changed >= 1, 'tools/list_changed was sent after binding');
  assert.ok(!(await a.client.listTools()).tools.some((t) => t.name === 'task_create'));
  // owner/author parameters default to the bound identity; another name is refused.
  assert.equal(await codeOf(a.call('note_append', { text: 'hi', author: 'impl-2' })), 'IDENTITY_MISMATCH');
  assert.equal(await codeOf(a.call('lock_acquire', { path: 'src/a.ts', owner: 'impl-2' })), 'IDENTITY_MISMATCH');
});

test('bad input of any kind gets INVALID_INPUT and changes nothing', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const before = stateSubjects(repo).length;
  const bad: [AgentClient, string, Record<string, unknown>][] = [
    [planner, 'task_create', { title: 42 }],
    [planner, 'task_create', { title: 'x'.repeat(10_000) }],
    [planner, 'task_create', { title: 'ok', complexity: 'enormous' }],
    [planner, 'task_create', { title: 'ok', titel: 'typo' }],
    [planner, 'task_create', {}],
    [planner, 'task_get', { id: '../../etc/passwd' }],
    [planner, 'task_update', { id: 'T-AAAA', status: '<img onerror=x>' }],
    [impl, 'lock_acquire', { path: '../outside.ts' }],
    [impl, 'lock_acquire', { path: '/etc/passwd' }],
    [impl, 'lock_acquire', { path: '.git/config' }],
    [impl, 'lock_release', { path: 'src/a.ts', leaseId: 'L-AAAA' }],
    [impl, 'events_wait', { cursor: 'not-a-commit' }],
    [impl, 'note_append', { text: '' }],
    [impl, 'task_list', { limit: 1.5 }],
  ];
  for (const [c, tool, args] of bad) assert.equal(await codeOf(c.call(tool, args)), 'INVALID_INPUT', `${tool} ${JSON.stringify(args).slice(0, 80)}`);
  assert.equal(await codeOf(impl.call('no_such_tool', {})), 'INVALID_INPUT');
  assert.equal(stateSubjects(repo).length, before);
});

test('errors carry a code in text and structuredContent, valid against the output schema', async () => {
  const repo = makeRepo();
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  await impl.client.listTools(); // the SDK client validates results against output schemas from here on
  const res = await impl.raw('task_get', { id: 'T-ZZZZ' });
  assert.equal(res.isError, true);
  assert.match((res.content[0] as { text: string }).text, /^TASK_NOT_FOUND: /);
  assert.equal((res.structuredContent as { error: { code: string } }).error.code, 'TASK_NOT_FOUND');
});

test('leases through MCP: normalised paths, holder named, owner checked, re-acquirable after release', async () => {
  const repo = makeRepo();
  const a = await initAgent(repo, 'implementer', 'impl-1');
  const b = await initAgent(repo, 'implementer', 'impl-2');
  const { lease } = await a.call<{ lease: { id: string; paths: string[] } }>('lock_acquire', { path: `${repo}/src/a.ts`, reason: 'refactor' });
  assert.deepEqual(lease.paths, ['src/a.ts']);
  const held = await toolError(b.call('lock_acquire', { path: './src/a.ts' }));
  assert.equal(held.code, 'LOCK_HELD');
  assert.equal(held.data?.holder, 'impl-1');
  assert.equal(held.data?.leaseId, lease.id);
  assert.equal(await codeOf(b.call('lock_release', { path: 'src/a.ts' })), 'NOT_OWNER');
  assert.equal(await codeOf(b.call('lock_release', { leaseId: lease.id })), 'NOT_OWNER');
  const listed = await b.call<{ leases: { id: string }[] }>('lock_list', { path: 'src' });
  assert.deepEqual(listed.leases.map((l) => l.id), [lease.id]);
  for (let i = 0; i < 3; i++) {
    await a.call('lock_release', { path: 'src/a.ts' });
    await a.call('lock_acquire', { path: 'src/a.ts' });
  }
  await a.call('lock_release', { path: 'src/a.ts' });
  await b.call('lock_acquire', { path: 'src/a.ts' });
  assert.equal((await a.call<{ leases: unknown[] }>('lock_list', { owner: 'impl-2' })).leases.length, 1);
});

test('expired leases are free for others (clock moved, not slept)', async () => {
  const repo = makeRepo();
  const a = await initAgent(repo, 'implementer', 'impl-1');
  const later = await initAgent(repo, 'implementer', 'impl-2', { env: { LOCKSTEP_CLOCK_OFFSET_MS: String(10 * 60_000) } });
  const { lease } = await a.call<{ lease: { id: string } }>('lock_acquire', { path: 'src/a.ts', ttlSec: 60 });
  const r = await later.call<{ tookOver: { leaseId: string }[] }>('lock_acquire', { path: 'src/a.ts' });
  assert.equal(r.tookOver[0]?.leaseId, lease.id);
  assert.match(stateSubjects(repo).at(-1)!, /^lock\.acquire L-\w+ src\/a\.ts by impl-2$/);
});

test('project context, status and notes round-trip', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  assert.equal((await impl.call<{ found: boolean }>('project_context_get')).found, false);
  await planner.call('project_context_set', { description: 'd', endState: 'e', tests: ['npm test'] });
  await planner.call('project_context_set', { acceptanceCriteria: ['works'] });
  const ctx = await impl.call<{ context: { tests: string[]; acceptanceCriteria: string[] } }>('project_context_get');
  assert.deepEqual(ctx.context.tests, ['npm test']);
  assert.deepEqual(ctx.context.acceptanceCriteria, ['works']);
  await planner.call('project_status_set', { status: 'stopped' });
  await impl.call('note_append', { text: 'stopping' });
  const notes = await impl.call<{ notes: { text: string; author: string }[] }>('note_list', { limit: 1 });
  assert.deepEqual(notes.notes.map((n) => n.author), ['impl-1']);
  const all = await impl.call<{ notes: { text: string }[] }>('note_list');
  assert.match(all.notes[0]!.text, /STOPPED/);
  assert.match((await impl.call<{ hint: string }>('task_list')).hint, /STOPPED/);
});

test('events_wait wakes on another process\'s commit, resumes by cursor, times out with a result', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const timedOut = await planner.call<{ timedOut: boolean; cursor: string; events: unknown[] }>('events_wait', { timeoutSec: 0.3 });
  assert.equal(timedOut.timedOut, true);
  assert.equal(timedOut.events.length, 0);
  const waiting = planner.call<{ events: { op: string; actor: string; entities: string[] }[]; cursor: string }>('events_wait', { cursor: timedOut.cursor, timeoutSec: 20 });
  await new Promise((r) => setTimeout(r, 200));
  await impl.call('note_append', { text: 'first' });
  const woke = await waiting;
  assert.equal(woke.events.length, 1);
  assert.equal(woke.events[0]!.op, 'note.append');
  assert.equal(woke.events[0]!.actor, 'impl-1');
  // Commits made while nobody waits are not lost: the cursor picks them up.
  await impl.call('note_append', { text: 'second' });
  await impl.call('lock_acquire', { path: 'src/a.ts' });
  const next = await planner.call<{ events: { op: string }[]; cursor: string }>('events_wait', { cursor: woke.cursor });
  assert.deepEqual(next.events.map((e) => e.op), ['note.append', 'lock.acquire']);
  const filtered = await planner.call<{ events: { op: string }[] }>('events_wait', { cursor: woke.cursor, ops: ['lock.'] });
  assert.deepEqual(filtered.events.map((e) => e.op), ['lock.acquire']);
  const paged = await planner.call<{ events: unknown[]; hasMore: boolean; cursor: string }>('events_wait', { cursor: woke.cursor, limit: 1 });
  assert.equal(paged.hasMore, true);
  const rest = await planner.call<{ events: { op: string }[] }>('events_wait', { cursor: paged.cursor });
  assert.deepEqual(rest.events.map((e) => e.op), ['lock.acquire']);
  assert.equal(await codeOf(planner.call('events_wait', { cursor: '0'.repeat(40) })), 'CURSOR_UNKNOWN');
  // state_log is not the planner's (its tools/list budget); an implementer reads it.
  const log = await impl.call<{ events: { op: string }[] }>('state_log', { limit: 2 });
  assert.deepEqual(log.events.map((e) => e.op), ['lock.acquire', 'note.append']);
});

test('task workflow through MCP, one commit per mutation, nothing for no-ops', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const { task } = await planner.call<{ task: Task }>('task_create', { title: 'Write docs', complexity: 'simple', tags: ['docs'] });
  const n = stateSubjects(repo).length;
  await impl.call('task_claim', { id: task.id });
  assert.equal((await impl.call<{ changed: boolean }>('task_update', { id: task.id, tags: ['docs'] })).changed, false);
  await impl.call('task_update', { id: task.id, status: 'done' });
  assert.deepEqual(stateSubjects(repo).slice(n), [`task.claim ${task.id} by impl-1`, `task.update ${task.id} in_progress -> done by impl-1`]);
  const got = await planner.call<{ task: Task }>('task_get', { id: task.id });
  assert.equal(got.task.status, 'done');
  const list = await planner.call<{ tasks: Task[]; hint: string }>('task_list', { tag: 'docs' });
  assert.equal(list.tasks.length, 0);
  assert.match(list.hint, /1 done/);
});

test('a blocked events_wait sends progress notifications when the client asks for them', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const progress: { progress: number; message?: string }[] = [];
  const res = await planner.client.callTool({ name: 'events_wait', arguments: { timeoutSec: 5.5 } }, undefined, {
    timeout: 20_000,
    onprogress: (p) => progress.push(p),
  });
  assert.equal((res.structuredContent as { timedOut: boolean }).timedOut, true);
  assert.equal(progress.length, 1);
  assert.match(progress[0]!.message ?? '', /waiting/);
});

test('ROLE_FORBIDDEN names the roles a tool is for, in good English (an implementer tool)', async () => {
  const repo = makeRepo();
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const err = await toolError(impl.call('task_create', { title: 'x' }));
  assert.equal(err.code, 'ROLE_FORBIDDEN');
  assert.deepEqual([err.data?.tool, err.data?.role], ['task_create', 'implementer']);
  // The wording is what this test is about (issue 14): "an implementer", not "a implementer".
  assert.match(err.message, /is not an implementer tool \(it is for: planner\)/);
});
