// Task tools: create, read, list, update, claim, next, and the review workflow.
import { z } from 'zod';
import { claimExpired } from '../../state/claims.js';
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
import { reviewOutcome, type ReviewOutcome } from '../../state/review.js';
import { taskList, taskListInput } from '../../state/queries/task-list.js';
import { defineTool, EVERY_ROLE, pageFooter } from '../tool.js';
import { waitOptions } from '../wait.js';


export const taskCreateTool = defineTool({
  name: 'task_create',
  title: 'Create a task',
  description: 'Add a todo task (T-XXXX), optionally in an issue with a spec doc; dependsOn must be done first.',
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
  description: 'One task in full, with its open dependencies.',
  input: z.object({ id: field.taskId }),
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state, rc) => {
      const task = getTask(state, args.id);
      // The stored status stays until someone takes the task over; say that it is free already.
      return { task, waitingOn: openDependencies(state, task), ...(claimExpired(task, rc.now) ? { claimExpired: true } : {}) };
    });
    const t = r.task;
    return { structured: r, text: `${t.id} [${t.status}${t.owner ? ` by ${t.owner}` : ''}${r.claimExpired ? ', claim expired: free to claim' : ''}] ${t.title}` };
  },
});

export const taskListTool = defineTool({
  name: 'task_list',
  title: 'List tasks',
  description: 'Tasks oldest first, filtered and paged; done/canceled only when asked. Lists corrupt files.',
  input: taskListInput,
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state) => taskList(state, args));
    const lines = r.tasks.map((t) => `${t.id} [${t.status}${t.owner ? ` ${t.owner}` : ''}] ${t.title}`);
    const footer = pageFooter(r, r.tasks.length);
    return { structured: { ...r }, text: `${r.total} task(s)${r.hint ? ` (${r.hint})` : ''}\n${lines.join('\n')}${footer}` };
  },
});

export const taskUpdateTool = defineTool({
  name: 'task_update',
  title: 'Update a task',
  description: 'Edit your task (planner: any); moves in_progress -> blocked|todo|done (done: simple only).',
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
  description: 'Take a ready todo task; one agent wins a race.',
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
  description: 'Send your in_progress task to review with reviewNotes and/or artifacts; wait:true blocks for the verdict.',
  input: taskSubmitForReview.input.extend({
    wait: z.boolean().optional(),
    timeoutSec: field.timeoutSec.optional(),
  }),
  roles: ['implementer'],
  annotations: { idempotentHint: true },
  async handler(args, ctx) {
    const { wait, timeoutSec, ...submit } = args;
    const r = await ctx.app.run(taskSubmitForReview, submit, ctx.who);
    const id = r.task.id;
    const submitted = r.alreadySubmitted ? `${id} was already submitted.` : `${id} submitted for review.`;
    if (!wait) return { structured: { ...r }, text: `${submitted} ${r.instruction}` };
    const worker = r.task.owner ?? ctx.who.agent;
    const w = await ctx.app.waitUntil(
      () => ctx.app.read((state, rc) => reviewOutcome(state, id, worker, rc.now)),
      waitOptions(ctx, timeoutSec, `the review of ${id}`),
    );
    if (!w.value) {
      // A timeout is a result (S12): the submission stands, and the same call resumes the wait.
      const hint = 'call again with the same arguments to keep waiting';
      return { structured: { timedOut: true, cursor: w.cursor, hint, task: r.task, alreadySubmitted: r.alreadySubmitted }, text: `${submitted} Still in review: ${hint}.` };
    }
    const o = w.value;
    return { structured: { ...o, alreadySubmitted: r.alreadySubmitted }, text: `${submitted} ${outcomeText(id, o)}` };
  },
});

function outcomeText(id: string, o: ReviewOutcome): string {
  const score = o.score === undefined ? '' : ` (score ${o.score})`;
  if (o.verdict === 'changes_requested') return `Changes requested${score}: ${o.feedback ?? ''} Fix it and submit again.`;
  if (o.verdict === null) return `${id} left review without a verdict (now ${o.task.status}).`;
  const next = o.next?.type === 'claim_task' ? ` Next: task_claim ${o.next.task.id} (${o.next.task.title}), reserved for you until ${o.next.reservedUntil}.` : ' Take the next task with task_next.';
  return `Approved${score}.${next}`;
}

export const taskApproveTool = defineTool({
  name: 'task_approve',
  title: 'Approve a task',
  description: "Approve a task in review (done) with score/details; reserveNext reserves the worker's next task.",
  input: taskApprove.input,
  roles: ['planner'],
  annotations: {},
  async handler(args, ctx) {
    const r = await ctx.app.run(taskApprove, args, ctx.who);
    const next =
      r.next === undefined
        ? ''
        : r.next.type === 'claim_task'
          ? ` Reserved ${r.next.task.id} for ${r.task.owner} until ${r.next.reservedUntil} (tier ${r.tier}, ${r.workerPoints} points).`
          : ` No next task for ${r.task.owner} (end).`;
    return { structured: { ...r }, text: `${r.task.id} approved (done).${next}${r.allComplete ? ' ALL TASKS COMPLETE.' : ''}` };
  },
});

export const taskRequestChangesTool = defineTool({
  name: 'task_request_changes',
  title: 'Request changes',
  description: 'Send a task in review back to its owner with feedback (and score/details); frees its reservations.',
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
