// Many machines, one state (issue 17): separate clones of one bare repository over a file path,
// each with its own server processes. The remote is the referee: a claim made elsewhere wins and
// the local one is re-run and fails; a killed server's commit is published by the next one; an
// unreachable remote answers REMOTE_UNREACHABLE; a rewritten one REMOTE_DIVERGED.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cli, fsckStrict, git, gitEditState, initAgent, sleep, toolError } from './helpers.js';
import { history, one, world } from './sync-helpers.js';

test('every state commit records its op and validated input (Lockstep-Input), readable with git log', () => {
  const w = world(1);
  const m = w.machines[0]!;
  const r = cli(m, 'task', 'create', '--title', 'carry my input', '--description', 'two\nlines \u2028 and a line separator', '--tag', 'a', '--json');
  assert.equal(r.status, 0, r.stderr);
  const last = history(m).at(-1)!;
  assert.equal(one(last, 'Lockstep-Op'), 'task.create');
  const input = JSON.parse(one(last, 'Lockstep-Input')!) as Record<string, unknown>;
  assert.equal(input.title, 'carry my input');
  assert.deepEqual(input.tags, ['a']);
  assert.equal(input.description, 'two\nlines \u2028 and a line separator');
  assert.match(one(last, 'Lockstep-Op-Id')!, /^[0-9a-f]{16}$/);
  assert.ok(Date.parse(one(last, 'Lockstep-Time')!) > 0);
  // And it was published: the remote has the same commit.
  assert.equal(git(w.bare, 'rev-parse', 'refs/lockstep/state'), git(m, 'rev-parse', 'refs/lockstep/state'));
});

test('referee mode: a claim made elsewhere first wins; the local one is re-run on the remote tip and fails with TASK_NOT_CLAIMABLE naming the winner', async () => {
  const w = world(2);
  const [a, b] = w.machines as [string, string];
  const planner = await initAgent(a, 'planner', 'lead');
  const { task } = await planner.call<{ task: { id: string } }>('task_create', { title: 'contested' });
  const implA = await initAgent(a, 'implementer', 'impl-a');
  // Machine b has never fetched the task: its first claim finds it on the remote.
  const implB = await initAgent(b, 'implementer', 'impl-b');
  const started = performance.now();
  const won = await implB.call<{ task: { owner: string } }>('task_claim', { id: task.id });
  const claimMs = performance.now() - started;
  assert.equal(won.task.owner, 'impl-b');
  // Machine a's local state still has the task todo: its claim commits locally, the push is refused, the re-run fails.
  const localBefore = git(a, 'rev-parse', 'refs/lockstep/state');
  assert.equal(git(a, 'show', `${localBefore}:tasks/${task.id.slice(2, 4)}/${task.id}.yaml`).includes('impl-b'), false, 'a has not seen the claim');
  const err = await toolError(implA.call('task_claim', { id: task.id }));
  assert.equal(err.code, 'TASK_NOT_CLAIMABLE');
  assert.match(JSON.stringify(err.data ?? {}) + err.message, /impl-b/);
  const claims = history(w.bare).filter((c) => one(c, 'Lockstep-Op') === 'task.claim');
  assert.equal(claims.length, 1);
  assert.equal(one(claims[0]!, 'Lockstep-Actor'), 'impl-b');
  // Both machines now agree with the remote.
  assert.equal(git(a, 'rev-parse', 'refs/lockstep/state'), git(w.bare, 'rev-parse', 'refs/lockstep/state'));
  const st = await implA.call<{ remote: { unpublished: number; remote: string } }>('status_get');
  assert.equal(st.remote.remote, 'origin');
  assert.equal(st.remote.unpublished, 0);
  // A blocked call on machine b wakes for a commit made on machine a (its server fetches while it waits).
  const waiting = implB.call<{ events: { op: string; actor: string }[]; timedOut: boolean }>('events_wait', { timeoutSec: 15, ops: ['note.append'] });
  await sleep(300);
  const noted = performance.now();
  await planner.call('note_append', { text: 'from machine a' });
  const woke = await waiting;
  const wakeMs = performance.now() - noted;
  assert.equal(woke.timedOut, false);
  assert.deepEqual(woke.events.map((e) => [e.op, e.actor]), [['note.append', 'lead']]);
  assert.ok(wakeMs < 8_000, `woke after ${wakeMs} ms`);
  process.stderr.write(`sync.test: a claim that fetches first, through a file remote: ${claimMs.toFixed(0)} ms; a wait on another machine woke after ${wakeMs.toFixed(0)} ms\n`);
});

test('kill -9 of a server between its local commit and its push: the next server on that machine publishes the op, once', async () => {
  const w = world(1);
  const m = w.machines[0]!;
  // The remote holds the first push of this op for 2 s, then refuses it: the server is killed meanwhile.
  const impl = await initAgent(m, 'implementer', 'impl-k');
  const hook = path.join(w.bare, 'hooks', 'pre-receive');
  const marker = path.join(w.root, 'refuse-once');
  fs.writeFileSync(marker, '');
  fs.writeFileSync(hook, `#!/bin/sh\nif [ -e "${marker}" ]; then rm -f "${marker}"; sleep 2; exit 1; fi\nexit 0\n`, { mode: 0o755 });
  const remoteBefore = git(w.bare, 'rev-parse', 'refs/lockstep/state');
  const localBefore = git(m, 'rev-parse', 'refs/lockstep/state');
  const pending = impl.call('lock_acquire', { paths: ['src/killed.ts'] }).catch((err: unknown) => err);
  for (let i = 0; i < 200 && git(m, 'rev-parse', 'refs/lockstep/state') === localBefore; i++) await sleep(10);
  assert.notEqual(git(m, 'rev-parse', 'refs/lockstep/state'), localBefore, 'committed locally');
  process.kill(impl.pid!, 'SIGKILL');
  await pending;
  await sleep(2500); // the refused push ends
  assert.equal(git(w.bare, 'rev-parse', 'refs/lockstep/state'), remoteBefore, 'not on the remote');
  // The next server on this machine publishes what the killed one left.
  const next = await initAgent(m, 'implementer', 'impl-next');
  for (let i = 0; i < 300 && git(w.bare, 'rev-parse', 'refs/lockstep/state') === remoteBefore; i++) await sleep(20);
  await next.call('whoami');
  const acquires = history(w.bare).filter((c) => one(c, 'Lockstep-Op') === 'lock.acquire' && one(c, 'Lockstep-Actor') === 'impl-k');
  assert.equal(acquires.length, 1, 'published exactly once');
  const { leases } = await next.call<{ leases: { owner: string; paths: string[] }[] }>('lock_list');
  assert.ok(leases.some((l) => l.owner === 'impl-k' && l.paths.includes('src/killed.ts')));
  fsckStrict(w.bare);
});

test('an unreachable remote: REMOTE_UNREACHABLE within the bound, and nothing is left done that is not pushed', async () => {
  const w = world(1);
  const m = w.machines[0]!;
  const impl = await initAgent(m, 'implementer', 'impl-u', { extraArgs: ['--remote-timeout-sec', '3'] });
  await impl.call('lock_acquire', { paths: ['src/one.ts'] });
  const moved = `${w.bare}.away`;
  fs.renameSync(w.bare, moved);
  const before = git(m, 'rev-parse', 'refs/lockstep/state');
  const started = performance.now();
  const err = await toolError(impl.call('lock_acquire', { paths: ['src/two.ts'] }));
  const ms = performance.now() - started;
  assert.equal(err.code, 'REMOTE_UNREACHABLE');
  assert.equal(err.data?.withdrawn, true);
  assert.ok(ms < 3_000 * 3, `answered in ${ms} ms`);
  assert.equal(git(m, 'rev-parse', 'refs/lockstep/state'), before, 'the op was taken back');
  const st = JSON.parse(cli(m, 'status', '--json').stdout) as { remote: { lastError: { code: string } } };
  assert.equal(st.remote.lastError.code, 'REMOTE_UNREACHABLE');
  fs.renameSync(moved, w.bare);
  await impl.call('lock_acquire', { paths: ['src/two.ts'] });
  assert.equal(git(m, 'rev-parse', 'refs/lockstep/state'), git(w.bare, 'rev-parse', 'refs/lockstep/state'));
  process.stderr.write(`sync.test: REMOTE_UNREACHABLE (file remote gone) after ${ms.toFixed(0)} ms\n`);
});

test('a force-pushed or deleted remote ref gives REMOTE_DIVERGED and loses no local op; --adopt-remote and --republish settle it', async () => {
  const w = world(2);
  const [a, b] = w.machines as [string, string];
  const planner = await initAgent(a, 'planner', 'lead');
  const t1 = (await planner.call<{ task: { id: string } }>('task_create', { title: 'one' })).task.id;
  const t2 = (await planner.call<{ task: { id: string } }>('task_create', { title: 'two' })).task.id;
  // Someone rewinds the remote to before the second task (a force-push).
  const tip = git(w.bare, 'rev-parse', 'refs/lockstep/state');
  git(w.bare, 'update-ref', 'refs/lockstep/state', `${tip}~1`);
  const err = await toolError(planner.call('task_create', { title: 'three' }));
  assert.equal(err.code, 'REMOTE_DIVERGED');
  // Writes stay stopped, without touching the local state.
  const local = git(a, 'rev-parse', 'refs/lockstep/state');
  assert.equal((await toolError(planner.call('task_update', { id: t1, title: 'one!' }))).code, 'REMOTE_DIVERGED');
  assert.equal(git(a, 'rev-parse', 'refs/lockstep/state'), local);
  const doctor = cli(a, 'doctor', '--json');
  assert.equal(doctor.status, 1);
  assert.ok((JSON.parse(doctor.stdout) as { checks: { code?: string }[] }).checks.some((c) => c.code === 'REMOTE_DIVERGED'));
  // --republish puts this machine's state back: the second task is on the remote again; the rewound tip is kept in a backup ref.
  const re = JSON.parse(cli(a, 'sync', '--republish', '--json').stdout) as { backup: string; remoteTip: string };
  assert.equal(git(w.bare, 'rev-parse', 'refs/lockstep/state'), local);
  assert.equal(git(a, 'rev-parse', re.backup), `${git(a, 'rev-parse', `${tip}~1`)}`);
  await planner.call('task_create', { title: 'three' });

  // Machine b publishes work, then the remote ref is deleted: REMOTE_DIVERGED; --adopt-remote after it is back.
  const implB = await initAgent(b, 'implementer', 'impl-b');
  await implB.call('task_claim', { id: t2 });
  const published = git(w.bare, 'rev-parse', 'refs/lockstep/state');
  git(w.bare, 'update-ref', '-d', 'refs/lockstep/state');
  assert.equal((await toolError(implB.call('task_claim', { id: t1 }))).code, 'REMOTE_DIVERGED');
  const adoptMissing = cli(b, 'sync', '--adopt-remote', '--json');
  assert.equal(adoptMissing.status, 1);
  assert.equal((JSON.parse(adoptMissing.stderr) as { error: { code: string } }).error.code, 'REMOTE_DIVERGED');
  // Machine a (which had not seen b's claim) republishes its state over the deleted ref...
  assert.equal(cli(a, 'sync', '--republish').status, 0);
  // ... so b's claim is gone from the remote; b adopts the remote and its claim is re-run on it, not lost.
  const adopt = JSON.parse(cli(b, 'sync', '--adopt-remote', '--json').stdout) as { replayed: number; failed: unknown[]; backup: string };
  assert.equal(git(b, 'rev-parse', adopt.backup), published);
  const hist = history(w.bare);
  const claims = hist.filter((c) => one(c, 'Lockstep-Op') === 'task.claim' && one(c, 'Lockstep-Actor') === 'impl-b');
  assert.equal(claims.length, 1, "b's claim is on the remote again");
  await implB.call('task_claim', { id: t1 });
  for (const r of [a, b, w.bare]) fsckStrict(r);
});

test('an unpublished commit made with plain git cannot be re-run: REPLAY_UNSUPPORTED, and --adopt-remote sets it aside, listed, keeping the ops it can re-run', async () => {
  const w = world(2);
  const [a, b] = w.machines as [string, string];
  assert.equal(cli(a, 'task', 'create', '--title', 'from a').status, 0);
  assert.equal(cli(b, 'sync').status, 0);
  const hand = gitEditState(b, 'notes.txt', 'a hand edit\n');
  assert.equal(cli(a, 'task', 'create', '--title', 'a again').status, 0);
  const r = cli(b, 'task', 'create', '--title', 'from b', '--json');
  assert.equal(r.status, 1);
  assert.equal((JSON.parse(r.stderr) as { error: { code: string } }).error.code, 'REPLAY_UNSUPPORTED');
  const adopt = cli(b, 'sync', '--adopt-remote', '--json');
  assert.equal(adopt.status, 0, adopt.stderr);
  const rep = JSON.parse(adopt.stdout) as { failed: { error: { code: string } }[]; backup: string };
  assert.deepEqual(rep.failed.map((f) => f.error.code), ['REPLAY_UNSUPPORTED']);
  assert.equal(git(b, 'rev-parse', `${rep.backup}~1`), hand, 'the hand edit is kept in the backup ref');
  const titles = history(w.bare).filter((c) => one(c, 'Lockstep-Op') === 'task.create').map((c) => JSON.parse(one(c, 'Lockstep-Input')!).title as string);
  assert.deepEqual(titles, ['from a', 'a again', 'from b']);
  fsckStrict(w.bare);
});
