// Hand-made tree entries in the state that are not regular files (symlinks, submodules, directories
// where a file belongs, unknown names): STATE_CORRUPT naming the path everywhere, never replaced.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { cli, git, gitBlob, gitSetStateEntry, initAgent, makeRepo, toolError } from './helpers.js';

const REF = 'refs/lockstep/state';
const taskFile = (id: string) => `tasks/${id.slice(2, 4)}/${id}.yaml`;
/** The mode of the entry at `path` in the state tree ('' when there is none). */
const modeAt = (repo: string, path: string) => git(repo, 'ls-tree', REF, path).split(' ')[0] ?? '';

/** A tree holding one file, made with git mktree. */
function treeWithFile(repo: string, name: string, content: string): string {
  return execFileSync('git', ['mktree'], { cwd: repo, encoding: 'utf8', input: `100644 blob ${gitBlob(repo, content)}\t${name}\n` }).trim();
}

async function twoTasks(repo: string) {
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const bad = (await planner.call<{ task: { id: string } }>('task_create', { title: 'will be replaced' })).task.id;
  const good = (await planner.call<{ task: { id: string } }>('task_create', { title: 'stays fine' })).task.id;
  return { planner, impl, bad, good };
}

test('a task file replaced by a symlink is STATE_CORRUPT in reads, lists, status and doctor, and is never replaced', async () => {
  const repo = makeRepo();
  const { planner, impl, bad, good } = await twoTasks(repo);
  const file = taskFile(bad);
  gitSetStateEntry(repo, file, { mode: '120000', type: 'blob', oid: gitBlob(repo, '../../../../etc/passwd') }, 'symlink a task');

  const err = await toolError(impl.call('task_get', { id: bad }));
  assert.equal(err.code, 'STATE_CORRUPT');
  assert.equal(err.data?.path, file);
  assert.match(String(err.data?.reason), /symlink/);
  assert.equal((await toolError(impl.call('task_claim', { id: bad }))).code, 'STATE_CORRUPT');
  assert.equal((await toolError(planner.call('task_update', { id: bad, title: 'overwrite it' }))).code, 'STATE_CORRUPT');
  const list = await impl.call<{ tasks: { id: string }[]; corrupt: { path: string }[] }>('task_list');
  assert.deepEqual(list.tasks.map((t) => t.id), [good]);
  assert.deepEqual(list.corrupt.map((c) => c.path), [file]);
  const status = await planner.call<{ corrupt: { path: string }[] }>('status_get');
  assert.deepEqual(status.corrupt.map((c) => c.path), [file]);
  const doctor = cli(repo, 'doctor');
  assert.equal(doctor.status, 0, doctor.stderr);
  assert.match(doctor.stdout, new RegExp(`warn\\s+corrupt file\\s+\\[STATE_CORRUPT\\] ${file}: a symlink`));
  assert.doesNotMatch(doctor.stdout, /all files valid/);

  // The rest keeps working, and the symlink is still there for a person to restore.
  await impl.call('task_claim', { id: good });
  assert.equal(modeAt(repo, file), '120000');
});

test('a submodule or a directory where a task file belongs is STATE_CORRUPT naming it', async () => {
  const repo = makeRepo();
  const { planner, bad, good } = await twoTasks(repo);
  const file = taskFile(bad);
  const cases = [
    { mode: '160000', type: 'commit', oid: git(repo, 'rev-parse', 'main'), reason: /submodule/ },
    { mode: '040000', type: 'tree', oid: treeWithFile(repo, 'inner.yaml', 'id: x\n'), reason: /directory/ },
  ];
  for (const c of cases) {
    gitSetStateEntry(repo, file, c, `${c.type} for a task`);
    const err = await toolError(planner.call('task_get', { id: bad }));
    assert.equal(err.code, 'STATE_CORRUPT', c.type);
    assert.equal(err.data?.path, file);
    assert.match(String(err.data?.reason), c.reason);
    const list = await planner.call<{ tasks: { id: string }[]; corrupt: { path: string }[] }>('task_list');
    assert.deepEqual(list.tasks.map((t) => t.id), [good], c.type);
    assert.deepEqual(list.corrupt.map((x) => x.path), [file], c.type);
    assert.deepEqual((await planner.call<{ corrupt: { path: string }[] }>('status_get')).corrupt.map((x) => x.path), [file]);
    assert.match(cli(repo, 'doctor').stdout, new RegExp(`\\[STATE_CORRUPT\\] ${file}: `));
  }
});

test('doc_write to a name that is a directory or a symlink is refused and the entry kept; task_reset deletes no symlink', async () => {
  const repo = makeRepo();
  const { planner, bad } = await twoTasks(repo);
  await planner.call('doc_write', { scope: 'shared', name: 'guide', content: '# Guide\n' });
  gitSetStateEntry(repo, 'docs/shared/api.md', { mode: '040000', type: 'tree', oid: treeWithFile(repo, 'errors.md', '# Errors\n') }, 'a directory named like a doc');
  const write = await toolError(planner.call('doc_write', { scope: 'shared', name: 'api', content: '# API\n' }));
  assert.equal(write.code, 'STATE_CORRUPT');
  assert.equal(write.data?.path, 'docs/shared/api.md');
  assert.equal(modeAt(repo, 'docs/shared/api.md'), '040000', 'the directory is still there');
  assert.equal((await toolError(planner.call('doc_read', { scope: 'shared', name: 'api' }))).code, 'STATE_CORRUPT');

  gitSetStateEntry(repo, 'docs/shared/link.md', { mode: '120000', type: 'blob', oid: gitBlob(repo, '/etc/passwd') }, 'a symlink doc');
  assert.equal((await toolError(planner.call('doc_read', { scope: 'shared', name: 'link' }))).code, 'STATE_CORRUPT');
  assert.equal((await toolError(planner.call('doc_write', { scope: 'shared', name: 'link', content: '# Mine\n' }))).code, 'STATE_CORRUPT');
  assert.equal(modeAt(repo, 'docs/shared/link.md'), '120000');
  const status = await planner.call<{ corrupt: { path: string }[] }>('status_get');
  assert.deepEqual(status.corrupt.map((c) => c.path).sort(), ['docs/shared/api.md', 'docs/shared/link.md']);
  assert.equal((await planner.call<{ content: string }>('doc_read', { scope: 'shared', name: 'guide' })).content, '# Guide\n');

  // task_reset deletes a task's work docs without reading them: the store itself refuses to drop a symlink.
  const docLink = `docs/tasks/${bad}/notes.md`;
  gitSetStateEntry(repo, docLink, { mode: '120000', type: 'blob', oid: gitBlob(repo, '../../../lockstep.yaml') }, 'a symlink task doc');
  const reset = await toolError(planner.call('task_reset', { task: bad }));
  assert.equal(reset.code, 'STATE_CORRUPT');
  assert.equal(reset.data?.path, docLink);
  assert.equal(modeAt(repo, docLink), '120000');
});

test("unknown entries in Lockstep's directories are corrupt; a directory turned symlink blocks its writes; other entries are kept", async () => {
  const repo = makeRepo();
  const { planner, impl } = await twoTasks(repo);
  gitSetStateEntry(repo, 'tasks/README.md', { mode: '100644', type: 'blob', oid: gitBlob(repo, 'hello\n') }, 'a stray file');
  gitSetStateEntry(repo, 'external/link', { mode: '120000', type: 'blob', oid: gitBlob(repo, '/etc/passwd') }, 'someone else\'s symlink');
  const status = await planner.call<{ corrupt: { path: string; reason: string }[] }>('status_get');
  assert.deepEqual(status.corrupt.map((c) => c.path), ['tasks/README.md']);
  await impl.call('note_append', { text: 'writes go on' });
  assert.equal(modeAt(repo, 'external/link'), '120000', 'an entry outside Lockstep\'s names is kept as it is');

  const issue = (n: string) => ({ subject: `issue ${n}`, userDoc: { name: 'request', content: 'wanted' }, leadDoc: { name: 'plan', content: 'do it' } });
  await planner.call('issue_create', issue('one'));
  gitSetStateEntry(repo, 'issues', { mode: '120000', type: 'blob', oid: gitBlob(repo, 'tasks') }, 'issues as a symlink');
  const list = await planner.call<{ issues: unknown[]; corrupt: { path: string }[] }>('issue_list');
  assert.deepEqual(list.corrupt.map((c) => c.path), ['issues']);
  const create = await toolError(planner.call('issue_create', issue('two')));
  assert.equal(create.code, 'STATE_CORRUPT');
  assert.equal(create.data?.path, 'issues');
  assert.equal(modeAt(repo, 'issues'), '120000');
});

test('an executable task file (mode 100755) is an ordinary task; the next write stores it as 100644', async () => {
  const repo = makeRepo();
  const { planner, impl, bad } = await twoTasks(repo);
  const file = taskFile(bad);
  gitSetStateEntry(repo, file, { mode: '100755', type: 'blob', oid: git(repo, 'rev-parse', `${REF}:${file}`) }, 'chmod +x');
  assert.equal((await impl.call<{ task: { id: string } }>('task_get', { id: bad })).task.id, bad);
  assert.deepEqual((await planner.call<{ corrupt: unknown[] }>('status_get')).corrupt, []);
  await impl.call('task_claim', { id: bad });
  assert.equal(modeAt(repo, file), '100644');
});

test('trees are serialised byte for byte as git mktree makes them, for any names (dirs sort as name/, UTF-8 by bytes)', async () => {
  const { serializeTree } = await import('../src/git/format.js');
  const repo = makeRepo();
  const blob = gitBlob(repo, 'x');
  const tree = treeWithFile(repo, 'f', 'y');
  const names = ['a', 'a.b', 'a-b', 'a0', 'B', 'é', 'z\u{1F600}', 'z\uE000', 'ü', 'T-ABCD.yaml', '_x'];
  for (const ascii of [true, false]) {
    const entries = names.filter((n) => !ascii || /^[\x00-\x7f]+$/.test(n)).map((name, i) => (i % 3 === 0 ? { mode: '40000', name, oid: tree } : { mode: '100644', name, oid: blob }));
    const made = execFileSync('git', ['mktree'], { cwd: repo, encoding: 'utf8', input: entries.map((e) => `${e.mode === '40000' ? '040000 tree' : '100644 blob'} ${e.oid}\t${e.name}\n`).join('') }).trim();
    assert.deepEqual(serializeTree(entries), execFileSync('git', ['cat-file', 'tree', made], { cwd: repo }));
  }
  assert.throws(() => serializeTree([{ mode: '100644', name: 'a', oid: 'zz'.repeat(20) }]), /OBJECT_CORRUPT|no object id/);
});
