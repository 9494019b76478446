// Role codes (LOCKSTEP_ROLE_CODE_<ROLE>) and --disable-tools: what a server exposes and to whom.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agent, cli, makeRepo, toolError } from './helpers.js';

const CODES = { LOCKSTEP_ROLE_CODE_PLANNER: 'plan-s3cret', LOCKSTEP_ROLE_CODE_WORKER: 'work-s3cret' };

test('S11: role codes are checked locally on every tool: role_code listed as required, calls need the exact code', async () => {
  const repo = makeRepo();
  const planner = await agent(repo, 'planner', 'lead-1', { env: CODES });
  const { tools } = await planner.client.listTools();
  assert.ok(tools.length > 10);
  for (const t of tools) {
    assert.ok(t.inputSchema.properties && 'role_code' in t.inputSchema.properties, `${t.name} lists role_code`);
    assert.ok(t.inputSchema.required?.includes('role_code'), `${t.name} requires role_code`);
  }
  assert.equal((await toolError(planner.call('coordination_init', { role: 'planner' }))).code, 'ROLE_CODE_REQUIRED');
  assert.equal((await toolError(planner.call('status_get', {}))).code, 'ROLE_CODE_REQUIRED');
  assert.equal((await toolError(planner.call('status_get', { role_code: 'plan-s3creT' }))).code, 'ROLE_CODE_INVALID');
  assert.equal((await toolError(planner.call('status_get', { role_code: 'work-s3cret' }))).code, 'ROLE_CODE_INVALID', "another role's code does not open this role");
  const r = await planner.call<{ agent: string }>('coordination_init', { role: 'planner', role_code: 'plan-s3cret' });
  assert.equal(r.agent, 'lead-1');
  await planner.call('task_create', { title: 'coded', role_code: 'plan-s3cret' });
  // Validation of the rest still names bad fields after the code passes.
  assert.equal((await toolError(planner.call('task_create', { title: '', role_code: 'plan-s3cret' }))).code, 'INVALID_INPUT');
});

test('role codes: the swarm alias env (WORKER) codes the implementer; an uncoded role is unchanged', async () => {
  const repo = makeRepo();
  const worker = await agent(repo, 'implementer', 'impl-1', { env: CODES });
  assert.equal((await toolError(worker.call('task_list', {}))).code, 'ROLE_CODE_REQUIRED');
  await worker.call('coordination_init', { role: 'implementer', role_code: 'work-s3cret' });
  const reviewer = await agent(repo, 'reviewer', 'rev-1', { env: CODES });
  const { tools } = await reviewer.client.listTools();
  assert.ok(tools.every((t) => !t.inputSchema.required?.includes('role_code')), 'reviewer has no code: schemas unchanged');
  await reviewer.call('coordination_init', { role: 'reviewer' });
});

test('role codes: an unbound server checks coordination_init against the requested role', async () => {
  const repo = makeRepo();
  const c = await agent(repo, undefined, undefined, { env: CODES });
  const { tools } = await c.client.listTools();
  assert.ok(tools.every((t) => t.inputSchema.required?.includes('role_code')), 'unbound with codes configured: role_code listed');
  assert.equal((await toolError(c.call('coordination_init', { role: 'lead', name: 'lead-9', role_code: 'work-s3cret' }))).code, 'ROLE_CODE_INVALID');
  const r = await c.call<{ role: string }>('coordination_init', { role: 'lead', name: 'lead-9', role_code: 'plan-s3cret' });
  assert.equal(r.role, 'planner');
  assert.equal((await toolError(c.call('task_list', {}))).code, 'ROLE_CODE_REQUIRED');
});

test('role codes: without codes nothing changes', async () => {
  const repo = makeRepo();
  const c = await agent(repo, 'planner', 'lead-1');
  const { tools } = await c.client.listTools();
  assert.ok(tools.every((t) => !(t.inputSchema.properties && 'role_code' in t.inputSchema.properties)));
  await c.call('coordination_init', { role: 'planner' });
});

test('--disable-tools (swarm-mcp disabledTools): listed tools vanish from tools/list and cannot be called; a typo is refused', async () => {
  const repo = makeRepo();
  const c = await agent(repo, 'planner', 'lead-1', { extraArgs: ['--disable-tools', 'discussion_cleanup,state_log'] });
  const names = (await c.client.listTools()).tools.map((t) => t.name);
  assert.ok(!names.includes('discussion_cleanup') && !names.includes('state_log') && names.includes('task_create'));
  await c.call('coordination_init', { role: 'planner' });
  assert.equal((await toolError(c.call('state_log', {}))).code, 'INVALID_INPUT');
  const bad = cli(repo, 'server', '--disable-tools', 'state_lgo');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^error\[INVALID_INPUT\]/);
});
