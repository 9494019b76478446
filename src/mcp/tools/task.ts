// Task tools: create, read, list, update, claim and the review workflow; Q&A on a task; its claim lease.
import type { ResultOf } from '../../app/use-case.js';
import { useCases } from '../../app/use-cases.js';
import { EVERY_ROLE, pageFooter, tool } from '../tool.js';

type Submitted = ResultOf<typeof useCases.taskSubmitForReview>;

function submitText(r: Submitted): string {
  const id = r.task.id;
  const submitted = r.alreadySubmitted ? `${id} was already submitted.` : `${id} submitted for review.`;
  if (r.timedOut) return `${submitted} Still in review: ${r.hint}.`;
  if (!('verdict' in r) || r.verdict === undefined) return `${submitted} ${(r as { instruction: string }).instruction}`;
  const score = r.score === undefined ? '' : ` (score ${r.score})`;
  if (r.verdict === 'changes_requested') return `${submitted} Changes requested${score}: ${r.feedback ?? ''} Fix it and submit again.`;
  if (r.verdict === null) return `${submitted} ${id} left review without a verdict (now ${r.task.status}).`;
  const next = r.next?.type === 'claim_task' ? ` Next: task_claim ${r.next.task.id} (${r.next.task.title}), reserved for you until ${r.next.reservedUntil}.` : ' Take the next task with task_next.';
  return `${submitted} Approved${score}.${next}`;
}

export const taskTools = [
  tool(useCases.taskCreate, {
    title: 'Create a task',
    description: 'A todo task (T-XXXX), maybe in an issue with a spec doc; dependsOn tasks come first.',
    roles: ['planner'],
    text: ({ task }) => `Created ${task.id} (${task.complexity}): ${task.title}`,
  }),
  tool(useCases.taskGet, {
    title: 'Read a task',
    description: 'One task in full, with its open dependencies.',
    roles: EVERY_ROLE,
    annotations: { readOnlyHint: true },
    text: ({ task: t, claimExpired }) => `${t.id} [${t.status}${t.owner ? ` by ${t.owner}` : ''}${claimExpired ? ', claim expired: free to claim' : ''}] ${t.title}`,
  }),
  tool(useCases.taskList, {
    title: 'List tasks',
    description: 'Tasks oldest first, filtered and paged; done/canceled only when asked.',
    roles: EVERY_ROLE,
    annotations: { readOnlyHint: true },
    text: (r) =>
      `${r.total} task(s)${r.hint ? ` (${r.hint})` : ''}\n${r.tasks.map((t) => `${t.id} [${t.status}${t.owner ? ` ${t.owner}` : ''}] ${t.title}`).join('\n')}${pageFooter(r, r.tasks.length)}` +
      (r.oversized.length ? `\nOVERSIZED (listed as a summary, too big to send): ${r.oversized.join(', ')}` : ''),
  }),
  tool(useCases.taskSummary, {
    title: 'Task summary',
    description: 'Counts by status, percent done, project status, and a hint.',
    roles: EVERY_ROLE,
    annotations: { readOnlyHint: true },
    text: (r) => {
      const s = r.summary;
      return `${r.completionPercent}% done (${s.done}/${s.total - s.canceled}); ${s.todo} todo, ${s.in_progress} in progress, ${s.review} review, ${s.blocked} blocked. ${r.hint}`;
    },
  }),
  tool(useCases.taskUpdate, {
    title: 'Update a task',
    description: 'Edit your task (planner: any); moves in_progress -> blocked|todo|done (done: simple only).',
    roles: ['planner', 'implementer'],
    annotations: { idempotentHint: true },
    text: (r) => (r.changed ? `${r.task.id} updated [${r.task.status}]` : `${r.task.id} unchanged`),
  }),
  tool(useCases.taskClaim, {
    title: 'Claim a task',
    description: 'Take a ready todo task; one agent wins a race.',
    roles: ['implementer'],
    text: (r) => `Claimed ${r.task.id}: ${r.task.title}\n${r.instruction}`,
  }),
  tool(useCases.taskNext, {
    title: 'Claim the next task',
    description: 'Claim the best ready task atomically. claimed:false + hint if none: events_wait, retry.',
    roles: ['implementer'],
    text: (r) => (r.task ? `Claimed ${r.task.id}: ${r.task.title}\n${r.instruction}` : r.hint!),
  }),
  tool(useCases.taskSubmitForReview, {
    title: 'Submit for review',
    description: 'Send your in_progress task to review with reviewNotes and/or artifacts; wait:true blocks for the verdict.',
    roles: ['implementer'],
    annotations: { idempotentHint: true },
    text: submitText,
  }),
  tool(useCases.taskApprove, {
    title: 'Approve a task',
    description: "Approve a task in review (done) with score/details; reserveNext reserves the worker's next task.",
    roles: ['planner'],
    text: (r, input) => {
      const next =
        r.next === undefined || (r.next.type === 'end' && !input.reserveNext)
          ? ''
          : r.next.type === 'claim_task'
            ? ` Reserved ${r.next.task.id} for ${r.task.owner} until ${r.next.reservedUntil} (tier ${r.tier}, ${r.workerPoints} points).`
            : ` No next task for ${r.task.owner} (end).`;
      return `${r.task.id} approved (done).${next}${r.allComplete ? ' ALL TASKS COMPLETE.' : ''}`;
    },
  }),
  tool(useCases.taskRequestChanges, {
    title: 'Request changes',
    description: 'Send a task in review back to its owner with feedback; frees its reservations.',
    roles: ['planner'],
    text: (r) => `${r.task.id} sent back: ${r.instruction}`,
  }),
  tool(useCases.taskApproveBatch, {
    title: 'Approve many tasks',
    description: 'Approve several tasks in one commit; failures are listed per id, the rest go through.',
    roles: ['planner'],
    text: (r) => {
      const failed = r.results.filter((x) => !x.approved).map((x) => `${x.id}: ${x.error?.code}`);
      return `Approved ${r.approved} of ${r.total}.${failed.length ? ` Failed: ${failed.join(', ')}` : ''}${r.allComplete ? ' ALL TASKS COMPLETE.' : ''}`;
    },
  }),
  tool(useCases.taskAsk, {
    title: 'Ask the planner',
    description: 'Ask about your task and wait for task_reply (task blocked meanwhile). timedOut: ask again, same content.',
    roles: ['implementer'],
    annotations: { idempotentHint: true },
    text: (r, input) => (r.answered ? `${r.reply.from} replied to ${r.question.id} [${input.task} ${r.status}]:\n${r.reply.content}` : `No reply to ${r.messageId} yet; ${r.hint}.`),
  }),
  tool(useCases.taskMessage, {
    title: 'Post on a task',
    description: 'Post on your task, no wait; question/blocker blocks it until task_reply.',
    roles: ['implementer'],
    text: (r) => `${r.message.kind} ${r.message.id} on ${r.task.id} [${r.task.status}]${r.reused ? ' (already asked)' : ''}`,
  }),
  tool(useCases.taskReply, {
    title: 'Reply to a question',
    description: 'Answer a question or blocker (default the oldest open); the task resumes when none is left.',
    roles: ['planner'],
    text: (r) => `Replied to ${r.question.id} on ${r.task.id} [${r.task.status}]`,
  }),
  tool(useCases.taskExtendLease, {
    title: 'Extend your task lease',
    description: 'Keep your claim on an issue task for longer (never shortens; an expired claim must be claimed again).',
    roles: ['implementer'],
    annotations: { idempotentHint: true },
    text: (r) => `${r.task.id} claimed until ${r.expiresAt}`,
  }),
  tool(useCases.taskReset, {
    title: 'Reset a task',
    description: 'Back to a clean todo: frees its leases and extra docs (spec kept).',
    roles: ['planner'],
    annotations: { destructiveHint: true, idempotentHint: true },
    text: (r) => (r.changed ? `${r.task.id} reset to todo${r.releasedLeases.length ? `, ${r.releasedLeases.length} lease(s) released` : ''}` : `${r.task.id} was already a clean todo`),
  }),
  tool(useCases.taskWait, {
    title: 'Wait for tasks',
    description: 'Tasks you can claim now (or of status); waits until one exists. timedOut: call again.',
    roles: ['implementer'],
    annotations: { readOnlyHint: true },
    text: (r) => (r.timedOut ? `No matching tasks yet; call task_wait again (cursor ${r.cursor})` : r.tasks.map((t) => `${t.id} [${t.status}] ${t.title}`).join('\n')),
  }),
];
