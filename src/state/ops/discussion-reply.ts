// Op discussion.reply: add a message to an open thread and say who should answer next.
import { z } from 'zod';
import { checkOpen, discussionField, getDiscussion } from '../discussions.js';
import { idSource, mintId } from '../core/ids.js';
import { paths } from '../core/layout.js';
import { defineOp } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import type { Discussion } from '../core/schema.js';

export const discussionReply = defineOp({
  name: 'discussion.reply',
  input: z.object({
    discussionId: discussionField.id,
    message: discussionField.message,
    recommendation: z.string().trim().min(1).max(20_000).optional(),
    waitingOn: discussionField.waitingOn,
  }),
  run(state, input, ctx) {
    const d = getDiscussion(state, input.discussionId);
    checkOpen(d, 'reply to');
    const taken = new Set(d.messages.map((m) => m.id));
    const messageId = mintId(idSource(ctx.entropy), 'M', (candidate) => taken.has(candidate));
    const now = isoTime(ctx.now);
    const message = { id: messageId, author: ctx.actor, message: input.message, recommendation: input.recommendation, at: now };
    // waitingOn is cleared when omitted: the reply answers whoever the thread was waiting on.
    const next: Discussion = {
      ...d,
      status: input.waitingOn ? 'waiting' : 'open',
      waitingOn: input.waitingOn,
      messages: [...d.messages, message],
      updatedAt: now,
    };
    return {
      changes: [{ path: paths.discussion(d.id), value: next }],
      result: { discussion: next, message },
      event: { subject: d.id, entities: [d.id], data: { waitingOn: input.waitingOn } },
    };
  },
});
