// A server started outside a repository (a user-scope install opened anywhere) keeps serving: it finds
// its repository among the client's MCP roots, or coordination_init names it; until then every tool
// answers NOT_A_GIT_REPO. A role given at start binds and registers the agent at once (issue 14).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { AgentClient } from '../src/client/agent-client.js';
import { cli, initAgent, makeRepo, stateSubjects, toolError } from './helpers.js';

function outside(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-norepo-')));
  return dir;
}

async function start(opts: Parameters<typeof AgentClient.start>[0]): Promise<AgentClient> {
  return AgentClient.start({ stderr: 'pipe', ...opts });
}

test('outside a repository the server connects, lists its tools, and each tool answers NOT_A_GIT_REPO', async () => {
  const dir = outside();
  const c = await start({ cwd: dir, role: 'planner', agent: 'lead-1' });
  try {
    const tools = (await c.client.listTools()).tools.map((t) => t.name);
    assert.ok(tools.includes('task_create'));
    assert.ok((await c.client.listPrompts()).prompts.length === 3);
    const err = await toolError(c.call('task_list'));
    assert.equal(err.code, 'NOT_A_GIT_REPO');
    assert.equal(err.data?.startedIn, dir);
    assert.equal((await toolError(c.call('coordination_init', { role: 'planner' }))).code, 'NOT_A_GIT_REPO');
  } finally {
    await c.close();
  }
});

test('the repository is found among the client\'s roots, at start or when the roots change, and kept', async () => {
  const repo = makeRepo();
  const dir = outside();
  const other = makeRepo();
  const a = await start({ cwd: dir, role: 'implementer', agent: 'impl-1', roots: [dir, repo] });
  const b = await start({ cwd: dir, role: 'implementer', agent: 'impl-2', roots: [dir] });
  try {
    const listed = await a.call<{ tasks: unknown[] }>('task_list');
    assert.deepEqual(listed.tasks, []);
    assert.equal((await a.call<{ repo: string }>('whoami')).repo, repo);
    assert.equal((await toolError(b.call('task_list'))).code, 'NOT_A_GIT_REPO');
    await b.setRoots([repo]);
    let found = false;
    for (let i = 0; i < 50 && !found; i++) {
      try {
        await b.call('task_list');
        found = true;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(found, 'roots/list_changed led the server to the repository');
    // Once found it is kept: another root later does not move the server.
    await a.setRoots([other]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await a.call<{ repo: string }>('whoami')).repo, repo);
    // Both registered themselves with their process at start (no coordination_init called).
    const planner = await initAgent(repo, 'planner', 'lead-1');
    const impls = await planner.call<{ implementers: { name: string; pid?: number; process: string }[] }>('implementer_list');
    assert.deepEqual(impls.implementers.map((i) => [i.name, i.process]), [['impl-1', 'running'], ['impl-2', 'running']]);
    assert.equal(impls.implementers[0]!.pid, a.pid);
  } finally {
    await a.close();
    await b.close();
  }
});

test('coordination_init names the repository of a server started outside one; another repository is refused', async () => {
  const repo = makeRepo();
  const other = makeRepo();
  const c = await start({ cwd: outside() });
  try {
    const r = await c.call<{ agent: string }>('coordination_init', { role: 'implementer', repo: path.join(repo, 'src') });
    assert.equal(r.agent, 'impl-1');
    assert.equal((await c.call<{ repo: string }>('whoami')).repo, repo);
    assert.equal((await toolError(c.call('coordination_init', { role: 'implementer', repo: other }))).code, 'INVALID_INPUT');
    await c.call('coordination_init', { role: 'implementer', repo });
  } finally {
    await c.close();
  }
});

test('a role alone binds with a generated name and registers the agent; --role and --agent register it with its pid', async () => {
  const repo = makeRepo();
  const byRole = await start({ repo, role: 'implementer' });
  const named = await start({ repo, role: 'implementer', agent: 'impl-7' });
  try {
    const who = await byRole.call<{ bound: boolean; agent: string; role: string }>('whoami');
    assert.deepEqual([who.bound, who.agent, who.role], [true, 'impl-1', 'implementer']);
    await byRole.call('note_append', { text: 'bound without coordination_init' });
    const status = JSON.parse(cli(repo, 'status', '--json').stdout) as { agents: { name: string; role: string }[] };
    assert.deepEqual(status.agents.map((a) => a.name).sort(), ['impl-1', 'impl-7']);
    // coordination_init right after the start-up registration writes nothing more.
    const before = stateSubjects(repo).length;
    await named.call('coordination_init', { role: 'implementer' });
    assert.equal(stateSubjects(repo).length, before);
  } finally {
    await byRole.close();
    await named.close();
  }
});
