// The swarm-mcp README's minimal end-to-end flow with three separate server processes: a lead
// (planner), a worker (implementer) and an acceptor (reviewer), checked afterwards with the git CLI.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fsckStrict, git, initAgent, makeRepo, toolError } from './helpers.js';

interface Id {
  id: string;
}

test('swarm flow: lead plans an issue, worker claims, locks, asks and submits, lead replies and reviews with a score and the next task, lead delivers, acceptor accepts', async () => {
  const repo = makeRepo();
  const lead = await initAgent(repo, 'lead', 'lead-1');
  const worker = await initAgent(repo, 'worker', 'worker-1');
  const acceptor = await initAgent(repo, 'acceptor', 'acceptor-1');

  // 1. Lead creates the work pool: an issue with its docs and two tasks with specs.
  const workerSeesIssue = worker.call<{ issues: Id[]; timedOut: boolean }>('issue_wait', { timeoutSec: 30 });
  const { issue } = await lead.call<{ issue: Id }>('issue_create', {
    subject: 'Greeting API',
    description: 'Add a greeting module',
    userDoc: { name: 'user', content: '# What the user asked\nA greet(name) function.\n' },
    leadDoc: { name: 'lead', content: '# Plan\n1. greet 2. shout\n' },
    otherDocs: [{ name: 'context', content: 'TypeScript, no deps.\n' }],
  });
  assert.deepEqual((await workerSeesIssue).issues.map((i) => i.id), [issue.id], 'the waiting worker saw the issue appear');
  const spec = { goal: 'greet(name) returns "hello <name>"', acceptance: 'unit test passes', rules: 'no dependencies', splitFrom: 'lead plan', splitReason: 'first step' };
  const { task: t1 } = await lead.call<{ task: Id }>('task_create', { issue: issue.id, title: 'greet()', complexity: 'medium', points: 3, suggestedFiles: ['src/greet.ts'], spec });
  const { task: t2 } = await lead.call<{ task: Id }>('task_create', { issue: issue.id, title: 'shout()', complexity: 'medium', points: 5, suggestedFiles: ['src/shout.ts'], spec: { goal: 'shout(name) upper-cases greet', acceptance: 'unit test passes' } });

  // 2. Worker claims, reads the spec, locks the file and asks a question (blocking).
  const ready = await worker.call<{ tasks: Id[] }>('task_wait', { issue: issue.id });
  assert.ok(ready.tasks.some((t) => t.id === t1.id));
  await worker.call('task_claim', { id: t1.id });
  const specDoc = await worker.call<{ content: string }>('doc_read', { scope: 'task', task: t1.id, name: 'spec' });
  assert.match(specDoc.content, /## Goal/);
  const issueDoc = await worker.call<{ content: string }>('doc_read', { scope: 'issue', issue: issue.id, name: 'user' });
  assert.match(issueDoc.content, /greet\(name\)/);
  await worker.call('lock_acquire', { path: 'src/greet.ts', task: t1.id });
  const asking = worker.call<{ answered: boolean; reply: { content: string } }>('task_ask', { task: t1.id, content: 'Should greet trim the name?', timeoutSec: 40 });

  // 3. Lead's signal loop gets the question and replies; the worker's ask returns the answer.
  const q = await lead.call<{ signal: { type: string; task: string; messageId: string } }>('events_wait', { signals: true, issue: issue.id, timeoutSec: 30 });
  assert.equal(q.signal.type, 'question');
  assert.equal(q.signal.task, t1.id);
  await lead.call('task_reply', { task: t1.id, messageId: q.signal.messageId, content: 'Yes, trim it.' });
  const answer = await asking;
  assert.equal(answer.answered, true);
  assert.equal(answer.reply.content, 'Yes, trim it.');

  // Worker implements, releases the lock, submits with artifacts and waits for the verdict.
  fs.writeFileSync(path.join(repo, 'src', 'greet.ts'), 'export const greet = (n: string) => `hello ${n.trim()}`;\n');
  await worker.call('lock_release', { path: 'src/greet.ts' });
  const artifacts1 = { summary: 'greet() added', changedFiles: ['src/greet.ts'], testCases: ['greet trims'], testResult: 'passed', testOutput: '1 passing' };
  const submitting = worker.call<{ verdict: string; score: number; next: { type: string; task?: Id } }>('task_submit_for_review', { id: t1.id, artifacts: artifacts1, wait: true, timeoutSec: 40 });

  // 4. Lead gets the submission signal and approves with a score, reserving the worker's next task.
  const s = await lead.call<{ signal: { type: string; task: string } }>('events_wait', { signals: true, issue: issue.id, timeoutSec: 30 });
  assert.equal(s.signal.type, 'submission');
  assert.equal(s.signal.task, t1.id);
  const approval = await lead.call<{ next: { type: string; task: Id } }>('task_approve', {
    id: t1.id,
    score: 5,
    summary: 'clean',
    reviewedRefs: ['src/greet.ts'],
    details: [{ dimension: 'correctness', severity: 'info', content: 'trims as agreed' }],
    reserveNext: true,
  });
  assert.equal(approval.next.type, 'claim_task');
  assert.equal(approval.next.task.id, t2.id);
  const verdict = await submitting;
  assert.equal(verdict.verdict, 'approved');
  assert.equal(verdict.score, 5);
  assert.equal(verdict.next.task?.id, t2.id, 'the waiting worker learns its reserved next task');

  // The reserved task is the worker's: an intruder cannot take it; the worker's task_next does.
  const intruder = await initAgent(repo, 'worker', 'worker-2');
  assert.equal((await toolError(intruder.call('task_claim', { id: t2.id }))).code, 'TASK_RESERVED');
  await intruder.close();
  const next = await worker.call<{ task: Id }>('task_next', { issue: issue.id });
  assert.equal(next.task.id, t2.id);
  fs.writeFileSync(path.join(repo, 'src', 'shout.ts'), "import { greet } from './greet.js';\nexport const shout = (n: string) => greet(n).toUpperCase();\n");
  const submitting2 = worker.call<{ verdict: string; next: { type: string } }>('task_submit_for_review', {
    id: t2.id,
    artifacts: { summary: 'shout() added', changedFiles: ['./src/shout.ts'], testCases: ['shout upper-cases'], testResult: 'passed' },
    wait: true,
    timeoutSec: 40,
  });
  const s2 = await lead.call<{ signal: { task: string } }>('events_wait', { signals: true, timeoutSec: 30 });
  assert.equal(s2.signal.task, t2.id);
  const approval2 = await lead.call<{ next: { type: string } }>('task_approve', { id: t2.id, score: 2, reserveNext: true });
  assert.equal(approval2.next.type, 'end', 'nothing left to reserve');
  assert.equal((await submitting2).verdict, 'approved');

  // 5. Lead delivers (blocking); the acceptor takes it, reads the bundle and approves.
  const evidence = {
    scriptPath: 'scripts/test.sh',
    scriptCmd: 'sh scripts/test.sh',
    scriptPassed: true,
    scriptResult: '2 passing',
    docPath: 'docs/test-steps.md',
    docCommands: ['node -e "greet"'],
    docResults: [{ command: 'node -e "greet"', passed: true, exitCode: 0, output: 'hello' }],
    docPassed: true,
  };
  const delivering = lead.call<{ verdict: string; delivery: Id }>('delivery_submit', {
    issue: issue.id,
    summary: 'greet and shout',
    artifacts: { testResult: 'passed', testCases: ['greet trims', 'shout upper-cases'], changedFiles: ['src/greet.ts', 'src/shout.ts'], reviewedRefs: ['src/greet.ts', 'src/shout.ts'] },
    testEvidence: evidence,
    wait: true,
    timeoutSec: 40,
  });
  const taken = await acceptor.call<{ delivery: Id & { status: string } }>('delivery_wait', { timeoutSec: 30 });
  assert.equal(taken.delivery.status, 'in_review');
  const bundle = await acceptor.call<{ tasks: Id[]; docs: { issue: { name: string; content: string }[] }; events: { op: string }[] }>('acceptance_bundle', { issue: issue.id });
  assert.deepEqual(bundle.tasks.map((t) => t.id).sort(), [t1.id, t2.id].sort());
  assert.ok(bundle.docs.issue.some((d) => d.name === 'user' && d.content.includes('greet(name)')));
  assert.ok(bundle.events.some((e) => e.op === 'task.approve'));
  await acceptor.call('delivery_review', {
    deliveryId: taken.delivery.id,
    verdict: 'approved',
    verification: { scriptPassed: true, scriptResult: '2 passing', docPassed: true, docResults: [{ command: 'node -e "greet"', passed: true, output: 'hello' }] },
  });
  const delivered = await delivering;
  assert.equal(delivered.verdict, 'approved');
  const closed = await lead.call<{ issue: { status: string } }>('issue_close', { id: issue.id, summary: 'accepted' });
  assert.equal(closed.issue.status, 'done');

  // The state history tells the story in order, readable with plain git.
  const ops = git(repo, 'log', '--reverse', '--format=%(trailers:key=Lockstep-Op,valueonly)', 'refs/lockstep/state').split('\n').filter(Boolean);
  const story = ['issue.create', 'task.create', 'task.claim', 'lock.acquire', 'task.ask', 'signal.claim', 'task.reply', 'task.submit_for_review', 'task.approve', 'task.next', 'delivery.submit', 'delivery.claim', 'delivery.review', 'issue.close'];
  let at = -1;
  for (const op of story) {
    const i = ops.indexOf(op, at + 1);
    assert.ok(i > at, `${op} follows in the history (${ops.join(' ')})`);
    at = i;
  }
  const log = git(repo, 'log', '--format=%an %s', `refs/lockstep/state`);
  assert.match(log, /acceptor-1 delivery\.review/);
  fsckStrict(repo);
});
