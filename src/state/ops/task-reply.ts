// Op task.reply: a planner answers a question or blocker; the task resumes when nothing is left open.
import { z } from 'zod';
import { claimExpired, renewedClaim } from '../claims.js';
import { LockstepError } from '../../errors.js';
import { field } from '../core/inputs.js';
import { paths } from '../core/layout.js';
import { mintMessageId, pendingQuestions, refsField, replyOf, unanswered, type TaskMessage } from '../messages.js';
import { defineOp } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import { MessageId, type Task } from '../core/schema.js';
import { requirePlanner } from '../roles.js';
import { getTask } from '../tasks.js';

const input = z.object({
  task: field.taskId,
  content: field.text,
  messageId: MessageId.optional(),
  refs: refsField.optional(),
});

export interface TaskReplyResult {
  task: Task;
  question: TaskMessage;
  reply: TaskMessage;
}

/** The question to answer: the one named, else the oldest the owner waits on, else the oldest open one. */
function target(task: Task, messageId: string | undefined): TaskMessage {
  if (messageId === undefined) {
    const open = pendingQuestions(task)[0] ?? unanswered(task)[0];
    if (!open) throw new LockstepError('MESSAGE_NOT_FOUND', `task ${task.id} has no open question or blocker to reply to`, { id: task.id });
    return open;
  }
  const m = task.messages.find((x) => x.id === messageId);
  if (!m || (m.kind !== 'question' && m.kind !== 'blocker')) {
    throw new LockstepError('MESSAGE_NOT_FOUND', `task ${task.id} has no question or blocker ${messageId}; task_get lists its messages`, { id: task.id, messageId });
  }
  const reply = replyOf(task, m.id);
  if (reply) {
    throw new LockstepError('MESSAGE_ALREADY_REPLIED', `${m.id} on ${task.id} was already answered by ${reply.from} at ${reply.at}`, {
      id: task.id,
      messageId: m.id,
      replyId: reply.id,
    });
  }
  return m;
}

export const taskReply = defineOp<typeof input, TaskReplyResult>({
  name: 'task.reply',
  input,
  run(state, input, ctx) {
    requirePlanner(ctx, 'reply to task questions');
    const task = getTask(state, input.task);
    const question = target(task, input.messageId);
    const reply: TaskMessage = {
      id: mintMessageId(task, ctx),
      kind: 'reply',
      from: ctx.actor,
      at: isoTime(ctx.now),
      content: input.content,
      replyTo: question.id,
      refs: input.refs ?? [],
    };
    // The answered question's signal hold has done its job.
    const messages = task.messages.map((m) => {
      if (m.id !== question.id) return m;
      const { hold: _hold, ...rest } = m;
      return rest;
    });
    let next: Task = { ...task, messages: [...messages, reply], updatedAt: reply.at };
    if (next.status === 'blocked' && pendingQuestions(next).length === 0) {
      next.status = 'in_progress';
      // Time spent waiting for the planner does not count against a live claim.
      if (!claimExpired(task, ctx.now)) next = renewedClaim(state, next, ctx);
    }
    const moved = next.status !== task.status ? ` -> ${next.status}` : '';
    return {
      changes: [{ path: paths.task(task.id), value: next }],
      result: { task: next, question: messages.find((m) => m.id === question.id)!, reply },
      event: {
        subject: `${task.id} reply ${question.id}${moved}`,
        entities: task.issue ? [task.id, task.issue] : [task.id],
        data: { messageId: reply.id, replyTo: question.id, status: moved ? next.status : undefined },
      },
    };
  },
});
