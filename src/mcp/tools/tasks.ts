// Task tools: create, read, list, update, claim, next, and the review workflow.
import { z } from 'zod';
import { field } from '../../state/inputs.js';
import { getTask, openDependencies, taskClaim } from '../../state/ops/task-claim.js';
import { taskCreate } from '../../state/ops/task-create.js';
import { taskUpdate } from '../../state/ops/task-update.js';
import { taskApprove } from '../../state/ops/task-approve.js';
import { taskApproveBatch } from '../../state/ops/task-approve-batch.js';
import { taskNext } from '../../state/ops/task-next.js';
import { taskRequestChanges } from '../../state/ops/task-request-changes.js';
import { taskSubmitForReview } from '../../state/ops/task-submit-for-review.js';
import { taskSummary } from '../../state/queries/task-summary.js';
import { taskList, taskListInput } from '../../state/queries/task-list.js';
import { defineTool, EVERY_ROLE } from '../tool.js';


export const taskCreateTool = defineTool({
  name: 'task_create',
  title: 'Create a task',
  description: 'Add a todo task (T-XXXX). dependsOn tasks must be done before it can be claimed.',
  input: taskCreate.input,
  roles: ['planner'],
  annotations: {},
  async handler(args, ctx) {
    const { task } = await ctx.app.run(taskCreate, args, ctx.who);
    return { structured: { task }, text: `Created ${task.id} (${task.complexity}): ${task.title}` };
  },
});

export const taskGet = defineTool({
  name: 'task_get',
  title: 'Read a task',
  description: 'One task in full, with its open dependencies. Errors: TASK_NOT_FOUND.',
  input: z.object({ id: field.taskId }),
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state) => {
      const task = getTask(state, args.id);
      return { task, waitingOn: openDependencies(state, task) };
    });
    const t = r.task;
    return { structured: r, text: `${t.id} [${t.status}${t.owner ? ` by ${t.owner}` : ''}] ${t.title}` };
  },
});

export const taskListTool = defineTool({
  name: 'task_list',
  title: 'List tasks',
  description: 'Tasks oldest first; filters, paging. Done/canceled hidden unless status or includeDone asks. Lists corrupt task files.',
  input: taskListInput,
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state) => taskList(state, args));
    const lines = r.tasks.map((t) => `${t.id} [${t.status}${t.owner ? ` ${t.owner}` : ''}] ${t.title}`);
    const more = r.hasMore ? `\n... ${r.total - r.offset - r.tasks.length} more (offset ${r.offset + r.tasks.length})` : '';
    const corrupt = r.corrupt.length ? `\nCORRUPT: ${r.corrupt.map((c) => c.path).join(', ')}` : '';
    return { structured: { ...r }, text: `${r.total} task(s)${r.hint ? ` (${r.hint})` : ''}\n${lines.join('\n')}${more}${corrupt}` };
  },
});

export const taskUpdateTool = defineTool({
  name: 'task_update',
  title: 'Update a task',
  description: 'Edit your task (planner: any); moves: in_progress -> blocked|todo|done (done: simple only; else submit for review). Errors: NOT_OWNER, INVALID_TRANSITION.',
  input: taskUpdate.input,
  roles: ['planner', 'implementer'],
  annotations: { idempotentHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.run(taskUpdate, args, ctx.who);
    return { structured: r, text: r.changed ? `${r.task.id} updated [${r.task.status}]` : `${r.task.id} unchanged` };
  },
});

export const taskClaimTool = defineTool({
  name: 'task_claim',
  title: 'Claim a task',
  description: 'Take a ready todo task; one agent wins a race. Errors: TASK_NOT_CLAIMABLE, TASK_NOT_FOUND.',
  input: taskClaim.input,
  roles: ['implementer'],
  annotations: {},
  async handler(args, ctx) {
    const r = await ctx.app.run(taskClaim, args, ctx.who);
    return { structured: r, text: `Claimed ${r.task.id}: ${r.task.title}\n${r.instruction}` };
  },
});

export const taskNextTool = defineTool({
  name: 'task_next',
  title: 'Claim the next task',
  description: 'Claim the best ready task atomically. claimed:false + hint if none: events_wait, retry.',
  input: taskNext.input,
  roles: ['implementer'],
  annotations: {},
  async handler(args, ctx) {
    const r = await ctx.app.run(taskNext, args, ctx.who);
    return { structured: { ...r }, text: r.task ? `Claimed ${r.task.id}: ${r.task.title}\n${r.instruction}` : r.hint! };
  },
});

export const taskSubmitForReviewTool = defineTool({
  name: 'task_submit_for_review',
  title: 'Submit for review',
  description: 'Send your in_progress task to review with notes. Errors: NOT_OWNER, INVALID_TRANSITION.',
  input: taskSubmitForReview.input,
  roles: ['implementer'],
  annotations: {},
  async handler(args, ctx) {
    const r = await ctx.app.run(taskSubmitForReview, args, ctx.who);
    return { structured: r, text: `${r.task.id} submitted for review. ${r.instruction}` };
  },
});

export const taskApproveTool = defineTool({
  name: 'task_approve',
  title: 'Approve a task',
  description: 'Approve a task in review (done). The last leaves ALL TASKS COMPLETE. Errors: INVALID_TRANSITION.',
  input: taskApprove.input,
  roles: ['planner'],
  annotations: {},
  async handler(args, ctx) {
    const r = await ctx.app.run(taskApprove, args, ctx.who);
    return { structured: r, text: `${r.task.id} approved (done).${r.allComplete ? ' ALL TASKS COMPLETE.' : ''}` };
  },
});

export const taskRequestChangesTool = defineTool({
  name: 'task_request_changes',
  title: 'Request changes',
  description: 'Send a task in review back to its owner with feedback. Errors: INVALID_TRANSITION.',
  input: taskRequestChanges.input,
  roles: ['planner'],
  annotations: {},
  async handler(args, ctx) {
    const r = await ctx.app.run(taskRequestChanges, args, ctx.who);
    return { structured: r, text: `${r.task.id} sent back: ${r.instruction}` };
  },
});

export const taskApproveBatchTool = defineTool({
  name: 'task_approve_batch',
  title: 'Approve many tasks',
  description: 'Approve several tasks in one commit; failures are listed per id, the rest go through.',
  input: taskApproveBatch.input,
  roles: ['planner'],
  annotations: {},
  async handler(args, ctx) {
    const r = await ctx.app.run(taskApproveBatch, args, ctx.who);
    const failed = r.results.filter((x) => !x.approved).map((x) => `${x.id}: ${x.error?.code}`);
    return { structured: r, text: `Approved ${r.approved} of ${r.total}.${failed.length ? ` Failed: ${failed.join(', ')}` : ''}${r.allComplete ? ' ALL TASKS COMPLETE.' : ''}` };
  },
});

export const taskSummaryTool = defineTool({
  name: 'task_summary',
  title: 'Task summary',
  description: 'Counts by status, percent done, project status, and a hint.',
  input: z.object({}),
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(_args, ctx) {
    const r = await ctx.app.read((state) => taskSummary(state));
    const s = r.summary;
    return { structured: r, text: `${r.completionPercent}% done (${s.done}/${s.total - s.canceled}); ${s.todo} todo, ${s.in_progress} in progress, ${s.review} review, ${s.blocked} blocked. ${r.hint}` };
  },
});

export const taskTools = [
  taskCreateTool,
  taskGet,
  taskListTool,
  taskSummaryTool,
  taskUpdateTool,
  taskClaimTool,
  taskNextTool,
  taskSubmitForReviewTool,
  taskApproveTool,
  taskRequestChangesTool,
  taskApproveBatchTool,
];
