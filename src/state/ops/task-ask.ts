// Op task.ask: the owner asks the planner a question (or raises a blocker); the task waits blocked.
// The task_ask tool then blocks until the reply; this op is the idempotent part a retry repeats (S12).
import { z } from 'zod';
import { renewedClaim, requireLiveClaim } from '../claims.js';
import { field } from '../core/inputs.js';
import { paths } from '../core/layout.js';
import { ask, refsField, replyOf, requireWorkingStatus, type TaskMessage } from '../messages.js';
import { defineOp } from '../core/op.js';
import type { Task } from '../core/schema.js';
import { getTask } from '../tasks.js';

const input = z.object({
  task: field.taskId,
  content: field.text,
  kind: z.enum(['question', 'blocker']).default('question'),
  refs: refsField.optional(),
});

export interface TaskAskResult {
  task: Task;
  question: TaskMessage;
  /** Set when the question was already answered (a retry after the reply came in). */
  reply?: TaskMessage;
  reused: boolean;
}

export const taskAsk = defineOp<typeof input, TaskAskResult>({
  name: 'task.ask',
  input,
  run(state, input, ctx) {
    const task = getTask(state, input.task);
    requireLiveClaim(task, ctx.actor, ctx.now);
    requireWorkingStatus(task, 'take a question');
    const asked = ask(task, input, ctx, true);
    // Asking (or waiting again) is activity: keep the claim lease alive while the planner answers.
    const next = renewedClaim(state, asked.task, ctx);
    const result: TaskAskResult = { task: next, question: asked.message, reply: replyOf(next, asked.message.id), reused: asked.reused };
    if (next === task) return { changes: [], result };
    return {
      changes: [{ path: paths.task(task.id), value: next }],
      result,
      event: {
        subject: `${task.id} ${asked.message.kind} ${asked.message.id}${asked.reused ? ' (lease renewed)' : ''}`,
        entities: task.issue ? [task.id, task.issue] : [task.id],
        data: { kind: asked.message.kind, messageId: asked.message.id, status: next.status },
      },
    };
  },
});
