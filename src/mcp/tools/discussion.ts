// Discussion tools: threads with a category and priority; waitingOn puts a thread in someone's inbox.
import { useCases } from '../../app/use-cases.js';
import type { DiscussionSummary } from '../../state/queries/discussion-list.js';
import { EVERY_ROLE, pageFooter, tool } from '../tool.js';

const line = (d: Pick<DiscussionSummary, 'id' | 'status' | 'waitingOn' | 'priority' | 'category' | 'topic'>) =>
  `${d.id} [${d.status}${d.waitingOn ? ` -> ${d.waitingOn}` : ''}] ${d.priority} ${d.category}: ${d.topic}`;

export const discussionTools = [
  tool(useCases.discussionStart, {
    title: 'Start discussion',
    description: 'Open a thread; waitingOn names who should answer (agent or role).',
    roles: EVERY_ROLE,
    text: (r) => `Started ${r.discussion.id}: ${r.discussion.topic}\n${r.instruction}`,
  }),
  tool(useCases.discussionReply, {
    title: 'Reply to discussion',
    description: 'Add a message; waitingOn hands the thread on.',
    roles: EVERY_ROLE,
    text: ({ discussion: d }) => `Replied to ${d.id} [${d.status}${d.waitingOn ? ` -> ${d.waitingOn}` : ''}]`,
  }),
  tool(useCases.discussionResolve, {
    title: 'Resolve discussion',
    description: 'Record the decision (planner or creator).',
    roles: EVERY_ROLE,
    text: (r) => `Resolved ${r.discussion.id}: ${r.discussion.decision}`,
  }),
  tool(useCases.discussionGet, {
    title: 'Read discussion',
    description: 'A thread with all messages.',
    roles: EVERY_ROLE,
    annotations: { readOnlyHint: true },
    text: ({ discussion: d }) => {
      const msgs = d.messages.map((m) => `${m.at} ${m.author}: ${m.message}${m.recommendation ? `\n  recommends: ${m.recommendation}` : ''}`);
      const decision = d.decision ? `\nDECISION (${d.decidedBy}): ${d.decision}\nReasoning: ${d.reasoning ?? '-'}` : '';
      return `${line(d)}\n${msgs.join('\n')}${decision}`;
    },
  }),
  tool(useCases.discussionList, {
    title: 'List discussions',
    description: 'Threads, most urgent then newest; archived only if asked.',
    roles: EVERY_ROLE,
    annotations: { readOnlyHint: true },
    text: (r) => `${r.total} discussion(s)\n${r.discussions.map(line).join('\n')}${pageFooter(r, r.discussions.length)}`,
  }),
  tool(useCases.discussionInbox, {
    title: 'Discussions for you',
    description: 'Threads waiting on you (name or role), most urgent first.',
    roles: EVERY_ROLE,
    annotations: { readOnlyHint: true },
    text: (r) => `${r.instruction}\n${r.discussions.map(line).join('\n')}`.trimEnd(),
  }),
  tool(useCases.discussionArchive, {
    title: 'Archive discussion',
    description: 'Archive a thread (planner or creator).',
    roles: EVERY_ROLE,
    annotations: { idempotentHint: true },
    text: (r) => (r.changed ? `Archived ${r.discussion.id}` : `${r.discussion.id} was already archived`),
  }),
  tool(useCases.discussionCleanup, {
    title: 'Clean up discussions',
    description: 'Archive resolved threads older than N days; delete archived older than M.',
    // Housekeeping: only role `all` lists it (kept out of the working roles' token budgets).
    roles: [],
    annotations: { destructiveHint: true, idempotentHint: true },
    text: (r) => `Archived ${r.archived}, deleted ${r.deleted} discussion(s)`,
  }),
];
