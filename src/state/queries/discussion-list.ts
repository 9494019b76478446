// Queries discussion_list, discussion_inbox and discussion_get: threads ordered by priority, then newest.
import { z } from 'zod';
import { DiscussionCategory, DiscussionStatus, byPriority, discussionField, getDiscussion } from '../discussions.js';
import { field } from '../core/inputs.js';
import { fitPage } from '../core/limits.js';
import { AgentName, type Discussion, type Role } from '../core/schema.js';
import type { CorruptFile, State } from '../core/state.js';

// Omit<> would lose every named field of a loose object type, so the summary fields are spelled out.
type SummaryField = 'id' | 'topic' | 'category' | 'priority' | 'status' | 'createdBy' | 'waitingOn' | 'decision' | 'reasoning' | 'decidedBy' | 'linkedTask' | 'createdAt' | 'updatedAt' | 'resolvedAt' | 'archivedAt';

/** A thread without its messages (listings stay small); discussion_get gives the whole thread. */
export type DiscussionSummary = Pick<Discussion, SummaryField> & { messageCount: number; lastMessage?: Discussion['messages'][number] };

function summary(d: Discussion): DiscussionSummary {
  const { messages, ...rest } = d;
  return { ...rest, messageCount: messages.length, lastMessage: messages[messages.length - 1] };
}

export const discussionListInput = z.object({
  status: DiscussionStatus.optional(),
  category: DiscussionCategory.optional(),
  waitingOn: AgentName.optional().describe('Agent or role'),
  limit: field.limit.default(50),
  offset: field.offset.default(0),
});

export interface DiscussionListResult {
  discussions: DiscussionSummary[];
  total: number;
  offset: number;
  hasMore: boolean;
  corrupt: CorruptFile[];
  /** Discussions too big to list in full, listed with their small fields only. */
  oversized: string[];
}

export function discussionList(state: State, input: z.output<typeof discussionListInput>): DiscussionListResult {
  const listing = state.discussions();
  const matches = listing.items
    .filter((d) => (input.status !== undefined ? d.status === input.status : d.status !== 'archived'))
    .filter((d) => input.category === undefined || d.category === input.category)
    .filter((d) => input.waitingOn === undefined || d.waitingOn === input.waitingOn)
    .sort(byPriority);
  // Whatever the state holds (hand edits included), the page stays under the reply limit.
  const { page, oversized } = fitPage(matches.slice(input.offset, input.offset + input.limit).map(summary), (d) => d.id);
  return {
    discussions: page,
    total: matches.length,
    offset: input.offset,
    hasMore: input.offset + page.length < matches.length,
    corrupt: listing.corrupt,
    oversized,
  };
}

export const discussionInboxInput = z.object({
  agent: AgentName.optional(),
});

export interface DiscussionInboxResult {
  agent: string;
  role?: Role;
  waitingCount: number;
  discussions: DiscussionSummary[];
  instruction: string;
  corrupt: CorruptFile[];
}

const WORK_ROLES = ['planner', 'implementer', 'reviewer'] as const;

/**
 * Threads waiting on the agent by name or by its role ('planner', ...). The role comes from the
 * agent's registration; the caller's own role stands in when the caller is not registered.
 */
export function discussionInbox(state: State, input: z.output<typeof discussionInboxInput>, caller: { agent: string; role: Role }): DiscussionInboxResult {
  const agent = input.agent ?? caller.agent;
  const role = state.agent(agent)?.role ?? (agent === caller.agent ? caller.role : undefined);
  // An agent with role `all` does every role's work, so it answers for every role name.
  const names = new Set<string>([agent, ...(role === 'all' ? WORK_ROLES : role ? [role] : [])]);
  const listing = state.discussions();
  const waiting = listing.items.filter((d) => d.status === 'waiting' && d.waitingOn !== undefined && names.has(d.waitingOn)).sort(byPriority);
  const instruction = waiting.length
    ? `${waiting.length} discussion(s) wait for your input: read each with discussion_get, then answer with discussion_reply (pass waitingOn to hand it back).`
    : 'Nothing is waiting on you.';
  return { agent, role, waitingCount: waiting.length, discussions: waiting.map(summary), instruction, corrupt: listing.corrupt };
}

export const discussionGetInput = z.object({ discussionId: discussionField.id });

/** One thread in full; messages are stored in the order they were written, oldest first. */
export function discussionGet(state: State, input: z.output<typeof discussionGetInput>): { discussion: Discussion } {
  return { discussion: getDiscussion(state, input.discussionId) };
}
