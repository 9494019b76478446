// Discussion tools: threads between agents (start, reply, resolve, read, list, inbox, archive, cleanup).
import { discussionArchive } from '../../state/ops/discussion-archive.js';
import { discussionCleanup } from '../../state/ops/discussion-cleanup.js';
import { discussionReply } from '../../state/ops/discussion-reply.js';
import { discussionResolve } from '../../state/ops/discussion-resolve.js';
import { discussionStart } from '../../state/ops/discussion-start.js';
import {
  discussionGet,
  discussionGetInput,
  discussionInbox,
  discussionInboxInput,
  discussionList,
  discussionListInput,
  type DiscussionSummary,
} from '../../state/queries/discussion-list.js';
import { defineTool, EVERY_ROLE, pageFooter } from '../tool.js';

const line = (d: DiscussionSummary) => `${d.id} [${d.status}${d.waitingOn ? ` -> ${d.waitingOn}` : ''}] ${d.priority} ${d.category}: ${d.topic}`;

export const discussionStartTool = defineTool({
  name: 'discussion_start',
  title: 'Start discussion',
  description: 'Open a thread; waitingOn names who should answer (agent or role).',
  input: discussionStart.input,
  roles: EVERY_ROLE,
  annotations: {},
  async handler(args, ctx) {
    const r = await ctx.app.run(discussionStart, args, ctx.who);
    return { structured: r, text: `Started ${r.discussion.id}: ${r.discussion.topic}\n${r.instruction}` };
  },
});

export const discussionReplyTool = defineTool({
  name: 'discussion_reply',
  title: 'Reply to discussion',
  description: 'Add a message; waitingOn hands the thread on.',
  input: discussionReply.input,
  roles: EVERY_ROLE,
  annotations: {},
  async handler(args, ctx) {
    const r = await ctx.app.run(discussionReply, args, ctx.who);
    const d = r.discussion;
    return { structured: { discussion: d }, text: `Replied to ${d.id} [${d.status}${d.waitingOn ? ` -> ${d.waitingOn}` : ''}]` };
  },
});

export const discussionResolveTool = defineTool({
  name: 'discussion_resolve',
  title: 'Resolve discussion',
  description: 'Record the decision (planner or creator).',
  input: discussionResolve.input,
  roles: EVERY_ROLE,
  annotations: {},
  async handler(args, ctx) {
    const r = await ctx.app.run(discussionResolve, args, ctx.who);
    return { structured: r, text: `Resolved ${r.discussion.id}: ${r.discussion.decision}` };
  },
});

export const discussionGetTool = defineTool({
  name: 'discussion_get',
  title: 'Read discussion',
  description: 'A thread with all messages.',
  input: discussionGetInput,
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state) => discussionGet(state, args));
    const d = r.discussion;
    const msgs = d.messages.map((m) => `${m.at} ${m.author}: ${m.message}${m.recommendation ? `\n  recommends: ${m.recommendation}` : ''}`);
    const decision = d.decision ? `\nDECISION (${d.decidedBy}): ${d.decision}\nReasoning: ${d.reasoning ?? '-'}` : '';
    return { structured: r, text: `${line({ ...d, messageCount: d.messages.length })}\n${msgs.join('\n')}${decision}` };
  },
});

export const discussionListTool = defineTool({
  name: 'discussion_list',
  title: 'List discussions',
  description: 'Threads, most urgent then newest; archived only if asked.',
  input: discussionListInput,
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state) => discussionList(state, args));
    const footer = pageFooter(r, r.discussions.length);
    return { structured: { ...r }, text: `${r.total} discussion(s)\n${r.discussions.map(line).join('\n')}${footer}` };
  },
});

export const discussionInboxTool = defineTool({
  name: 'discussion_inbox',
  title: 'Discussions for you',
  description: 'Threads waiting on you (name or role), most urgent first.',
  input: discussionInboxInput,
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state) => discussionInbox(state, args, ctx.who));
    return { structured: { ...r }, text: `${r.instruction}\n${r.discussions.map(line).join('\n')}`.trimEnd() };
  },
});

export const discussionArchiveTool = defineTool({
  name: 'discussion_archive',
  title: 'Archive discussion',
  description: 'Archive a thread (planner or creator).',
  input: discussionArchive.input,
  roles: EVERY_ROLE,
  annotations: { idempotentHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.run(discussionArchive, args, ctx.who);
    return { structured: r, text: r.changed ? `Archived ${r.discussion.id}` : `${r.discussion.id} was already archived` };
  },
});

export const discussionCleanupTool = defineTool({
  name: 'discussion_cleanup',
  title: 'Clean up discussions',
  description: 'Archive resolved threads older than N days; delete archived older than M.',
  input: discussionCleanup.input,
  roles: [],
  annotations: { destructiveHint: true, idempotentHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.run(discussionCleanup, args, ctx.who);
    return { structured: r, text: `Archived ${r.archived}, deleted ${r.deleted} discussion(s)` };
  },
});

export const discussionTools = [
  discussionStartTool,
  discussionReplyTool,
  discussionResolveTool,
  discussionGetTool,
  discussionListTool,
  discussionInboxTool,
  discussionArchiveTool,
  discussionCleanupTool,
];
