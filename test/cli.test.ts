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
  assert.match(early.stderr, new RegExp(`^error\\[INVALID_TRANSITION\\]: ${id}: `));
  assert.equal(early.stdout, '', 'errors go to stderr only');

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

test('a command line that does not parse: error[USAGE] on stderr with what is missing and the usage, exit 2, nothing on stdout', () => {
  const repo = makeRepo();
  const missing = cli(repo, 'task', 'create');
  assert.equal(missing.status, 2);
  assert.equal(missing.stdout, '');
  const [first, second] = missing.stderr.split('\n');
  assert.equal(first, 'error[USAGE]: task create needs --title <text>');
  assert.match(second!, /^usage: lockstep task create .*<--title <text>>/);
  assert.match(cli(repo, 'issue', 'create', 'Sub').stderr, /^error\[USAGE\]: issue create needs --user-doc <file> and --lead-doc <file>$/m);
  assert.match(cli(repo, 'task', 'show').stderr, /^error\[USAGE\]: task show needs <id>$/m);
  const negative = cli(repo, 'task', 'list', '--limit', '-5');
  assert.equal(negative.status, 2);
  assert.match(negative.stderr, /^error\[USAGE\]: task list: --limit needs a value/);
  const unknown = cli(repo, 'tsk', 'list');
  assert.equal(unknown.status, 2);
  assert.equal(unknown.stdout, '');
  assert.match(unknown.stderr, /^error\[USAGE\]: unknown command "tsk list"; did you mean lockstep task list, /);
  assert.doesNotMatch(unknown.stderr, /clipanion|lockstep -h/);
  assert.equal(unknown.stderr.split('\n').filter(Boolean).length, 1, 'a few suggestions, not every command');
  const json = cli(repo, 'task', 'create', '--json');
  assert.equal(json.status, 2);
  assert.equal(json.stdout, '');
  const body = JSON.parse(json.stderr) as { error: { code: string; message: string; usage: string } };
  assert.deepEqual([body.error.code, body.error.message], ['USAGE', 'task create needs --title <text>']);
});

test('help names what each option takes; errors name CLI commands, not MCP tools; bad numbers are refused', () => {
  const repo = makeRepo();
  const help = cli(repo, 'task', 'create', '--help');
  assert.match(help.stdout, /--title <text>/);
  assert.match(help.stdout, /--repo <dir>/);
  assert.doesNotMatch(help.stdout, /#\d/);
  const notFound = cli(repo, 'task', 'show', 'T-ZZZZ');
  assert.match(notFound.stderr, /^error\[TASK_NOT_FOUND\]: .*`lockstep task list`/);
  assert.doesNotMatch(notFound.stderr, /task_list/);
  const release = cli(repo, 'lock', 'release');
  assert.equal(release.status, 1);
  assert.match(release.stderr, /^error\[INVALID_INPUT\]: lock release needs the paths you leased or --lease ID \(lockstep lock list/);
  const both = cli(repo, 'lock', 'release', 'src/a.ts', '--lease', 'L-AAAA');
  assert.match(both.stderr, /^error\[INVALID_INPUT\]: give paths or --lease ID, not both/);
  for (const limit of ['abc', '0', '1.5']) {
    const r = cli(repo, 'log', '--limit', limit);
    assert.equal(r.status, 1, `log --limit ${limit}`);
    assert.match(r.stderr, /^error\[INVALID_INPUT\]/);
  }
  const json = cli(repo, 'task', 'show', 'T-ZZZZ', '--json');
  assert.equal(json.stdout, '');
  assert.equal((JSON.parse(json.stderr) as { error: { code: string } }).error.code, 'TASK_NOT_FOUND');
});
