// Op discussion.start: a new thread with its first message, announced by a note in the same commit.
import { z } from 'zod';
import { DiscussionCategory, DiscussionPriority, clip, discussionField } from '../discussions.js';
import { idSource, mintId } from '../core/ids.js';
import { sameAgent } from '../core/inputs.js';
import { paths } from '../core/layout.js';
import { noteChange } from '../notes.js';
import { defineOp } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import { AgentName, type Discussion } from '../core/schema.js';
import { getTask } from '../tasks.js';

export const discussionStart = defineOp({
  name: 'discussion.start',
  input: z.object({
    topic: z.string().trim().min(1).max(500),
    message: discussionField.message,
    category: DiscussionCategory.default('other'),
    priority: DiscussionPriority.default('medium'),
    waitingOn: discussionField.waitingOn,
    linkedTask: discussionField.linkedTask,
    author: AgentName.optional(),
  }),
  run(state, input, ctx) {
    const author = sameAgent(input.author, ctx.actor, 'author');
    if (input.linkedTask) getTask(state, input.linkedTask);
    // One generator for every id of this op, so the discussion, message and note ids never repeat a draw.
    const rng = idSource(ctx.entropy);
    const id = mintId(rng, 'D', (candidate) => state.exists(paths.discussion(candidate)));
    const messageId = mintId(rng, 'M', () => false);
    const now = isoTime(ctx.now);
    const discussion: Discussion = {
      id,
      topic: input.topic,
      category: input.category,
      priority: input.priority,
      status: input.waitingOn ? 'waiting' : 'open',
      createdBy: author,
      waitingOn: input.waitingOn,
      linkedTask: input.linkedTask,
      messages: [{ id: messageId, author, message: input.message, at: now }],
      createdAt: now,
      updatedAt: now,
    };
    const waiting = input.waitingOn ? ` from ${input.waitingOn}` : '';
    const note = noteChange(state, ctx, rng, {
      text: `[DISCUSSION] New thread: "${input.topic}" (${id}) - ${author} is waiting for input${waiting}`,
      author,
      kind: 'system',
      task: input.linkedTask,
    });
    const instruction = input.waitingOn
      ? `${input.waitingOn} will see ${id} in discussion_inbox. Check discussion_get(${id}) later for the answer.`
      : `${id} is open for anyone to reply. Pass waitingOn to ask someone in particular.`;
    return {
      changes: [{ path: paths.discussion(id), value: discussion }, note.change],
      result: { discussion, instruction },
      event: {
        subject: id,
        entities: input.linkedTask ? [id, input.linkedTask] : [id],
        data: { topic: clip(input.topic, 120), priority: input.priority, waitingOn: input.waitingOn },
      },
    };
  },
});
