// `lockstep demo`: real `lockstep server` processes (a planner, two implementers, then a reviewer)
// coordinate on a scratch repository through the MCP SDK client; then the state history is printed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentClient, ToolError } from '../client/agent-client.js';
import { LockstepError } from '../errors.js';
import { runGit } from '../git/cli.js';
import { initRepo } from '../git/init.js';
import { STATE_REF } from '../store/store.js';

interface Task {
  id: string;
  title: string;
  status: string;
  owner?: string;
}

/** Run the story on `dir` (default: a new temp dir), telling each step to `out`. */
export async function runDemo(opts: { dir?: string; out: (line: string) => void }): Promise<{ dir: string; log: string[] }> {
  const { out } = opts;
  const dir = opts.dir ? path.resolve(opts.dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-demo-'));
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  if (fs.readdirSync(dir).some((f) => f !== 'src')) throw new LockstepError('INVALID_INPUT', `${dir} is not empty; pick an empty --dir`, { dir });
  fs.writeFileSync(path.join(dir, 'README.md'), '# Demo app\n');
  fs.writeFileSync(path.join(dir, 'src', 'login.ts'), 'export function login() {}\n');
  fs.writeFileSync(path.join(dir, 'src', 'db.ts'), 'export const db = {};\n');
  // A first commit on main, so `git log` there (and worktrees) work like in any project.
  await initRepo(dir, { initialCommit: { message: 'Demo app', author: { name: 'Lockstep demo', email: 'demo@lockstep' } } });
  out(`Lockstep demo in ${dir}`);

  const start = (role: string, agent: string) => AgentClient.start({ repo: dir, role, agent, stderr: 'inherit' });
  const [planner, impl1, impl2] = await Promise.all([start('planner', 'planner-1'), start('implementer', 'impl-1'), start('implementer', 'impl-2')]);
  const say = (who: string, what: string) => out(`  [${who}] ${what}`);
  try {
    for (const [c, name] of [[planner, 'planner-1'], [impl1, 'impl-1'], [impl2, 'impl-2']] as const) {
      const r = await c.call<{ agent: string; role: string }>('coordination_init', { role: name.startsWith('planner') ? 'planner' : 'implementer' });
      say(name, `coordination_init -> ${r.agent} (${r.role})`);
    }
    // The planner watches the state while the implementers work; it is woken by their commits.
    const cursor = (await planner.call<{ tip: string }>('status_get')).tip;
    const watching = planner.call<{ events: { subject: string }[] }>('events_wait', { cursor, ops: ['task.claim'], timeoutSec: 20 });

    await planner.call('project_context_set', { description: 'A tiny app with a login form and a database module', endState: 'Users can log in', acceptanceCriteria: ['login() checks the password'] });
    say('planner-1', 'project_context_set');
    const create = async (title: string, complexity: string, dependsOn?: string[]) => {
      const { task } = await planner.call<{ task: Task }>('task_create', { title, complexity, dependsOn });
      say('planner-1', `task_create ${task.id} (${complexity}) ${title}${dependsOn ? ` after ${dependsOn.join(', ')}` : ''}`);
      return task;
    };
    const login = await create('Implement login()', 'medium');
    const db = await create('Add a users table to db.ts', 'simple');
    const docs = await create('Document login in the README', 'simple', [login.id]);
    await planner.call('project_status_set', { status: 'in_progress' });
    say('planner-1', 'project_status_set in_progress');

    // Both implementers race for the same task: exactly one wins.
    const race = await Promise.allSettled([impl1.call<{ task: Task }>('task_claim', { id: login.id }), impl2.call<{ task: Task }>('task_claim', { id: login.id })]);
    const winner = race[0].status === 'fulfilled' ? impl1 : impl2;
    const loser = winner === impl1 ? impl2 : impl1;
    const [winnerName, loserName] = winner === impl1 ? ['impl-1', 'impl-2'] : ['impl-2', 'impl-1'];
    const lost = race.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    say(winnerName, `task_claim ${login.id} -> won the race`);
    say(loserName, `task_claim ${login.id} -> ${(lost.reason as ToolError).code}`);
    await loser.call('task_claim', { id: db.id });
    say(loserName, `task_claim ${db.id}`);
    try {
      await loser.call('task_claim', { id: docs.id });
    } catch (err) {
      say(loserName, `task_claim ${docs.id} -> ${(err as ToolError).code} (waits for ${login.id})`);
    }

    const { lease } = await winner.call<{ lease: { id: string } }>('lock_acquire', { path: 'src/login.ts', task: login.id });
    say(winnerName, `lock_acquire src/login.ts -> ${lease.id}`);
    try {
      await loser.call('lock_acquire', { path: './src/login.ts' });
    } catch (err) {
      const e = err as ToolError;
      say(loserName, `lock_acquire ./src/login.ts -> ${e.code} (holder ${String(e.data?.holder)})`);
    }
    await loser.call('lock_acquire', { path: path.join(dir, 'src', 'db.ts') });
    say(loserName, 'lock_acquire <repo>/src/db.ts (absolute path, normalised)');

    const woke = await watching;
    say('planner-1', `events_wait woke with: ${woke.events.map((e) => e.subject).join('; ')}`);

    fs.appendFileSync(path.join(dir, 'src', 'db.ts'), 'export const users = [];\n');
    await loser.call('lock_release', { path: 'src/db.ts' });
    await loser.call('task_update', { id: db.id, status: 'done' });
    say(loserName, `lock_release src/db.ts; task_update ${db.id} done`);

    fs.appendFileSync(path.join(dir, 'src', 'login.ts'), '// checks the password\n');
    await winner.call('note_append', { text: 'login() now checks the password; needs review', task: login.id });
    await winner.call('lock_release', { path: 'src/login.ts' });
    await winner.call('task_submit_for_review', { id: login.id, reviewNotes: 'login() checks the password' });
    say(winnerName, `note_append; lock_release src/login.ts; task_submit_for_review ${login.id}`);
    await planner.call('task_request_changes', { id: login.id, feedback: 'Also reject empty passwords' });
    say('planner-1', `task_request_changes ${login.id}: Also reject empty passwords`);
    fs.appendFileSync(path.join(dir, 'src', 'login.ts'), '// rejects empty passwords\n');
    await winner.call('task_submit_for_review', { id: login.id, reviewNotes: 'empty passwords rejected too' });
    say(winnerName, `task_submit_for_review ${login.id} (again)`);
    await planner.call('task_approve', { id: login.id, feedback: 'Looks good' });
    say('planner-1', `task_approve ${login.id}`);
    const next = await loser.call<{ task: Task | null }>('task_next');
    say(loserName, `task_next -> ${next.task?.id} (its dependency is done now)`);
    const finished = await loser.call<{ allComplete: boolean }>('task_update', { id: docs.id, status: 'done' });
    say(loserName, `task_update ${docs.id} done${finished.allComplete ? ' -> ALL TASKS COMPLETE' : ''}`);
    await issueAct(dir, planner, winner, winnerName, say);
    await planner.call('project_status_set', { status: 'complete' });
    say('planner-1', 'project_status_set complete');

    const list = await planner.call<{ tasks: Task[] }>('task_list', { includeDone: true });
    out('\nTasks:');
    for (const t of list.tasks) out(`  ${t.id}  ${t.status.padEnd(11)} ${(t.owner ?? '-').padEnd(7)} ${t.title}`);
  } finally {
    await Promise.all([planner.close(), impl1.close(), impl2.close()]);
  }

  const log = runGit(['log', '--reverse', '--format=%h %an %s', STATE_REF], dir);
  out(`\ngit log ${STATE_REF} (oldest first):`);
  if (log) out(log.stdout.trimEnd().replace(/^/gm, '  '));
  else out('  (git CLI not found; run `lockstep log` instead)');
  out(`\nInspect it yourself: git -C ${dir} log -p ${STATE_REF}`);
  out(`or in the browser (board, history, time slider): lockstep dashboard --repo ${dir}`);
  return { dir, log: log?.stdout.trim().split('\n') ?? [] };
}

/**
 * The swarm-style act: an issue with docs and a spec, a blocking question answered through the
 * planner's signal loop, a scored review, and a delivery that a reviewer process accepts.
 */
async function issueAct(dir: string, planner: AgentClient, worker: AgentClient, workerName: string, say: (who: string, what: string) => void): Promise<void> {
  const reviewer = await AgentClient.start({ repo: dir, role: 'reviewer', agent: 'reviewer-1', stderr: 'inherit' });
  try {
    await reviewer.call('coordination_init', { role: 'reviewer' });
    const { issue } = await planner.call<{ issue: { id: string } }>('issue_create', {
      subject: 'Password reset',
      userDoc: { name: 'user', content: 'Users must be able to reset a forgotten password.\n' },
      leadDoc: { name: 'plan', content: 'One task: resetPassword() in src/login.ts.\n' },
    });
    const { task } = await planner.call<{ task: Task }>('task_create', {
      issue: issue.id,
      title: 'Add resetPassword()',
      points: 3,
      spec: { goal: 'resetPassword(user) sends a reset link', acceptance: 'a test shows the link is sent' },
    });
    say('planner-1', `issue_create ${issue.id} (user and plan docs); task_create ${task.id} with a spec doc`);
    await worker.call('task_next', { issue: issue.id });
    say(workerName, `task_next -> ${task.id}; doc_read spec`);
    await worker.call('doc_read', { scope: 'task', task: task.id, name: 'spec' });
    const asking = worker.call<{ reply: { content: string } }>('task_ask', { task: task.id, content: 'Email or SMS?', timeoutSec: 30 });
    const q = await planner.call<{ signal: { type: string; messageId: string } }>('events_wait', { signals: true, issue: issue.id, timeoutSec: 30 });
    await planner.call('task_reply', { task: task.id, messageId: q.signal.messageId, content: 'Email.' });
    say('planner-1', `events_wait signals -> ${q.signal.type}; task_reply: Email.`);
    say(workerName, `task_ask "Email or SMS?" -> ${(await asking).reply.content}`);
    fs.appendFileSync(path.join(dir, 'src', 'login.ts'), 'export function resetPassword() {}\n');
    const submitting = worker.call<{ verdict: string; score: number }>('task_submit_for_review', {
      id: task.id,
      artifacts: { summary: 'resetPassword() emails a link', changedFiles: ['src/login.ts'], testCases: ['sends the link'], testResult: 'passed' },
      wait: true,
      timeoutSec: 30,
    });
    await planner.call('events_wait', { signals: true, issue: issue.id, timeoutSec: 30 });
    await planner.call('task_approve', { id: task.id, score: 5, summary: 'as specified', reserveNext: true });
    const verdict = await submitting;
    say('planner-1', `events_wait signals -> submission; task_approve ${task.id} score 5`);
    say(workerName, `task_submit_for_review (wait) -> ${verdict.verdict}, score ${verdict.score}`);
    const evidence = {
      scriptPath: 'test/reset.sh',
      scriptCmd: 'sh test/reset.sh',
      scriptPassed: true,
      scriptResult: '1 passing',
      docPath: 'docs/reset-steps.md',
      docCommands: ['request a reset for alice'],
      docResults: [{ command: 'request a reset for alice', passed: true, output: 'link sent' }],
      docPassed: true,
    };
    const delivering = planner.call<{ verdict: string }>('delivery_submit', {
      issue: issue.id,
      summary: 'Password reset by email',
      artifacts: { testResult: 'passed', testCases: ['sends the link'], changedFiles: ['src/login.ts'], reviewedRefs: ['src/login.ts'] },
      testEvidence: evidence,
      wait: true,
      timeoutSec: 30,
    });
    const { delivery } = await reviewer.call<{ delivery: { id: string } }>('delivery_wait', { timeoutSec: 30 });
    await reviewer.call('acceptance_bundle', { issue: issue.id });
    await reviewer.call('delivery_review', {
      deliveryId: delivery.id,
      verdict: 'approved',
      verification: { scriptPassed: true, scriptResult: '1 passing', docPassed: true, docResults: evidence.docResults },
    });
    say('reviewer-1', `delivery_wait -> ${delivery.id}; acceptance_bundle; delivery_review approved`);
    say('planner-1', `delivery_submit (wait) -> ${(await delivering).verdict}`);
    await planner.call('issue_close', { id: issue.id, summary: 'accepted' });
    say('planner-1', `issue_close ${issue.id}`);
  } finally {
    await reviewer.close();
  }
}
