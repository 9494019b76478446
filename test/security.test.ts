// Who gets in where: role all against role codes, role codes kept from commands, a live agent's name,
// symlinked artifacts in strict mode, env that turns an allowed program into another, the guard on
// merges and rebases, and the doc paths an issue may point at.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { agent, cli, git, initAgent, makeRepo, stateSubjects, toolError } from './helpers.js';

const PLANNER_ONLY = { LOCKSTEP_ROLE_CODE_PLANNER: 'plan-s3cret' };

test('role all does not get round a role code: refused without LOCKSTEP_ROLE_CODE_ALL, and needs that code when it is set', async () => {
  const repo = makeRepo();
  const c = await agent(repo, undefined, undefined, { env: PLANNER_ONLY });
  const refused = await toolError(c.call('coordination_init', { role: 'all', name: 'sneaky' }));
  assert.equal(refused.code, 'ROLE_CODE_REQUIRED');
  assert.match(refused.message, /LOCKSTEP_ROLE_CODE_ALL/);
  assert.equal((await toolError(c.call('coordination_init', { role: 'all', name: 'sneaky', role_code: 'plan-s3cret' }))).code, 'ROLE_CODE_REQUIRED', "the planner's code does not open role all");
  assert.equal((await toolError(c.call('task_create', { title: 'x' }))).code, 'ROLE_CODE_REQUIRED');
  assert.equal(spawnSync('git', ['rev-parse', '-q', '--verify', 'refs/lockstep/state'], { cwd: repo }).status, 1, 'nothing was registered');

  const coded = await agent(repo, undefined, undefined, { env: { ...PLANNER_ONLY, LOCKSTEP_ROLE_CODE_ALL: 'all-s3cret' } });
  assert.equal((await toolError(coded.call('coordination_init', { role: 'all', name: 'ops', role_code: 'plan-s3cret' }))).code, 'ROLE_CODE_INVALID');
  await coded.call('coordination_init', { role: 'all', name: 'ops', role_code: 'all-s3cret' });
  assert.equal((await toolError(coded.call('task_create', { title: 'x' }))).code, 'ROLE_CODE_REQUIRED');
  await coded.call('task_create', { title: 'x', role_code: 'all-s3cret' });
  // A server started as role all lists role_code as required even with only a planner code set.
  const started = await agent(repo, 'all', 'ops-2', { env: PLANNER_ONLY });
  const { tools } = await started.client.listTools();
  assert.ok(tools.every((t) => t.inputSchema.required?.includes('role_code')));
});

test('commands never see the role codes, nor the variables LOCKSTEP_SECRET_ENV names', async () => {
  const repo = makeRepo();
  const env = { ...PLANNER_ONLY, LOCKSTEP_ROLE_CODE_WORKER: 'work-s3cret', LOCKSTEP_SECRET_ENV: 'DEPLOY_TOKEN,AWS_*', DEPLOY_TOKEN: 'tok', AWS_SECRET: 'aws', PLAIN: 'visible' };
  const impl = await agent(repo, 'implementer', 'impl-1', { env });
  const r = await impl.call<{ stdout: string; exitCode: number }>('command_run', { command: 'env', role_code: 'work-s3cret' });
  assert.equal(r.exitCode, 0);
  assert.match(r.stdout, /^PLAIN=visible$/m);
  for (const secret of ['LOCKSTEP_ROLE_CODE_PLANNER', 'LOCKSTEP_ROLE_CODE_WORKER', 'DEPLOY_TOKEN=', 'AWS_SECRET', 'plan-s3cret', 'work-s3cret', '=tok', '=aws']) {
    assert.ok(!r.stdout.includes(secret), `${secret} reached the command`);
  }
  // Nor can a caller hand one back in through env.
  const again = await impl.call<{ stdout: string }>('command_run', { command: 'env', env: { DEPLOY_TOKEN: 'x' }, role_code: 'work-s3cret' });
  assert.doesNotMatch(again.stdout, /^DEPLOY_TOKEN=/m);
});

test("a live agent's name cannot be taken by another server; a dead one's can, and the takeover is recorded", async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'lead');
  const { task } = await planner.call<{ task: { id: string } }>('task_create', { title: 'mine' });
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  await impl.call('task_claim', { id: task.id });
  await impl.call('lock_acquire', { path: 'src/a.ts' });

  const intruder = await agent(repo);
  const refused = await toolError(intruder.call('coordination_init', { role: 'implementer', name: 'impl-1' }));
  assert.equal(refused.code, 'AGENT_NAME_IN_USE');
  assert.equal(refused.data?.pid, impl.pid);
  assert.match(refused.message, new RegExp(`process ${impl.pid}`));
  assert.equal((await toolError(intruder.call('lock_release', { path: 'src/a.ts' }))).code, 'IDENTITY_REQUIRED');
  // A server started with the name in its flags does not act as the live agent either.
  const flagged = await agent(repo, 'implementer', 'impl-1');
  assert.equal((await toolError(flagged.call('task_submit_for_review', { id: task.id, reviewNotes: 'stolen' }))).code, 'IDENTITY_REQUIRED');
  const held = cli(repo, 'status', '--json');
  assert.equal(JSON.parse(held.stdout).lock, null);
  assert.equal(JSON.parse(cli(repo, 'task', 'show', task.id, '--json').stdout).task.status, 'in_progress');

  // impl-1's server dies: its name is free to take, and the history says so.
  const deadPid = impl.pid!;
  await impl.close();
  for (let i = 0; i < 50 && isAlive(deadPid); i++) await new Promise((r) => setTimeout(r, 50));
  const heir = await agent(repo);
  const bound = await heir.call<{ agent: string }>('coordination_init', { role: 'implementer', name: 'impl-1' });
  assert.equal(bound.agent, 'impl-1');
  assert.ok(stateSubjects(repo).some((s) => s.includes(`impl-1 as implementer, taking over from dead pid ${deadPid}`)), stateSubjects(repo).join('\n'));
  const agents = await planner.call<{ implementers: { name: string; pid: number; live: boolean }[] }>('implementer_list', {});
  const rec = agents.implementers.find((a) => a.name === 'impl-1');
  assert.equal(rec?.pid, heir.pid);
  assert.equal(rec?.live, true);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('strict mode: a symlinked .lockstep/artifacts cannot take artifact_write or artifact_read outside the roots, nor into .git', async () => {
  const repo = makeRepo();
  const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-outside-')));
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'top secret\n');
  fs.mkdirSync(path.join(repo, '.lockstep'));
  fs.symlinkSync(outside, path.join(repo, '.lockstep', 'artifacts'));
  const impl = await agent(repo, 'implementer', 'impl-1', { extraArgs: ['--mode', 'strict'] });
  await impl.call('coordination_init', { role: 'implementer' });
  assert.equal((await toolError(impl.call('file_write', { path: '.lockstep/artifacts/x.txt', content: 'x' }))).code, 'PATH_OUTSIDE_ROOTS');
  assert.equal((await toolError(impl.call('artifact_write', { path: 'x.txt', content: 'x' }))).code, 'PATH_OUTSIDE_ROOTS');
  assert.equal((await toolError(impl.call('artifact_read', { path: 'secret.txt' }))).code, 'PATH_OUTSIDE_ROOTS');
  assert.deepEqual(fs.readdirSync(outside), ['secret.txt']);

  // In open mode too, the artifacts folder never leads into git's own files.
  fs.unlinkSync(path.join(repo, '.lockstep', 'artifacts'));
  fs.symlinkSync(path.join(repo, '.git', 'hooks'), path.join(repo, '.lockstep', 'artifacts'));
  const open = await initAgent(repo, 'implementer', 'impl-2');
  assert.equal((await toolError(open.call('artifact_write', { path: 'pre-push', content: '#!/bin/sh\ntouch PWNED\n' }))).code, 'PATH_PROTECTED');
  assert.ok(!fs.existsSync(path.join(repo, '.git', 'hooks', 'pre-push')));
  fs.rmSync(outside, { recursive: true, force: true });
});

test('allowlist mode: env that makes git (or anything) run another program is refused; argument prefixes narrow an entry', async () => {
  const repo = makeRepo();
  const impl = await agent(repo, 'implementer', 'impl-1', { extraArgs: ['--command-mode', 'allowlist', '--command-allow', 'git,npm test'] });
  await impl.call('coordination_init', { role: 'implementer' });
  const attacks: Record<string, string>[] = [
    { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'alias.pwn', GIT_CONFIG_VALUE_0: '!touch PWNED' },
    { GIT_CONFIG_PARAMETERS: "'alias.pwn=!touch PWNED'" },
    { GIT_SSH_COMMAND: 'touch PWNED' },
    { GIT_EXEC_PATH: '/tmp' },
    { GIT_DIR: '/tmp/evil/.git' },
    { BASH_ENV: '/tmp/x' },
    { PAGER: 'touch PWNED' },
    { NODE_OPTIONS: '--require /tmp/x.js' },
    { LD_PRELOAD: '/tmp/x.so' },
    { PATH: '/tmp' },
    { npm_config_script_shell: '/tmp/x' },
    { HOME: '/tmp/evil' },
  ];
  for (const env of attacks) {
    const err = await toolError(impl.call('command_run', { args: ['git', 'pwn'], env }));
    assert.equal(err.code, 'COMMAND_NOT_ALLOWED', JSON.stringify(env));
    assert.equal(err.data?.env, Object.keys(env)[0]);
  }
  assert.ok(!fs.existsSync(path.join(repo, 'PWNED')));
  // Harmless variables still pass.
  const ok = await impl.call<{ exitCode: number }>('command_run', { args: ['git', 'status'], env: { GIT_AUTHOR_NAME: 'x', LANG: 'C' } });
  assert.equal(ok.exitCode, 0);
  // `npm test` allows npm with that first argument only.
  assert.equal((await toolError(impl.call('command_run', { args: ['npm', 'exec', 'x'] }))).code, 'COMMAND_NOT_ALLOWED');
  assert.equal((await toolError(impl.call('command_run', { args: ['npm'] }))).code, 'COMMAND_NOT_ALLOWED');
});

test('the guard refuses a merge commit of a leased file (pre-merge-commit) and reports a rebase that rewrote one (post-rewrite)', async () => {
  const repo = makeRepo();
  const holder = await initAgent(repo, 'implementer', 'impl-1');
  assert.equal(cli(repo, 'guard', 'install').status, 0);
  const hooks = path.join(repo, '.git', 'hooks');
  for (const h of ['pre-commit', 'pre-merge-commit', 'post-rewrite']) assert.match(fs.readFileSync(path.join(hooks, h), 'utf8'), /^# lockstep-guard$/m, h);
  assert.match(cli(repo, 'guard', 'status').stdout, /^guard installed/);

  // A branch edits src/a.ts before the lease; then impl-1 leases it.
  git(repo, 'checkout', '-q', '-b', 'feature');
  fs.writeFileSync(path.join(repo, 'src', 'a.ts'), 'export const a = 2;\n');
  git(repo, 'commit', '-q', '-am', 'feature edit', '--no-verify');
  git(repo, 'checkout', '-q', 'main');
  fs.writeFileSync(path.join(repo, 'README.md'), '# main moved\n');
  git(repo, 'commit', '-q', '-am', 'main edit');
  await holder.call('lock_acquire', { path: 'src/a.ts' });

  const env = { ...process.env, LOCKSTEP_AGENT: 'impl-2' };
  const merge = spawnSync('git', ['merge', '--no-ff', '-m', 'merge feature', 'feature'], { cwd: repo, encoding: 'utf8', env });
  assert.notEqual(merge.status, 0, 'the merge commit is refused');
  assert.match(merge.stderr, /error\[LOCK_HELD\]/);
  assert.match(merge.stderr, /src\/a\.ts: exclusively leased by impl-1/);
  assert.equal(git(repo, 'log', '-1', '--format=%s'), 'main edit');
  spawnSync('git', ['merge', '--abort'], { cwd: repo });

  // A rebase cannot be refused after the fact: post-rewrite says what it rewrote.
  git(repo, 'checkout', '-q', 'feature');
  const rebase = spawnSync('git', ['rebase', 'main'], { cwd: repo, encoding: 'utf8', env });
  assert.equal(rebase.status, 0, rebase.stderr);
  assert.match(rebase.stderr, /warning\[LOCK_HELD\]: 1 rewritten commit touches 1 path exclusively leased by another agent/);
  assert.match(rebase.stderr, /src\/a\.ts: exclusively leased by impl-1/);

  // Uninstall removes all three and leaves nothing.
  const un = cli(repo, 'guard', 'uninstall');
  assert.equal(un.status, 0, un.stderr);
  for (const h of ['pre-commit', 'pre-merge-commit', 'post-rewrite']) assert.ok(!fs.existsSync(path.join(hooks, h)), h);
});

test('issue_create refuses project doc paths outside the repository and shared doc names that are not doc names', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'lead');
  const base = { subject: 'S', userDoc: { name: 'user', content: 'u' }, leadDoc: { name: 'lead', content: 'l' } };
  for (const bad of ['../../etc/passwd', '/etc/shadow', 'src\\..\\..\\x', '~/.ssh/id_rsa', 'C:/Windows', '.git/config', 'src/../../x', 'a\u0000b']) {
    const err = await toolError(planner.call('issue_create', { ...base, projectDocPaths: [bad] }));
    assert.equal(err.code, 'INVALID_INPUT', bad);
    assert.match(err.message, /projectDocPaths/, bad);
  }
  for (const bad of ['../x', '/abs', 'a\\b', 'a//b']) {
    assert.equal((await toolError(planner.call('issue_create', { ...base, sharedDocPaths: [bad] }))).code, 'INVALID_INPUT', bad);
  }
  const ok = await planner.call<{ issue: { id: string; projectDocPaths: string[] } }>('issue_create', { ...base, projectDocPaths: ['src/a.ts', './README.md'], sharedDocPaths: ['api/errors'] });
  assert.deepEqual(ok.issue.projectDocPaths, ['src/a.ts', './README.md']);
  const upd = await toolError(planner.call('issue_update', { issueId: ok.issue.id, projectDocPaths: ['../../etc/passwd'] }));
  assert.equal(upd.code, 'INVALID_INPUT');
});
