// Op note.append: a shared note, append-only (notes/<day>/<id>.yaml).
import { z } from 'zod';
import { idSource } from '../core/ids.js';
import { field, sameAgent } from '../core/inputs.js';
import { noteChange } from '../notes.js';
import { defineOp } from '../core/op.js';
import { AgentName } from '../core/schema.js';
import { getTask } from '../tasks.js';

export const noteAppend = defineOp({
  name: 'note.append',
  input: z.object({
    text: field.text,
    author: AgentName.optional(),
    task: field.taskId.optional(),
  }),
  run(state, input, ctx) {
    const author = sameAgent(input.author, ctx.actor, 'author');
    if (input.task) getTask(state, input.task);
    const { note, change } = noteChange(state, ctx, idSource(ctx.entropy), { text: input.text, author, task: input.task });
    return {
      changes: [change],
      result: { note },
      event: { subject: note.id, entities: input.task ? [note.id, input.task] : [note.id] },
    };
  },
});
