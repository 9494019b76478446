// Op discussion.resolve: record the decision (planner or the thread's creator), with a note in the same commit.
import { z } from 'zod';
import { checkCanManage, checkOpen, clip, discussionField, getDiscussion } from '../discussions.js';
import { idSource } from '../core/ids.js';
import { paths } from '../core/layout.js';
import { noteChange } from '../notes.js';
import { defineOp } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import type { Discussion } from '../core/schema.js';
import { getTask } from '../tasks.js';

export const discussionResolve = defineOp({
  name: 'discussion.resolve',
  input: z.object({
    discussionId: discussionField.id,
    decision: z.string().trim().min(1).max(20_000),
    reasoning: z.string().trim().min(1).max(20_000),
    linkedTask: discussionField.linkedTask,
  }),
  run(state, input, ctx) {
    const d = getDiscussion(state, input.discussionId);
    checkCanManage(d, ctx, 'resolve');
    checkOpen(d, 'resolve');
    if (input.linkedTask) getTask(state, input.linkedTask);
    const now = isoTime(ctx.now);
    const next: Discussion = {
      ...d,
      status: 'resolved',
      waitingOn: undefined,
      decision: input.decision,
      reasoning: input.reasoning,
      decidedBy: ctx.actor,
      linkedTask: input.linkedTask ?? d.linkedTask,
      resolvedAt: now,
      updatedAt: now,
    };
    const note = noteChange(state, ctx, idSource(ctx.entropy), {
      text: `[DECISION] "${d.topic}" resolved: ${clip(input.decision, 4_000)} (by ${ctx.actor})`,
      author: ctx.actor,
      kind: 'system',
      task: next.linkedTask,
    });
    return {
      changes: [{ path: paths.discussion(d.id), value: next }, note.change],
      result: { discussion: next },
      event: { subject: d.id, entities: [d.id], data: { decision: clip(input.decision, 120) } },
    };
  },
});
