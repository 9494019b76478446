// The role prompts: `lockstep prompts` on the CLI, MCP prompts/list and prompts/get, and the tool names they mention.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { IMPLEMENTER_PROMPT, PLANNER_PROMPT, PROMPTS, REVIEWER_PROMPT } from '../src/app/prompts.js';
import { ALL_TOOLS } from '../src/mcp/tools/index.js';
import { agent, cli, makeRepo } from './helpers.js';

const PLANNER_PHRASES = ['ABSOLUTE PROHIBITIONS', 'needs_context', 'needs_plan', 'needs_tasks', 'monitoring', 'TASK COMPLEXITY PROTOCOL', 'task_approve', 'task_request_changes', 'discussion_inbox', 'events_wait'];
const IMPLEMENTER_PHRASES = ['CONTINUOUS WORK LOOP', 'task_next', 'lock_acquire', 'task_submit_for_review', 'discussion_inbox', 'stopped', 'complete'];

/** DESIGN 7 tools that later issues add; a prompt may mention them ("where your server offers it"). */
const PLANNED = new Set(['launch_implementer', 'lock_heartbeat', 'lock_force_release', 'worktree_create', 'worktree_status', 'worktree_merge', 'worktree_list', 'worktree_cleanup', 'dashboard_open']);

const EXISTING = new Set(ALL_TOOLS.map((t) => t.name));

const TOOL_LIKE =
  /\b(?:coordination_|project_|status_get|session_|task_|lock_|note_|discussion_|implementer_|events_|state_log|file_|artifact_|command_run|tool_install|log_append|launch_|whoami|server_time|issue_|doc_|delivery_|acceptance_bundle|worktree_)[a-z_]*\b/g;

/** A plain directory that is not inside a git repository. */
function plainDir(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-prompts-')));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  assert.ok(!fs.existsSync(path.join(dir, '.git')));
  return dir;
}

test('the prompt texts carry the key phrases', () => {
  for (const p of PLANNER_PHRASES) assert.ok(PLANNER_PROMPT.includes(p), `planner prompt lacks "${p}"`);
  for (const p of IMPLEMENTER_PHRASES) assert.ok(IMPLEMENTER_PROMPT.includes(p), `implementer prompt lacks "${p}"`);
  for (const p of ['command_run', 'note_append', 'task_list']) assert.ok(REVIEWER_PROMPT.includes(p), `reviewer prompt lacks "${p}"`);
});

test('prompts name only tools that exist (DESIGN 7)', () => {
  for (const p of PROMPTS) {
    const named = new Set(p.text.match(TOOL_LIKE) ?? []);
    assert.ok(named.size >= 5, `${p.name}: the tool-name scan found only ${[...named].join(', ')}`);
    const unknown = [...named].filter((n) => !EXISTING.has(n) && !PLANNED.has(n));
    assert.deepEqual(unknown, [], `${p.name} prompt names tools that do not exist`);
  }
});

test('lockstep prompts prints every prompt outside a git repository', () => {
  const dir = plainDir();
  const r = cli(dir, 'prompts');
  assert.equal(r.status, 0, r.stderr);
  for (const heading of ['PLANNER PROMPT:', 'IMPLEMENTER PROMPT:', 'REVIEWER PROMPT:']) assert.ok(r.stdout.includes(heading), `missing ${heading}`);
  for (const p of [...PLANNER_PHRASES, ...IMPLEMENTER_PHRASES]) assert.ok(r.stdout.includes(p), `output lacks "${p}"`);
  assert.ok(r.stdout.includes(PLANNER_PROMPT) && r.stdout.includes(IMPLEMENTER_PROMPT) && r.stdout.includes(REVIEWER_PROMPT));
});

test('lockstep prompts --role prints one prompt, aliases included', () => {
  const dir = plainDir();
  const planner = cli(dir, 'prompts', '--role', 'planner');
  assert.equal(planner.status, 0, planner.stderr);
  assert.ok(planner.stdout.includes('PLANNER PROMPT:') && planner.stdout.includes(PLANNER_PROMPT));
  assert.ok(!planner.stdout.includes('IMPLEMENTER PROMPT:'));

  const worker = cli(dir, 'prompts', '--role', 'worker');
  assert.equal(worker.status, 0, worker.stderr);
  assert.ok(worker.stdout.includes('IMPLEMENTER PROMPT:') && worker.stdout.includes(IMPLEMENTER_PROMPT));
  assert.ok(!worker.stdout.includes('PLANNER PROMPT:'));

  const reviewer = cli(dir, 'prompts', '--role', 'acceptor', '--json');
  assert.equal(reviewer.status, 0, reviewer.stderr);
  const body = JSON.parse(reviewer.stdout) as { prompts: { role: string; text: string }[] };
  assert.deepEqual(
    body.prompts.map((p) => p.role),
    ['reviewer'],
  );
  assert.equal(body.prompts[0]!.text, REVIEWER_PROMPT);

  const all = JSON.parse(cli(dir, 'prompts', '--json').stdout) as { prompts: { role: string }[] };
  assert.deepEqual(
    all.prompts.map((p) => p.role),
    ['planner', 'implementer', 'reviewer'],
  );
});

test('lockstep prompts with an unknown role fails with INVALID_INPUT', () => {
  const r = cli(plainDir(), 'prompts', '--role', 'boss');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error\[INVALID_INPUT\]: /);
  assert.equal(r.stdout, '');
});

test('MCP prompts/list and prompts/get work before coordination_init', async () => {
  const repo = makeRepo();
  const c = await agent(repo);
  assert.ok(c.client.getServerCapabilities()?.prompts, 'the server advertises the prompts capability');

  const { prompts } = await c.client.listPrompts();
  assert.deepEqual(
    prompts.map((p) => p.name),
    ['planner', 'implementer', 'reviewer'],
  );
  for (const p of prompts) {
    assert.ok(p.title && p.description, `${p.name} has a title and a description`);
    assert.ok(!p.arguments || p.arguments.length === 0, `${p.name} takes no arguments`);
  }

  const texts: Record<string, string> = { planner: PLANNER_PROMPT, implementer: IMPLEMENTER_PROMPT, reviewer: REVIEWER_PROMPT };
  for (const [name, text] of Object.entries(texts)) {
    const got = await c.client.getPrompt({ name });
    assert.equal(got.messages.length, 1);
    const msg = got.messages[0]!;
    assert.equal(msg.role, 'user');
    assert.deepEqual(msg.content, { type: 'text', text });
  }

  await assert.rejects(c.client.getPrompt({ name: 'boss' }), (err: Error & { code?: number }) => {
    assert.equal(err.code, -32602); // InvalidParams
    assert.match(err.message, /INVALID_INPUT/);
    return true;
  });

  // Still unbound: reading prompts bound no identity.
  const me = await c.call<{ bound: boolean }>('whoami');
  assert.equal(me.bound, false);
});
