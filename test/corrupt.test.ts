// Hand-damaged state: one bad file is reported by name and the rest keeps working.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { cli, git, gitEditState, initAgent, makeRepo, toolError } from './helpers.js';

const fixture = (name: string, id = '') => fs.readFileSync(new URL(`../fixtures/state/${name}`, import.meta.url), 'utf8').replace('T-{{ID}}', id);


test('hand-corrupted YAML in one task file: STATE_CORRUPT naming the file, other tools keep working', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  const bad = (await planner.call<{ task: { id: string } }>('task_create', { title: 'will break' })).task.id;
  const good = (await planner.call<{ task: { id: string } }>('task_create', { title: 'stays fine' })).task.id;
  const file = `tasks/${bad.slice(2, 4)}/${bad}.yaml`;
  const original = git(repo, 'show', `refs/lockstep/state:${file}`) + '\n';
  gitEditState(repo, file, fixture('task-bad-yaml.yaml'));

  const err = await toolError(impl.call('task_get', { id: bad }));
  assert.equal(err.code, 'STATE_CORRUPT');
  assert.equal(err.data?.path, file);
  assert.equal((await toolError(impl.call('task_claim', { id: bad }))).code, 'STATE_CORRUPT');

  const list = await impl.call<{ tasks: { id: string }[]; corrupt: { path: string }[] }>('task_list');
  assert.deepEqual(list.tasks.map((t) => t.id), [good]);
  assert.deepEqual(list.corrupt.map((c) => c.path), [file]);
  await impl.call('task_claim', { id: good });
  await impl.call('lock_acquire', { path: 'src/a.ts' });
  await impl.call('note_append', { text: 'still working' });
  const status = await planner.call<{ corrupt: { path: string }[] }>('status_get');
  assert.deepEqual(status.corrupt.map((c) => c.path), [file]);
  // doctor names the damaged file; it is left for a person to restore.
  const doctor = cli(repo, 'doctor');
  assert.equal(doctor.status, 0);
  assert.match(doctor.stdout, new RegExp(`warn\\s+corrupt file\\s+\\[STATE_CORRUPT\\] ${file}`));

  // Restoring the file with git makes the task usable again: it reads, lists and claims as before.
  gitEditState(repo, file, original, 'restore');
  const restored = await impl.call<{ task: { id: string; title: string; status: string } }>('task_get', { id: bad });
  assert.deepEqual([restored.task.id, restored.task.title, restored.task.status], [bad, 'will break', 'todo']);
  const relisted = await impl.call<{ tasks: { id: string }[]; corrupt: unknown[] }>('task_list');
  assert.deepEqual(new Set(relisted.tasks.map((t) => t.id)), new Set([bad, good]));
  assert.deepEqual(relisted.corrupt, []);
  assert.deepEqual((await planner.call<{ corrupt: unknown[] }>('status_get')).corrupt, []);
  const other = await initAgent(repo, 'implementer', 'impl-2');
  const claimed = await other.call<{ task: { owner: string; status: string } }>('task_claim', { id: bad });
  assert.deepEqual([claimed.task.owner, claimed.task.status], ['impl-2', 'in_progress']);

  // Deleting it instead makes the task simply absent.
  gitEditState(repo, file, null);
  assert.equal((await toolError(impl.call('task_get', { id: bad }))).code, 'TASK_NOT_FOUND');
});

test('a task file whose id disagrees with its name, or invalid field values, are corrupt too', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const id = (await planner.call<{ task: { id: string } }>('task_create', { title: 'x' })).task.id;
  const file = `tasks/${id.slice(2, 4)}/${id}.yaml`;
  gitEditState(repo, file, fixture('task-wrong-id.yaml'));
  const wrongId = await toolError(planner.call('task_get', { id }));
  assert.equal(wrongId.code, 'STATE_CORRUPT');
  assert.equal(wrongId.data?.path, file);
  assert.match(String(wrongId.data?.reason), /does not match/);
  gitEditState(repo, file, fixture('task-bad-status.yaml', id));
  const badStatus = await toolError(planner.call('task_get', { id }));
  assert.equal(badStatus.code, 'STATE_CORRUPT');
  assert.equal(badStatus.data?.path, file);
  assert.match(String(badStatus.data?.reason), /^status/);
  const list = await planner.call<{ tasks: unknown[]; corrupt: { path: string }[] }>('task_list');
  assert.deepEqual(list.corrupt.map((c) => c.path), [file]);
});

test('a state written by a newer Lockstep is refused with FORMAT_TOO_NEW, nothing is written', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  gitEditState(repo, 'lockstep.yaml', fixture('lockstep-format-99.yaml'));
  assert.equal((await toolError(planner.call('task_list'))).code, 'FORMAT_TOO_NEW');
  assert.equal((await toolError(planner.call('task_create', { title: 'x' }))).code, 'FORMAT_TOO_NEW');
  const doctor = cli(repo, 'doctor');
  assert.equal(doctor.status, 1);
  assert.match(doctor.stdout, /fail\s+format\s+\[FORMAT_TOO_NEW\]/);
});
