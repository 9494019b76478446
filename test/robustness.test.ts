// No input can hang or kill a session: an over-limit request line, replies that would cross the
// client's 10 MiB line limit, oversized stored fields (by tool or by hand), deeply nested arguments.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CLI_PATH } from '../src/client/agent-client.js';
import { agent, git, gitEditState, initAgent, makeRepo, toolError } from './helpers.js';

const MIB = 1024 * 1024;
/** The reply limit the server promises (README, Limits). */
const REPLY_LIMIT = MIB;

const codeOf = async (p: Promise<unknown>) => (await toolError(p)).code;
const replySize = (r: unknown) => Buffer.byteLength(JSON.stringify(r));

/** A deeply nested object: {a: {a: {... 'x'}}}. */
function nested(depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

// ---- 7: request lines over the limit ----

/** A `lockstep server` spoken to in raw JSON-RPC lines; `replies` collects every line it writes. */
function rawServer(repo: string) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('LOCKSTEP_')) env[k] = v;
  const child = spawn(process.execPath, [CLI_PATH, 'server', '--repo', repo, '--role', 'implementer', '--agent', 'impl-1'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const replies: Record<string, unknown>[] = [];
  let buf = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.on('data', (c: Buffer) => {
    buf += c.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      replies.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
      buf = buf.slice(i + 1);
    }
  });
  const reply = async (id: unknown, ms = 20_000) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const r = replies.find((m) => m.id === id && ('result' in m || 'error' in m));
      if (r) return r;
      if (child.exitCode !== null) assert.fail(`the server exited (${child.exitCode}) without answering ${String(id)}: ${stderr}`);
      await new Promise((res) => setTimeout(res, 20));
    }
    assert.fail(`no reply to ${String(id)} in ${ms} ms; stderr: ${stderr}`);
  };
  const send = (line: string) => new Promise<void>((res, rej) => child.stdin.write(line, (err) => (err ? rej(err) : res())));
  return { child, replies, reply, send, stderr: () => stderr };
}

test('7: a request line over 10 MiB gets a JSON-RPC error with its id, and the server keeps serving', async () => {
  const repo = makeRepo();
  const s = rawServer(repo);
  try {
    await s.send(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } })}\n`);
    assert.ok('result' in (await s.reply(1)));
    await s.send(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    // As the SDK client writes it: method and params first, the id last; sent in pieces.
    const big = JSON.stringify({ method: 'tools/call', params: { name: 'file_write', arguments: { path: 'big.txt', content: 'x'.repeat(11 * MIB) } }, jsonrpc: '2.0', id: 2 });
    for (let i = 0; i < big.length; i += MIB) await s.send(big.slice(i, i + MIB));
    await s.send('\n');
    const refused = (await s.reply(2)) as { error: { code: number; message: string } };
    assert.equal(refused.error.code, -32600);
    // A second one whose id cannot be found cheaply is answered with id null.
    await s.send(`${'['.repeat(11 * MIB)}\n`);
    await s.send(`${JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'server_time', arguments: {} } })}\n`);
    const after = (await s.reply(3)) as { result: { isError?: boolean } };
    assert.ok(!after.result.isError, 'the server still answers');
    assert.ok(s.replies.some((m) => m.id === null && (m.error as { code: number } | undefined)?.code === -32600), 'the id-less line was answered with id null');
    // A line that is not JSON is answered too (parse error), not dropped.
    await s.send('{not json\n');
    await s.send(`${JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/list' })}\n`);
    await s.reply(4);
    assert.ok(s.replies.some((m) => m.id === null && (m.error as { code: number } | undefined)?.code === -32700));
    assert.ok(!fs.existsSync(path.join(repo, 'big.txt')));
  } finally {
    s.child.kill();
  }
});

// ---- 8: replies stay under the limit ----

test('8: file_read and artifact_read of a 6 MB file page with offset/nextOffset; every reply stays under 1 MiB', async () => {
  const repo = makeRepo();
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const body = Array.from({ length: 120_000 }, (_, i) => `line ${i} ${'é'.repeat(i % 7)} ${'y'.repeat(40)}\n`).join('');
  assert.ok(Buffer.byteLength(body) > 6_000_000);
  fs.writeFileSync(path.join(repo, 'big.txt'), body);
  for (const [tool, p] of [
    ['file_read', 'big.txt'],
    ['artifact_read', 'big.txt'],
  ] as const) {
    if (tool === 'artifact_read') await impl.call('artifact_write', { path: 'big.txt', content: body.slice(0, 3_000_000) });
    const want = tool === 'file_read' ? body : body.slice(0, 3_000_000);
    let got = '';
    let offset = 0;
    let pages = 0;
    for (;;) {
      const raw = await impl.raw(tool, { path: p, offset, maxBytes: 8 * MIB });
      assert.ok(!raw.isError, JSON.stringify(raw).slice(0, 300));
      assert.ok(replySize(raw) < REPLY_LIMIT, `${tool} reply is ${replySize(raw)} bytes`);
      const r = raw.structuredContent as { content: string; truncated: boolean; nextOffset?: number };
      got += r.content;
      pages++;
      if (!r.truncated) break;
      assert.match((raw.content as { text: string }[])[0]!.text, /offset/, 'the text says how to read on');
      offset = r.nextOffset!;
    }
    assert.equal(got, want, `${tool} pages give back the whole file`);
    assert.ok(pages > 5);
  }
});

test('8: command_run with 6 MB of output stays under the reply limit and says it was cut', async () => {
  const repo = makeRepo();
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const script = "process.stdout.write('o'.repeat(6000000)); process.stderr.write('e'.repeat(6000000))";
  const raw = await impl.raw('command_run', { args: [process.execPath, '-e', script], maxOutputBytes: 8 * MIB });
  assert.ok(!raw.isError, JSON.stringify(raw).slice(0, 300));
  assert.ok(replySize(raw) < REPLY_LIMIT, `reply is ${replySize(raw)} bytes`);
  const r = raw.structuredContent as { exitCode: number; stdoutTruncated: boolean; stderrTruncated: boolean; stdoutBytes: number };
  assert.equal(r.exitCode, 0);
  assert.equal(r.stdoutTruncated, true);
  assert.equal(r.stderrTruncated, true);
  assert.equal(r.stdoutBytes, 6_000_000);
  assert.match((raw.content as { text: string }[])[0]!.text, /truncated/);
});

test('8: doc_read of a 5 MB doc pages with offset/nextOffset', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  await planner.call('doc_write', { scope: 'shared', name: 'big', content: 'small' });
  const doc = Array.from({ length: 100_000 }, (_, i) => `para ${i} ${'ü'.repeat(i % 5)} ${'z'.repeat(40)}\n`).join('');
  gitEditState(repo, 'docs/shared/big.md', doc);
  const reader = await initAgent(repo, 'implementer', 'impl-1');
  let got = '';
  let offset = 0;
  for (;;) {
    const raw = await reader.raw('doc_read', { scope: 'shared', name: 'big', offset });
    assert.ok(!raw.isError, JSON.stringify(raw).slice(0, 300));
    assert.ok(replySize(raw) < REPLY_LIMIT, `doc_read reply is ${replySize(raw)} bytes`);
    const r = raw.structuredContent as { content: string; truncated: boolean; nextOffset?: number };
    got += r.content;
    if (!r.truncated) break;
    offset = r.nextOffset!;
  }
  assert.equal(got, doc);
});

test('8: a reply that would still be over the limit is REPLY_TOO_LARGE, and the session goes on', async () => {
  const repo = makeRepo();
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  // Control characters take 6 bytes each in JSON: a full page of them cannot fit.
  fs.writeFileSync(path.join(repo, 'ctl.bin'), Buffer.alloc(400_000, 1));
  assert.equal(await codeOf(impl.call('file_read', { path: 'ctl.bin', maxBytes: 8 * MIB })), 'REPLY_TOO_LARGE');
  const b64 = await impl.call<{ content: string }>('file_read', { path: 'ctl.bin', encoding: 'base64', maxBytes: 100_000 });
  assert.equal(Buffer.from(b64.content, 'base64').length, 100_000);
});

// ---- 9: stored fields have size limits; lists stay under the reply limit whatever the state holds ----

test('9: task metadata over its limit is INPUT_TOO_LARGE (bytes and keys); log payload too', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const big = await toolError(planner.call('task_create', { title: 't', metadata: { blob: 'x'.repeat(9_000_000) } }));
  assert.equal(big.code, 'INPUT_TOO_LARGE');
  assert.equal(big.data?.field, 'metadata');
  const keys = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, 1]));
  assert.equal(await codeOf(planner.call('task_create', { title: 't', metadata: keys })), 'INPUT_TOO_LARGE');
  const { task } = await planner.call<{ task: { id: string } }>('task_create', { title: 't', metadata: { small: 1 } });
  assert.equal(await codeOf(planner.call('task_update', { id: task.id, metadata: { blob: 'x'.repeat(100_000) } })), 'INPUT_TOO_LARGE');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  assert.equal(await codeOf(impl.call('log_append', { event: 'big', payload: { blob: 'x'.repeat(100_000) } })), 'INPUT_TOO_LARGE');
  assert.equal((await planner.call<{ tasks: unknown[] }>('task_list', {})).tasks.length, 1);
});

test('9: two hand-committed 6 MB tasks: task_list summarises and names them, under the reply limit', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await planner.call<{ task: { id: string } }>('task_create', { title: `t${i}` })).task.id);
  for (const id of ids.slice(0, 2)) {
    const file = `tasks/${git(repo, 'ls-tree', '-r', '--name-only', 'refs/lockstep/state', 'tasks').split('\n').find((f) => f.endsWith(`${id}.yaml`))!.slice('tasks/'.length)}`;
    const yaml = git(repo, 'show', `refs/lockstep/state:${file}`);
    gitEditState(repo, file, `${yaml}\nmetadata:\n  blob: ${'m'.repeat(6_000_000)}\n`);
  }
  const impl = await agent(repo, 'implementer', 'impl-1');
  await impl.call('coordination_init', { role: 'implementer' });
  const raw = await impl.raw('task_list', {});
  assert.ok(!raw.isError, JSON.stringify(raw).slice(0, 300));
  assert.ok(replySize(raw) < REPLY_LIMIT, `task_list reply is ${replySize(raw)} bytes`);
  const r = raw.structuredContent as { tasks: { id: string; metadata?: Record<string, unknown> }[]; oversized: string[] };
  assert.deepEqual(r.tasks.map((t) => t.id), ids);
  assert.deepEqual(r.oversized, ids.slice(0, 2));
  for (const t of r.tasks.slice(0, 2)) assert.equal(JSON.stringify(t.metadata).includes('mmmm'), false);
  assert.match((raw.content as { text: string }[])[0]!.text, /oversized/i);
  // Reading the big one in full is refused with a code, not a dead session.
  assert.equal(await codeOf(impl.call('task_get', { id: ids[0] })), 'REPLY_TOO_LARGE');
  assert.equal((await impl.call<{ task: { id: string } }>('task_get', { id: ids[2] })).task.id, ids[2]);
});

// ---- 10: deep nesting ----

test('10: arguments nested 4,000 deep are INVALID_INPUT naming the field, not INTERNAL', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const a = await toolError(planner.call('task_create', { title: 't', metadata: nested(4_000) }));
  assert.equal(a.code, 'INVALID_INPUT');
  assert.match(JSON.stringify(a.data), /metadata/);
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const b = await toolError(impl.call('log_append', { event: 'deep', payload: nested(4_000) }));
  assert.equal(b.code, 'INVALID_INPUT');
  assert.match(JSON.stringify(b.data), /payload/);
  // Any argument, even one the tool does not know.
  assert.equal(await codeOf(planner.call('task_list', { whatever: nested(4_000) })), 'INVALID_INPUT');
  // A little nesting is fine.
  const { task } = await planner.call<{ task: { metadata: unknown } }>('task_create', { title: 't', metadata: { deep: nested(10) } });
  assert.deepEqual(task.metadata, { deep: nested(10) });
});
