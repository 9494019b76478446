// The dashboard through its own door (HTTP on loopback, a separate `lockstep dashboard` process):
// what it shows of work done through MCP, its actions as state commits, the live channel, and
// everything it must refuse (no token, a foreign Host or Origin, a write that is not a JSON POST).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import test from 'node:test';
import { cliProcess, git, initAgent, makeRepo, startDashboardProcess, stateSubjects, type DashboardProcess } from './helpers.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: () => any;
}

/** A raw HTTP request, so Host and Origin can be anything (fetch would not let a test forge them). */
function request(d: DashboardProcess, p: string, opts: { method?: string; headers?: Record<string, string>; body?: string; token?: boolean } = {}): Promise<Reply> {
  const headers: Record<string, string> = { Host: `127.0.0.1:${d.port}`, ...(opts.token === false ? {} : { 'X-Lockstep-Token': d.token }), ...opts.headers };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: d.port, path: p, method: opts.method ?? 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, json: () => JSON.parse(body) }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const post = (d: DashboardProcess, body: unknown, headers: Record<string, string> = {}, token = true) =>
  request(d, '/api/action', { method: 'POST', token, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', Origin: d.origin, ...headers } });

/** The first `tip` event of an event stream opened with these headers, or the refusal. */
function openStream(d: DashboardProcess, headers: Record<string, string>): Promise<{ status: number; next: () => Promise<string>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: d.port, path: `/api/events?token=${d.token}`, headers: { Host: `127.0.0.1:${d.port}`, ...headers } }, (res) => {
      let buf = '';
      const waiters: ((s: string) => void)[] = [];
      const events: string[] = [];
      res.setEncoding('utf8');
      res.on('data', (c) => {
        buf += c;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (!data) continue;
          const w = waiters.shift();
          if (w) w(data.slice(6));
          else events.push(data.slice(6));
        }
      });
      resolve({
        status: res.statusCode!,
        next: () => (events.length ? Promise.resolve(events.shift()!) : new Promise((r) => waiters.push(r))),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

test('the board shows work done through MCP; an action is a state commit by the person, seen by MCP and git', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'lead');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const d = await startDashboardProcess(repo, '--as', 'alice');
  const { task } = (await planner.call('task_create', { title: 'Wire the parser', complexity: 'medium' })) as { task: { id: string } };

  const stream = await openStream(d, {});
  assert.equal(stream.status, 200);
  const first = JSON.parse(await stream.next());
  assert.equal(first.tip, git(repo, 'rev-parse', 'refs/lockstep/state'));

  let view = (await request(d, '/api/view')).json();
  assert.equal(view.tasks.find((t: { id: string }) => t.id === task.id).status, 'todo');

  await impl.call('task_claim', { id: task.id });
  const pushed = JSON.parse(await stream.next());
  assert.equal(pushed.tip, git(repo, 'rev-parse', 'refs/lockstep/state'), 'a commit by another process is pushed on the live channel');
  await impl.call('task_submit_for_review', { id: task.id, reviewNotes: 'done' });
  view = (await request(d, '/api/view')).json();
  const item = view.needsYou.find((n: { kind: string; task: string }) => n.kind === 'review' && n.task === task.id);
  assert.ok(item, JSON.stringify(view.needsYou));
  assert.deepEqual(item.action, { label: 'Approve', action: 'task.approve', input: { id: task.id } });
  assert.equal(view.counts.needsYou, view.needsYou.length);

  const r = await post(d, { action: item.action.action, input: { ...item.action.input, feedback: 'Looks right' } });
  assert.equal(r.status, 200, r.body);
  const listed = (await planner.call('task_list', { includeDone: true })) as { tasks: { id: string; status: string }[] };
  assert.equal(listed.tasks.find((t) => t.id === task.id)?.status, 'done');
  assert.match(stateSubjects(repo).at(-1)!, new RegExp(`^task\\.approve .*${task.id}.* by alice$`));
  assert.equal(git(repo, 'log', '-1', '--format=%an', 'refs/lockstep/state'), 'alice');

  // A refused action is the rule's own error, nothing written.
  const tip = git(repo, 'rev-parse', 'refs/lockstep/state');
  const again = await post(d, { action: 'task.approve', input: { id: task.id } });
  assert.equal(again.status, 409);
  assert.equal(again.json().error.code, 'INVALID_TRANSITION');
  const bad = await post(d, { action: 'session.reset', input: { confirm: true } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json().error.code, 'INVALID_INPUT', 'only the dashboard actions can be called');
  assert.equal(git(repo, 'rev-parse', 'refs/lockstep/state'), tip);
  stream.close();
});

test('history, each commit diff, and the board as it was at an earlier commit', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'lead');
  const d = await startDashboardProcess(repo);
  const a = (await planner.call('task_create', { title: 'First' })) as { task: { id: string } };
  const before = git(repo, 'rev-parse', 'refs/lockstep/state');
  await planner.call('task_create', { title: 'Second' });

  const h = (await request(d, '/api/history?limit=1')).json();
  assert.equal(h.events.length, 1);
  assert.equal(h.hasMore, true);
  assert.equal(h.events[0].op, 'task.create');
  const older = (await request(d, `/api/history?limit=1&before=${h.events[0].cursor}`)).json();
  assert.equal(older.events[0].cursor, before);

  const diff = (await request(d, `/api/diff?commit=${before}`)).json();
  const file = diff.files.find((f: { path: string }) => f.path.endsWith(`/${a.task.id}.yaml`));
  assert.equal(file.change, 'added');
  assert.match(file.after, /title: First/);

  const past = (await request(d, `/api/view?at=${before}`)).json();
  assert.deepEqual(past.tasks.map((t: { title: string }) => t.title), ['First']);
  assert.equal(past.at, before);
  const now = (await request(d, '/api/view')).json();
  assert.equal(now.tasks.length, 2);

  const unknown = await request(d, `/api/view?at=${'0'.repeat(40)}`);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json().error.code, 'CURSOR_UNKNOWN');
});

test('nothing is served without the token, a foreign Host, Origin or a non-JSON write: 403 and no change', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'lead');
  const { task } = (await planner.call('task_create', { title: 'Keep me' })) as { task: { id: string } };
  const d = await startDashboardProcess(repo);
  const tip = git(repo, 'rev-parse', 'refs/lockstep/state');
  const action = { action: 'task.reset', input: { task: task.id, reason: 'x' } };

  const page = await request(d, `/?token=${d.token}`, { token: false });
  assert.equal(page.status, 200);
  assert.match(page.headers['content-security-policy'] as string, /default-src 'none'; script-src 'self'/);
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  assert.doesNotMatch(page.body, /<script>|<script [^>]*>[^<]/, 'no inline script');

  const refusals: [string, Promise<Reply>][] = [
    ['the page without the token', request(d, '/', { token: false })],
    ['an API read with a wrong token', request(d, '/api/view', { headers: { 'X-Lockstep-Token': 'x'.repeat(32) } })],
    ['a read with a rebinding Host', request(d, '/api/view', { headers: { Host: `evil.example:${d.port}` } })],
    ['a write from another Origin', post(d, action, { Origin: 'http://evil.example' })],
    ['a write with no Origin', request(d, '/api/action', { method: 'POST', body: JSON.stringify(action), headers: { 'Content-Type': 'application/json' } })],
    ['a write with a rebinding Host', post(d, action, { Host: `evil.example:${d.port}`, Origin: `http://evil.example:${d.port}` })],
    ['a write without the token', post(d, action, {}, false)],
    ['a write with the token only in the URL', request(d, `/api/action?token=${d.token}`, { method: 'POST', token: false, body: JSON.stringify(action), headers: { 'Content-Type': 'application/json', Origin: d.origin } })],
    ['a form post', post(d, action, { 'Content-Type': 'application/x-www-form-urlencoded' })],
    ['a text/plain post (no preflight)', post(d, action, { 'Content-Type': 'text/plain' })],
    ['a cross-site fetch', post(d, action, { 'Sec-Fetch-Site': 'cross-site' })],
    ['a PUT', request(d, '/api/action', { method: 'PUT', body: JSON.stringify(action), headers: { 'Content-Type': 'application/json', Origin: d.origin } })],
    ['a preflight', request(d, '/api/action', { method: 'OPTIONS', token: false, headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' } })],
  ];
  for (const [what, p] of refusals) {
    const r = await p;
    assert.equal(r.status, 403, `${what}: ${r.status} ${r.body}`);
    assert.equal(r.json().error.code, 'DASHBOARD_FORBIDDEN', what);
    assert.equal(r.headers['access-control-allow-origin'], undefined, what);
  }
  const evil = await openStream(d, { Origin: 'http://evil.example' });
  assert.equal(evil.status, 403, 'an event stream opened from another origin');
  evil.close();
  const rebound = await openStream(d, { Host: `evil.example:${d.port}` });
  assert.equal(rebound.status, 403);
  rebound.close();
  assert.equal(git(repo, 'rev-parse', 'refs/lockstep/state'), tip, 'nothing was written');
});

test('a non-loopback --host needs --token; a bad --port is a usage error; a second dashboard says where the first is', async () => {
  const repo = makeRepo();
  const open = cliProcess(repo, 'dashboard', '--host', '0.0.0.0', '--port', '0');
  assert.equal(open.status, 1);
  assert.match(open.stderr, /^error\[DASHBOARD_UNAVAILABLE\].*--token/m);
  const port = cliProcess(repo, 'dashboard', '--port', 'eighty');
  assert.equal(port.status, 1);
  assert.match(port.stderr, /^error\[INVALID_INPUT\].*--port/m);
  const d = await startDashboardProcess(repo);
  const second = cliProcess(repo, 'dashboard', '--json');
  assert.equal(second.status, 0, second.stderr);
  assert.deepEqual(JSON.parse(second.stdout), { url: d.url, running: true, pid: d.pid });
  const record = path.join(repo, '.git', 'lockstep', 'dashboard.json');
  assert.equal(fs.statSync(record).mode & 0o777, 0o600, 'the record holds the token: owner only');
  await d.close();
  assert.equal(fs.existsSync(record), false, 'a stopped dashboard removes its record');
});

test('dashboard_open starts the dashboard for the planner, then finds it running', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'lead');
  const first = (await planner.call('dashboard_open', {})) as { url: string; started: boolean; pid: number };
  try {
    assert.equal(first.started, true);
    assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{16,}$/);
    const second = (await planner.call('dashboard_open', {})) as { url: string; started: boolean };
    assert.deepEqual(second, { ...first, started: false });
    const res = await fetch(new URL('/api/ping', first.url), { headers: { 'X-Lockstep-Token': new URL(first.url).searchParams.get('token')! } });
    assert.equal(res.status, 200);
  } finally {
    process.kill(first.pid, 'SIGTERM');
  }
});

test('conflict forecast: dry merges of agent branches into the target and against each other, nothing written', async () => {
  const repo = makeRepo();
  const branch = (name: string, content: string) => {
    git(repo, 'checkout', '-q', '-b', `lockstep/${name}`, 'main');
    fs.writeFileSync(path.join(repo, 'src', 'a.ts'), content);
    git(repo, 'commit', '-qam', `${name} edits a.ts`);
    git(repo, 'checkout', '-q', 'main');
  };
  branch('impl-1', 'export const a = 2;\n');
  branch('impl-2', 'export const a = 3;\n');
  git(repo, 'checkout', '-q', '-b', 'lockstep/impl-3', 'main');
  fs.writeFileSync(path.join(repo, 'src', 'b.ts'), 'export const b = 1;\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'impl-3 adds b.ts');
  git(repo, 'checkout', '-q', 'main');
  const d = await startDashboardProcess(repo);
  const objects = () => execFileSync('git', ['count-objects', '-v'], { cwd: repo, encoding: 'utf8' });
  const before = objects();
  const f = (await request(d, '/api/forecast')).json();
  assert.equal(f.target, 'main');
  assert.deepEqual(f.agents.map((a: { agent: string; ahead: number }) => [a.agent, a.ahead]), [['impl-1', 1], ['impl-2', 1], ['impl-3', 1]]);
  const merge = (ours: string, theirs: string) => f.merges.find((m: { ours: string; theirs: string }) => m.ours === ours && m.theirs === theirs);
  assert.equal(merge('main', 'lockstep/impl-1').clean, true);
  assert.deepEqual(merge('lockstep/impl-1', 'lockstep/impl-2'), { ours: 'lockstep/impl-1', theirs: 'lockstep/impl-2', kind: 'between-agents', clean: false, conflicts: ['src/a.ts'] });
  assert.equal(merge('lockstep/impl-1', 'lockstep/impl-3').clean, true);
  assert.equal(objects(), before, 'a dry merge writes no object');
});

test('an implementer whose process died is in Needs you with its lease; stopping it from the page frees its work', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'lead');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const { task } = (await planner.call('task_create', { title: 'Half done' })) as { task: { id: string } };
  await impl.call('task_claim', { id: task.id });
  await impl.call('lock_acquire', { path: 'src/a.ts', task: task.id });
  process.kill(impl.pid!, 'SIGKILL');
  const d = await startDashboardProcess(repo);
  let view: any;
  for (let i = 0; i < 50; i++) {
    view = (await request(d, '/api/view')).json();
    if (view.needsYou.some((n: { kind: string }) => n.kind === 'dead_agent')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const kinds = view.needsYou.map((n: { kind: string; agent?: string; by?: string }) => `${n.kind}:${n.agent ?? n.by}`);
  assert.ok(kinds.includes('dead_agent:impl-1') && kinds.includes('stale_lease:impl-1'), kinds.join(' '));
  assert.equal(view.agents.find((a: { name: string }) => a.name === 'impl-1').alive, false);
  const stop = view.needsYou.find((n: { kind: string }) => n.kind === 'dead_agent');
  const r = await post(d, { action: stop.action.action, input: stop.action.input });
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(r.json().result, { name: 'impl-1', stopped: true, releasedLeases: [view.leases[0].id], resetTasks: [task.id] });
  const after = (await request(d, '/api/view')).json();
  assert.deepEqual(after.needsYou, []);
  assert.equal(after.tasks[0].status, 'todo');
  const listed = (await planner.call('implementer_list', {})) as { implementers: { name: string; status: string }[] };
  assert.equal(listed.implementers[0]!.status, 'stopped');
  assert.match(stateSubjects(repo).at(-1)!, /^implementer\.stop impl-1 by human$/);
});

test('the time slider and the diff read only commits of the state history, never a code commit', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'lead');
  await planner.call('task_create', { title: 'One' });
  const d = await startDashboardProcess(repo);
  const code = git(repo, 'rev-parse', 'main');
  for (const p of [`/api/view?at=${code}`, `/api/diff?commit=${code}`]) {
    const r = await request(d, p);
    assert.equal(r.status, 404, p);
    assert.equal(r.json().error.code, 'CURSOR_UNKNOWN', p);
  }
});
