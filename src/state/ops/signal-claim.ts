// Op signal.claim: a planner takes the next unhandled signal (question, blocker, submission) with a
// hold stored in the state: another planner gets it only after the hold expires (S19), and the same
// planner gets it back after a restart.
import { z } from 'zod';
import { paths } from '../core/layout.js';
import { defineOp } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import { IssueId, type Task } from '../core/schema.js';
import { pickSignal, signalCandidates, signalOf, submittedAt, type Signal } from '../signals.js';
import { requirePlanner } from '../roles.js';

const input = z.object({ issue: IssueId.optional().describe('Only signals of this issue') });

export interface SignalClaimResult {
  signal?: Signal;
}

export const signalClaim = defineOp<typeof input, SignalClaimResult>({
  name: 'signal.claim',
  input,
  run(state, input, ctx) {
    requirePlanner(ctx, 'take signals');
    const c = pickSignal(signalCandidates(state), ctx.actor, ctx.now, input.issue);
    if (!c) return { changes: [], result: {} };
    const task = state.task(c.task)!;
    const hold = { by: ctx.actor, until: isoTime(ctx.now + state.meta().settings.signalClaimSec * 1000) };
    let next: Task;
    if (c.type === 'submission') {
      // A task sent to review by an older Lockstep may have no submission record: make one to hold.
      const submission = task.submission ?? { at: submittedAt(task), by: task.owner ?? task.createdBy, changedFiles: [], testCases: [], links: [] };
      next = { ...task, submission: { ...submission, hold } };
    } else {
      next = { ...task, messages: task.messages.map((m) => (m.id === c.messageId ? { ...m, hold } : m)) };
    }
    const what = `${c.type}${c.messageId ? ` ${c.messageId}` : ''}`;
    return {
      changes: [{ path: paths.task(task.id), value: next }],
      result: { signal: signalOf(next, c, hold.until) },
      event: { subject: `${task.id} ${what} held`, entities: task.issue ? [task.id, task.issue] : [task.id], data: { type: c.type, messageId: c.messageId, until: hold.until } },
    };
  },
});
