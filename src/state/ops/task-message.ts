// Op task.message: a non-blocking note, question or blocker on a task. Replies go only through
// task.reply (S17: there is no `reply` kind here, so nobody skips the ownership check with it).
import { z } from 'zod';
import { claimExpired, renewedClaim, requireLiveClaim } from '../claims.js';
import { LockstepError } from '../../errors.js';
import { field } from '../core/inputs.js';
import { paths } from '../core/layout.js';
import { ask, mintMessageId, refsField, requireWorkingStatus, type TaskMessage } from '../messages.js';
import { defineOp } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import type { Task } from '../core/schema.js';
import { isPlanner } from '../roles.js';
import { getTask } from '../tasks.js';

const input = z.object({
  task: field.taskId,
  content: field.text,
  kind: z.enum(['message', 'question', 'blocker']).default('message'),
  refs: refsField.optional(),
});

export interface TaskMessageResult {
  task: Task;
  message: TaskMessage;
  reused: boolean;
}

export const taskMessage = defineOp<typeof input, TaskMessageResult>({
  name: 'task.message',
  input,
  run(state, input, ctx) {
    const task = getTask(state, input.task);
    let next: Task;
    let message: TaskMessage;
    let reused = false;
    if (input.kind === 'question' || input.kind === 'blocker') {
      requireLiveClaim(task, ctx.actor, ctx.now);
      requireWorkingStatus(task, 'take a question');
      const asked = ask(task, { content: input.content, kind: input.kind, refs: input.refs }, ctx, false);
      next = renewedClaim(state, asked.task, ctx);
      message = asked.message;
      reused = asked.reused;
    } else {
      const owner = task.owner === ctx.actor;
      if (!owner && !isPlanner(ctx)) {
        throw new LockstepError('NOT_OWNER', `task ${task.id} is ${task.owner ? `owned by ${task.owner}` : 'not claimed'}; only its owner or a planner posts messages on it`, {
          id: task.id,
          owner: task.owner,
        });
      }
      message = { id: mintMessageId(task, ctx), kind: 'message', from: ctx.actor, at: isoTime(ctx.now), content: input.content, refs: input.refs ?? [] };
      next = { ...task, messages: [...task.messages, message], updatedAt: message.at };
      // The owner's activity keeps a live claim alive (an expired one is never revived).
      if (owner && !claimExpired(task, ctx.now)) next = renewedClaim(state, next, ctx);
    }
    if (next === task) return { changes: [], result: { task, message, reused } };
    const moved = next.status !== task.status ? ` -> ${next.status}` : '';
    return {
      changes: [{ path: paths.task(task.id), value: next }],
      result: { task: next, message, reused },
      event: {
        subject: `${task.id} ${message.kind} ${message.id}${moved}`,
        entities: task.issue ? [task.id, task.issue] : [task.id],
        data: { kind: message.kind, messageId: message.id, status: moved ? next.status : undefined },
      },
    };
  },
});
