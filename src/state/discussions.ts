// Discussion helpers shared by the discussion ops and queries: input fields, lookup, permissions, order.
import { z } from 'zod';
import { LockstepError } from '../errors.js';
import type { Ctx } from './core/ctx.js';
import { AgentName, Discussion, DiscussionId, TaskId } from './core/schema.js';
import type { State } from './core/state.js';
import { isPlanner } from './roles.js';

// The enums live in the stored schema; inputs reuse them so a tool can never store a value the schema refuses.
export const DiscussionStatus = Discussion.shape.status;
export const DiscussionCategory = Discussion.shape.category.unwrap();
export const DiscussionPriority = Discussion.shape.priority.unwrap();
export type DiscussionPriority = z.infer<typeof DiscussionPriority>;

export const discussionField = {
  id: DiscussionId,
  message: z.string().trim().min(1).max(20_000),
  waitingOn: AgentName.optional().describe('Agent or role'),
  linkedTask: TaskId.optional(),
};

/** blocking first, low last: the order list and inbox show. */
const PRIORITY_RANK: Record<DiscussionPriority, number> = { blocking: 0, high: 1, medium: 2, low: 3 };

/** Priority (blocking first), then newest first, then id so equal times still order the same everywhere. */
export function byPriority(a: Discussion, b: Discussion): number {
  const p = PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority];
  if (p !== 0) return p;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function getDiscussion(state: State, id: string): Discussion {
  const d = state.discussion(id);
  if (!d) throw new LockstepError('DISCUSSION_NOT_FOUND', `discussion ${id} does not exist; discussion_list shows the ids`, { id });
  return d;
}

/** Resolving and archiving belong to a planner or to whoever started the thread. */
export function checkCanManage(d: Discussion, ctx: Ctx, action: 'resolve' | 'archive'): void {
  if (isPlanner(ctx) || d.createdBy === ctx.actor) return;
  throw new LockstepError('ROLE_FORBIDDEN', `only a planner or ${d.createdBy} (who started ${d.id}) may ${action} it; reply with your view instead`, {
    id: d.id,
    createdBy: d.createdBy,
  });
}

/** Resolved and archived threads are closed: no replies, no second decision. */
export function checkOpen(d: Discussion, action: string): void {
  if (d.status !== 'resolved' && d.status !== 'archived') return;
  throw new LockstepError('DISCUSSION_CLOSED', `discussion ${d.id} is ${d.status}; cannot ${action} it. Start a new discussion to reopen the topic`, {
    id: d.id,
    status: d.status,
  });
}

/** Note text is capped by the Note schema; long decisions are cut so the note stays valid. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
