// Task Q&A: which questions are open, appending a question (idempotently), and minting message ids.
import { z } from 'zod';
import { LockstepError } from '../errors.js';
import { idSource, mintId } from './core/ids.js';
import { type Ctx, isoTime } from './core/ctx.js';
import type { Task } from './core/schema.js';

export type TaskMessage = Task['messages'][number];

/** Input field for message references (files, commits, links). */
export const refsField = z.array(z.string().min(1).max(1_000)).max(20);

/** The reply to a message, if any. A question is open while it has none. */
export function replyOf(task: Task, messageId: string): TaskMessage | undefined {
  return task.messages.find((m) => m.replyTo === messageId);
}

/** Questions and blockers with no reply, oldest first. */
export function unanswered(task: Task): TaskMessage[] {
  return task.messages.filter((m) => (m.kind === 'question' || m.kind === 'blocker') && !replyOf(task, m.id));
}

/**
 * Questions the task is waiting on: unanswered and asked by its current owner. A previous owner's
 * question (before a reset or claim expiry) stays in the history but blocks nobody.
 */
export function pendingQuestions(task: Task): TaskMessage[] {
  return unanswered(task).filter((m) => task.owner !== undefined && m.from === task.owner);
}

/** A message id unique within the task (`M-XXXX`). */
export function mintMessageId(task: Task, ctx: Ctx): string {
  return mintId(idSource(`${ctx.entropy}:message`), 'M', (id) => task.messages.some((m) => m.id === id));
}

/** Questions and blockers need the task in hand: in progress, or already blocked on another question. */
export function requireWorkingStatus(task: Task, what: string): void {
  if (task.status !== 'in_progress' && task.status !== 'blocked') {
    throw new LockstepError('INVALID_TRANSITION', `task ${task.id} is ${task.status}; only an in_progress or blocked task can ${what}`, {
      id: task.id,
      status: task.status,
    });
  }
}

export interface Asked {
  task: Task;
  message: TaskMessage;
  /** True when an earlier identical question was reused (a retry after a timeout, S12). */
  reused: boolean;
}

/**
 * `from` asks a question or raises a blocker on `task` (owner, live claim: checked by the caller).
 * An identical question of the caller that is still unanswered is reused, so a retry never makes a
 * duplicate. With `reuseAnswered`, the caller's latest question is reused even when answered (a
 * retry of task_ask whose reply came in between returns that reply instead of asking again).
 */
export function ask(task: Task, input: { content: string; kind: 'question' | 'blocker'; refs?: string[] }, ctx: Ctx, reuseAnswered: boolean): Asked {
  const mine = task.messages.filter((m) => m.from === ctx.actor && (m.kind === 'question' || m.kind === 'blocker'));
  const open = mine.find((m) => m.content === input.content && !replyOf(task, m.id));
  const latest = mine[mine.length - 1];
  const earlier = open ?? (reuseAnswered && latest?.content === input.content ? latest : undefined);
  if (earlier) return { task, message: earlier, reused: true };
  const message: TaskMessage = {
    id: mintMessageId(task, ctx),
    kind: input.kind,
    from: ctx.actor,
    at: isoTime(ctx.now),
    content: input.content,
    refs: input.refs ?? [],
  };
  return { task: { ...task, status: 'blocked', messages: [...task.messages, message], updatedAt: message.at }, message, reused: false };
}
