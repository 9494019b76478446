// Discussions: pure op rules (ages with an injected clock, order, inbox, permissions), then MCP stdio and the CLI.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paths } from '../src/state/core/layout.js';
import { ops } from '../src/state/ops/index.js';
import { discussionGet, discussionInbox, discussionList, discussionListInput } from '../src/state/queries/discussion-list.js';
import type { Discussion, Note } from '../src/state/core/schema.js';
import { cli, initAgent, makeRepo, stateSubjects, toolError } from './helpers.js';
import { codeOf, ctxFor, invalidFields, MemoryState, validate } from './memory-state.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const at = (days: number) => T0 + days * DAY;
const planner = (days = 0) => ctxFor('planner-1', 'planner', at(days));
const impl1 = (days = 0) => ctxFor('impl-1', 'implementer', at(days));
const impl2 = (days = 0) => ctxFor('impl-2', 'implementer', at(days));

function start(m: MemoryState, ctx = impl1(), extra: Record<string, unknown> = {}): Discussion {
  return m.run(ops.discussionStart, { topic: 'Which parser?', message: 'yaml or our own?', ...extra }, ctx).discussion;
}

const list = (m: MemoryState, input: Record<string, unknown> = {}) => discussionList(m.state, discussionListInput.parse(input));
const notes = (m: MemoryState) => m.state.notes().items.map((n: Note) => n.text);

test('start: one commit holds the thread and its announcing note; author must be the caller', () => {
  const m = new MemoryState();
  const d = start(m, impl1(), { waitingOn: 'planner', priority: 'high', category: 'question' });
  assert.match(d.id, /^D-[0-9A-Z]{4}$/);
  assert.equal(d.status, 'waiting');
  assert.equal(d.createdBy, 'impl-1');
  assert.equal(d.messages.length, 1);
  assert.match(d.messages[0]!.id, /^M-[0-9A-Z]{4}$/);
  assert.equal(m.commits, 1);
  assert.deepEqual(notes(m), [`[DISCUSSION] New thread: "Which parser?" (${d.id}) - impl-1 is waiting for input from planner`]);
  assert.ok(m.state.exists(paths.discussion(d.id)));
  assert.equal(start(m, impl1()).status, 'open', 'no waitingOn: open');
  assert.equal(codeOf(() => start(m, impl1(), { author: 'impl-2' })), 'IDENTITY_MISMATCH');
  assert.equal(codeOf(() => start(m, impl1(), { linkedTask: 'T-ZZZZ' })), 'TASK_NOT_FOUND');
  assert.deepEqual(invalidFields(() => start(m, impl1(), { priority: 'urgent' })), ['priority'], 'priority is an enum');
});

test('reply: sets or clears waitingOn; messages stay oldest first; closed threads refuse replies', () => {
  const m = new MemoryState();
  const d = start(m, impl1(), { waitingOn: 'planner' });
  let r = m.run(ops.discussionReply, { discussionId: d.id, message: 'use yaml', recommendation: 'yaml 2.x', waitingOn: 'impl-1' }, planner(1)).discussion;
  assert.equal(r.status, 'waiting');
  assert.equal(r.waitingOn, 'impl-1');
  r = m.run(ops.discussionReply, { discussionId: d.id, message: 'ok' }, impl1(2)).discussion;
  assert.equal(r.status, 'open');
  assert.equal(r.waitingOn, undefined);
  const got = discussionGet(m.state, { discussionId: d.id }).discussion;
  assert.deepEqual(got.messages.map((x) => x.author), ['impl-1', 'planner-1', 'impl-1']);
  assert.equal(new Set(got.messages.map((x) => x.id)).size, 3);
  assert.equal(got.messages[1]!.recommendation, 'yaml 2.x');
  assert.equal(codeOf(() => discussionGet(m.state, { discussionId: 'D-ZZZZ' })), 'DISCUSSION_NOT_FOUND');
  assert.equal(codeOf(() => m.run(ops.discussionReply, { discussionId: 'D-ZZZZ', message: 'x' }, impl1())), 'DISCUSSION_NOT_FOUND');

  m.run(ops.discussionResolve, { discussionId: d.id, decision: 'yaml', reasoning: 'well kept' }, planner(3));
  assert.equal(codeOf(() => m.run(ops.discussionReply, { discussionId: d.id, message: 'late' }, impl1(4))), 'DISCUSSION_CLOSED');
  m.run(ops.discussionArchive, { discussionId: d.id }, planner(4));
  assert.equal(codeOf(() => m.run(ops.discussionReply, { discussionId: d.id, message: 'later' }, impl1(5))), 'DISCUSSION_CLOSED');
});

test('L12/A.4.4: resolve and archive: planner or creator only; archived cannot be resolved; archiving twice commits nothing', () => {
  const m = new MemoryState();
  const d = start(m, impl1(), { waitingOn: 'planner' });
  assert.equal(codeOf(() => m.run(ops.discussionResolve, { discussionId: d.id, decision: 'x', reasoning: 'y' }, impl2())), 'ROLE_FORBIDDEN');
  assert.equal(codeOf(() => m.run(ops.discussionArchive, { discussionId: d.id }, impl2())), 'ROLE_FORBIDDEN');

  const resolved = m.run(ops.discussionResolve, { discussionId: d.id, decision: 'use yaml', reasoning: 'kept' }, impl1(1)).discussion;
  assert.equal(resolved.status, 'resolved');
  assert.equal(resolved.decidedBy, 'impl-1', 'the creator may resolve its own thread');
  assert.equal(resolved.waitingOn, undefined);
  assert.ok(notes(m).includes('[DECISION] "Which parser?" resolved: use yaml (by impl-1)'));
  assert.equal(codeOf(() => m.run(ops.discussionResolve, { discussionId: d.id, decision: 'again', reasoning: 'y' }, planner(2))), 'DISCUSSION_CLOSED');

  // A planner may manage anyone's thread; an archived thread cannot be resolved (the old system allowed it).
  const other = start(m, impl2());
  const archived = m.run(ops.discussionArchive, { discussionId: other.id }, planner(1));
  assert.equal(archived.changed, true);
  assert.equal(archived.discussion.archivedAt, new Date(at(1)).toISOString());
  const commits = m.commits;
  assert.equal(m.run(ops.discussionArchive, { discussionId: other.id }, planner(2)).changed, false);
  assert.equal(m.commits, commits, 'a second archive commits nothing');
  assert.equal(codeOf(() => m.run(ops.discussionResolve, { discussionId: other.id, decision: 'x', reasoning: 'y' }, planner(2))), 'DISCUSSION_CLOSED');
});

test('cleanup: archives resolved threads after N days and deletes archived ones after M days, from ctx.now', () => {
  const m = new MemoryState();
  const d = start(m, impl1(0), { waitingOn: 'planner' });
  const keep = start(m, impl1(0), { topic: 'Still open' });
  m.run(ops.discussionResolve, { discussionId: d.id, decision: 'done', reasoning: 'because' }, planner(0));
  const commits = m.commits;

  assert.deepEqual(m.run(ops.discussionCleanup, {}, planner(3)), { archived: 0, deleted: 0, archivedIds: [], deletedIds: [] });
  assert.equal(m.commits, commits, 'nothing old enough at day 3: no commit');

  const day8 = m.run(ops.discussionCleanup, {}, planner(8));
  assert.deepEqual([day8.archived, day8.deleted], [1, 0]);
  assert.equal(m.state.discussion(d.id)?.status, 'archived');
  assert.equal(m.commits, commits + 1);

  // Archived at day 8: 30 days later (day 38) is not yet older than 30 days; day 40 is.
  assert.equal(m.run(ops.discussionCleanup, {}, planner(38)).deleted, 0);
  const day40 = m.run(ops.discussionCleanup, {}, planner(40));
  assert.deepEqual([day40.archived, day40.deleted, day40.deletedIds], [0, 1, [d.id]]);
  assert.equal(m.state.exists(paths.discussion(d.id)), false);
  assert.equal(m.state.discussion(keep.id)?.status, 'open', 'open threads are never cleaned up');
  assert.equal(m.commits, commits + 2, 'each cleanup is one commit');

  assert.equal(codeOf(() => m.run(ops.discussionCleanup, { archiveOlderThanDays: 10, deleteOlderThanDays: 5 }, planner(41))), 'INVALID_INPUT');
  assert.equal(codeOf(() => m.run(ops.discussionCleanup, {}, impl1(41))), 'ROLE_FORBIDDEN');
  assert.deepEqual(invalidFields(() => m.run(ops.discussionCleanup, { archiveOlderThanDays: 1.5 }, planner(41))), ['archiveOlderThanDays'], 'days are integers');
});

test('list: blocking first, then newest; archived hidden unless asked for; paginated', () => {
  const m = new MemoryState();
  const low = start(m, impl1(0), { topic: 'low', priority: 'low' });
  const medOld = start(m, impl1(1), { topic: 'medium old' });
  const blocking = start(m, impl1(2), { topic: 'blocking', priority: 'blocking', category: 'blocker' });
  const medNew = start(m, impl1(3), { topic: 'medium new' });
  const high = start(m, impl1(4), { topic: 'high', priority: 'high' });
  assert.deepEqual(
    list(m).discussions.map((d) => d.id),
    [blocking.id, high.id, medNew.id, medOld.id, low.id],
  );
  const first = list(m).discussions[0]!;
  assert.equal(first.messageCount, 1);
  assert.equal('messages' in first, false, 'listings leave the messages out');

  m.run(ops.discussionArchive, { discussionId: low.id }, planner(5));
  assert.equal(list(m).total, 4);
  assert.deepEqual(list(m, { status: 'archived' }).discussions.map((d) => d.id), [low.id]);
  assert.deepEqual(list(m, { category: 'blocker' }).discussions.map((d) => d.id), [blocking.id]);

  const page = list(m, { limit: 2, offset: 1 });
  assert.deepEqual(page.discussions.map((d) => d.id), [high.id, medNew.id]);
  assert.equal(page.hasMore, true);
  assert.equal(list(m, { limit: 2, offset: 2 }).hasMore, false);
  assert.deepEqual(invalidFields(validate(discussionListInput, { limit: 2.5 })), ['limit'], 'limit is an integer');

  // A damaged file is reported, not fatal: the rest of the list still works.
  m.putText(paths.discussion('D-BAD1'), 'id: D-BAD1\nstatus: pondering\n');
  assert.deepEqual(list(m).corrupt.map((c) => c.path), ['discussions/D-BAD1.yaml']);
  assert.equal(list(m).total, 4);
});

test('inbox: waiting threads addressed to the agent by name or by its role', () => {
  const m = new MemoryState();
  m.run(ops.agentRegister, { name: 'planner-1', role: 'planner' }, planner());
  m.run(ops.agentRegister, { name: 'impl-2', role: 'implementer' }, impl2());
  const toRole = start(m, impl1(0), { topic: 'to role', waitingOn: 'planner' });
  const toName = start(m, impl1(1), { topic: 'to name', waitingOn: 'planner-1', priority: 'blocking' });
  start(m, impl1(2), { topic: 'open, nobody named' });
  const toImpl2 = start(m, planner(3), { topic: 'to impl-2', waitingOn: 'impl-2' });

  const p = discussionInbox(m.state, {}, { agent: 'planner-1', role: 'planner' });
  assert.deepEqual(p.discussions.map((d) => d.id), [toName.id, toRole.id], 'by name and by role, blocking first');
  assert.equal(p.waitingCount, 2);
  assert.match(p.instruction, /discussion_reply/);

  // Another agent's inbox uses that agent's registered role, not the caller's.
  const i2 = discussionInbox(m.state, { agent: 'impl-2' }, { agent: 'planner-1', role: 'planner' });
  assert.deepEqual(i2.discussions.map((d) => d.id), [toImpl2.id]);
  assert.equal(discussionInbox(m.state, {}, { agent: 'impl-1', role: 'implementer' }).waitingCount, 0);

  // Once answered (reply without waitingOn), it leaves the inbox.
  m.run(ops.discussionReply, { discussionId: toName.id, message: 'answered' }, planner(4));
  assert.deepEqual(discussionInbox(m.state, {}, { agent: 'planner-1', role: 'planner' }).discussions.map((d) => d.id), [toRole.id]);
});

test('MCP stdio: implementer asks the planner, they talk through their inboxes, the planner resolves; CLI lists it', async () => {
  const repo = makeRepo();
  const planner = await initAgent(repo, 'planner', 'planner-1');
  const impl = await initAgent(repo, 'implementer', 'impl-1');
  interface Thread {
    discussion: { id: string; status: string; waitingOn?: string; messages: { author: string }[]; decision?: string };
  }
  interface Inbox {
    discussions: { id: string }[];
    waitingCount: number;
    instruction: string;
  }

  const started = await impl.call<Thread>('discussion_start', { topic: 'Cache layout', message: 'One file or many?', waitingOn: 'planner', priority: 'high' });
  const id = started.discussion.id;
  assert.equal(started.discussion.status, 'waiting');

  const pInbox = await planner.call<Inbox>('discussion_inbox');
  assert.deepEqual(pInbox.discussions.map((d) => d.id), [id]);
  await planner.call('discussion_reply', { discussionId: id, message: 'Many, sharded.', waitingOn: 'impl-1' });
  assert.equal((await planner.call<Inbox>('discussion_inbox')).waitingCount, 0);
  assert.deepEqual((await impl.call<Inbox>('discussion_inbox')).discussions.map((d) => d.id), [id]);

  assert.equal((await toolError(impl.call('discussion_start', { topic: 'x', message: 'y', author: 'planner-1' }))).code, 'IDENTITY_MISMATCH');
  assert.equal((await toolError(impl.call('discussion_cleanup', {}))).code, 'ROLE_FORBIDDEN');
  assert.equal((await toolError(planner.call('discussion_list', { limit: 2.5 }))).code, 'INVALID_INPUT');
  assert.equal((await toolError(planner.call('discussion_start', { topic: 'x', message: 'y', category: 'gossip' }))).code, 'INVALID_INPUT');
  assert.equal((await toolError(planner.call('discussion_get', { discussionId: 'D-ZZZZ' }))).code, 'DISCUSSION_NOT_FOUND');

  const resolved = await planner.call<Thread>('discussion_resolve', { discussionId: id, decision: 'Shard by id', reasoning: 'Flat trees are slow' });
  assert.equal(resolved.discussion.status, 'resolved');
  assert.equal((await toolError(impl.call('discussion_reply', { discussionId: id, message: 'one more thing' }))).code, 'DISCUSSION_CLOSED');
  const got = await impl.call<Thread>('discussion_get', { discussionId: id });
  assert.deepEqual(got.discussion.messages.map((x) => x.author), ['impl-1', 'planner-1']);
  assert.equal(got.discussion.decision, 'Shard by id');

  const subjects = stateSubjects(repo);
  assert.ok(subjects.includes(`discussion.start ${id} by impl-1`), subjects.join('\n'));
  assert.ok(subjects.includes(`discussion.reply ${id} by planner-1`));
  assert.ok(subjects.includes(`discussion.resolve ${id} by planner-1`));

  const listed = cli(repo, 'discussion', 'list', '--json');
  assert.equal(listed.status, 0, listed.stderr);
  const body = JSON.parse(listed.stdout) as { discussions: { id: string; decision: string }[]; total: number };
  assert.deepEqual(body.discussions.map((d) => [d.id, d.decision]), [[id, 'Shard by id']]);
  const shown = cli(repo, 'discussion', 'show', id);
  assert.equal(shown.status, 0, shown.stderr);
  assert.match(shown.stdout, /Shard by id/);
  const missing = cli(repo, 'discussion', 'show', 'D-ZZZZ');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^error\[DISCUSSION_NOT_FOUND\]/);
});
