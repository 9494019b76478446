// Op discussion.archive: take a thread out of the default listing (planner or its creator). Idempotent.
import { z } from 'zod';
import { checkCanManage, discussionField, getDiscussion } from '../discussions.js';
import { paths } from '../core/layout.js';
import { defineOp } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import type { Discussion } from '../core/schema.js';

export const discussionArchive = defineOp({
  name: 'discussion.archive',
  input: z.object({ discussionId: discussionField.id }),
  run(state, input, ctx) {
    const d = getDiscussion(state, input.discussionId);
    checkCanManage(d, ctx, 'archive');
    // Archiving twice changes nothing, so it commits nothing.
    if (d.status === 'archived') return { changes: [], result: { discussion: d, changed: false } };
    const now = isoTime(ctx.now);
    const next: Discussion = { ...d, status: 'archived', waitingOn: undefined, archivedAt: now, updatedAt: now };
    return {
      changes: [{ path: paths.discussion(d.id), value: next }],
      result: { discussion: next, changed: true },
      event: { subject: d.id, entities: [d.id], data: { from: d.status } },
    };
  },
});
