// Task Q&A and claim-lease tools: task_ask (blocking), task_message, task_reply, task_extend_lease,
// task_reset, task_wait.
import { requireLiveClaim } from '../../state/claims.js';
import { field } from '../../state/inputs.js';
import { replyOf } from '../../state/messages.js';
import { taskAsk } from '../../state/ops/task-ask.js';
import { getTask } from '../../state/ops/task-claim.js';
import { taskExtendLease } from '../../state/ops/task-extend-lease.js';
import { taskMessage } from '../../state/ops/task-message.js';
import { taskReply } from '../../state/ops/task-reply.js';
import { taskReset } from '../../state/ops/task-reset.js';
import { taskWaitInput, waitableTasks } from '../../state/queries/task-wait.js';
import { defineTool } from '../tool.js';
import { waitOptions } from '../wait.js';

export const taskAskTool = defineTool({
  name: 'task_ask',
  title: 'Ask the planner',
  description: 'Ask about your task and wait for task_reply (task blocked meanwhile). timedOut: ask again, same content.',
  input: taskAsk.input.extend({ timeoutSec: field.timeoutSec.optional() }),
  roles: ['implementer'],
  annotations: { idempotentHint: true },
  async handler(args, ctx) {
    const { timeoutSec, ...input } = args;
    const asked = await ctx.app.run(taskAsk, input, ctx.who);
    const id = asked.question.id;
    const r = await ctx.app.waitUntil(
      () =>
        ctx.app.read((state, rc) => {
          const task = getTask(state, input.task);
          const reply = replyOf(task, id);
          if (reply) return { reply, task };
          // Reset or expired while waiting: no reply will ever unblock this claim.
          requireLiveClaim(task, ctx.who.agent, rc.now);
          return undefined;
        }),
      waitOptions(ctx, timeoutSec, `a reply to ${id}`),
    );
    if (!r.value) {
      const hint = 'call task_ask again with the same content to keep waiting';
      return { structured: { answered: false, timedOut: true, messageId: id, cursor: r.cursor, hint }, text: `No reply to ${id} yet; ${hint}.` };
    }
    const { reply, task } = r.value;
    return {
      structured: { answered: true, question: asked.question, reply, status: task.status },
      text: `${reply.from} replied to ${id} [${task.id} ${task.status}]:\n${reply.content}`,
    };
  },
});

export const taskMessageTool = defineTool({
  name: 'task_message',
  title: 'Post on a task',
  description: 'Post on your task, no wait; question/blocker blocks it until task_reply.',
  input: taskMessage.input,
  roles: ['implementer'],
  annotations: {},
  async handler(args, ctx) {
    const r = await ctx.app.run(taskMessage, args, ctx.who);
    return { structured: { ...r }, text: `${r.message.kind} ${r.message.id} on ${r.task.id} [${r.task.status}]${r.reused ? ' (already asked)' : ''}` };
  },
});

export const taskReplyTool = defineTool({
  name: 'task_reply',
  title: 'Reply to a question',
  description: 'Answer a question or blocker (default the oldest open); the task resumes when none is left.',
  input: taskReply.input,
  roles: ['planner'],
  annotations: {},
  async handler(args, ctx) {
    const r = await ctx.app.run(taskReply, args, ctx.who);
    return { structured: { ...r }, text: `Replied to ${r.question.id} on ${r.task.id} [${r.task.status}]` };
  },
});

export const taskExtendLeaseTool = defineTool({
  name: 'task_extend_lease',
  title: 'Extend your task lease',
  description: 'Keep your claim on an issue task for longer (never shortens; an expired claim must be claimed again).',
  input: taskExtendLease.input,
  roles: ['implementer'],
  annotations: { idempotentHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.run(taskExtendLease, args, ctx.who);
    return { structured: { ...r }, text: `${r.task.id} claimed until ${r.expiresAt}` };
  },
});

export const taskResetTool = defineTool({
  name: 'task_reset',
  title: 'Reset a task',
  description: 'Back to a clean todo: frees its leases and extra docs (spec kept).',
  input: taskReset.input,
  roles: ['planner'],
  annotations: { destructiveHint: true, idempotentHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.run(taskReset, args, ctx.who);
    const freed = r.releasedLeases.length ? `, ${r.releasedLeases.length} lease(s) released` : '';
    return { structured: { ...r }, text: r.changed ? `${r.task.id} reset to todo${freed}` : `${r.task.id} was already a clean todo` };
  },
});

export const taskWaitTool = defineTool({
  name: 'task_wait',
  title: 'Wait for tasks',
  description: 'Tasks you can claim now (or of status); waits until one exists. timedOut: call again.',
  input: taskWaitInput.extend({ timeoutSec: field.timeoutSec.optional() }),
  roles: ['implementer'],
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const { timeoutSec, ...input } = args;
    const r = await ctx.app.waitUntil(
      () =>
        ctx.app.read((state, rc) => {
          const rows = waitableTasks(state, ctx.who.agent, rc.now, input);
          return rows.length ? rows : undefined;
        }),
      waitOptions(ctx, timeoutSec, 'tasks'),
    );
    const tasks = r.value ?? [];
    const text = r.timedOut ? `No matching tasks yet; call task_wait again (cursor ${r.cursor})` : tasks.map((t) => `${t.id} [${t.status}] ${t.title}`).join('\n');
    return { structured: { tasks, timedOut: r.timedOut, cursor: r.cursor }, text };
  },
});

export const taskQaTools = [taskAskTool, taskMessageTool, taskReplyTool, taskExtendLeaseTool, taskResetTool, taskWaitTool];
