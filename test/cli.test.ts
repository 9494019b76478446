// The CLI: help never starts a server, every command speaks --json, errors are one coded line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { staleSource } from './build.js';
import { cli, initAgent, makeRepo } from './helpers.js';

test('the CLI and servers the tests run are built from the current sources (a single test file cannot test an old dist/)', () => {
  assert.equal(staleSource(), null);
});

const COMMANDS = [
  ['server'],
  ['status'],
  ['log'],
  ['doctor'],
  ['prompts'],
  ['task', 'list'],
  ['task', 'show'],
  ['task', 'create'],
  ['task', 'claim'],
  ['task', 'approve'],
  ['task', 'request-changes'],
  ['discussion', 'list'],
  ['discussion', 'show'],
  ['issue', 'list'],
  ['issue', 'show'],
  ['issue', 'create'],
  ['issue', 'close'],
  ['demo'],
];

test('--help prints usage and exits 0 for the CLI and every command, without starting anything', () => {
  const repo = makeRepo();
  const top = cli(repo, '--help');
  assert.equal(top.status, 0);
  for (const c of COMMANDS) assert.match(top.stdout, new RegExp(`lockstep ${c.join(' ')}`));
  for (const c of COMMANDS) {
    const started = Date.now();
    const r = cli(repo, ...c, '--help');
    assert.equal(r.status, 0, `${c.join(' ')} --help`);
    assert.match(r.stdout, new RegExp(`\\$ lockstep ${c.join(' ')}`));
    assert.ok(Date.now() - started < 5000, `${c.join(' ')} --help returns at once`);
  }
  assert.equal(cli(repo).status, 0, 'no arguments prints help');
  assert.match(cli(repo, '--version').stdout, /^\d+\.\d+\.\d+/);
});

test('task create, list and show, human and --json; log and status read the same history', () => {
  const repo = makeRepo();
  const created = cli(repo, 'task', 'create', '--title', 'Write the README', '--complexity', 'simple', '--tag', 'docs', '--json');
  assert.equal(created.status, 0, created.stderr);
  const { task } = JSON.parse(created.stdout) as { task: { id: string; createdBy: string } };
  assert.equal(task.createdBy, 'human');
  const dep = JSON.parse(cli(repo, 'task', 'create', '--title', 'Then this', '--depends-on', task.id, '--as', 'alice', '--json').stdout).task;
  assert.equal(dep.createdBy, 'alice');
  const list = cli(repo, 'task', 'list');
  assert.match(list.stdout, /^ID\s+STATUS\s+OWNER\s+COMPLEXITY\s+TITLE$/m);
  assert.match(list.stdout, new RegExp(`^${task.id}\\s+todo\\s+-\\s+simple\\s+Write the README$`, 'm'));
  const listed = JSON.parse(cli(repo, 'task', 'list', '--json').stdout) as { total: number };
  assert.equal(listed.total, 2);
  const shown = cli(repo, 'task', 'show', dep.id);
  assert.match(shown.stdout, new RegExp(`depends on\\s+${task.id} \\(waiting on ${task.id}\\)`));
  const log = cli(repo, 'log', '--entity', task.id);
  assert.match(log.stdout, new RegExp(`task\\.create ${task.id} by human$`, 'm'));
  assert.equal(JSON.parse(cli(repo, 'log', '--json').stdout).events.length, 2);
  const status = JSON.parse(cli(repo, 'status', '--json').stdout);
  assert.equal(status.tasks.todo, 2);
  assert.equal(status.lock, null);
  assert.equal(JSON.parse(cli(repo, 'doctor', '--json').stdout).ok, true);
});

test('errors are one line, error[CODE]: message, exit 1', () => {
  const repo = makeRepo();
  for (const [args, code] of [
    [['task', 'show', 'T-ZZZZ'], 'TASK_NOT_FOUND'],
    [['task', 'show', '../../x'], 'INVALID_INPUT'],
    [['task', 'create', '--title', 'x', '--complexity', 'huge'], 'INVALID_INPUT'],
    [['task', 'list', '--status', 'nope'], 'INVALID_INPUT'],
    [['task', 'create', '--title', 'x', '--depends-on', 'T-0000'], 'TASK_NOT_FOUND'],
  ] as const) {
    const r = cli(repo, ...args);
    assert.equal(r.status, 1, args.join(' '));
    assert.match(r.stderr, new RegExp(`^error\\[${code}\\]: .+\\n$`), args.join(' '));
  }
});

test('a person reviews from the terminal: claim, request changes, approve', async () => {
  const repo = makeRepo();
  const id = JSON.parse(cli(repo, 'task', 'create', '--title', 'Review me', '--json').stdout).task.id as string;
  const claimed = cli(repo, 'task', 'claim', '--as', 'impl-1', '--json');
  assert.equal(claimed.status, 0, claimed.stderr);
  assert.equal(JSON.parse(claimed.stdout).task.id, id, 'without an id, the best ready task is claimed');
  assert.match(cli(repo, 'task', 'claim', '--as', 'impl-2').stdout, /No todo tasks/);
  const early = cli(repo, 'task', 'approve', id);
  assert.equal(early.status, 1, 'a task not in review is refused');
  assert.match(early.stdout, /FAILED .*error\[INVALID_TRANSITION\]/);

  const impl = await initAgent(repo, 'implementer', 'impl-1');
  await impl.call('task_submit_for_review', { id, reviewNotes: 'first' });
  const back = cli(repo, 'task', 'request-changes', id, '--feedback', 'more tests');
  assert.equal(back.status, 0, back.stderr);
  await impl.call('task_submit_for_review', { id, reviewNotes: 'tests added' });
  const ok = cli(repo, 'task', 'approve', id, '--json');
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).allComplete, true);
  assert.match(cli(repo, 'task', 'show', id).stdout, /status\s+done/);
});
