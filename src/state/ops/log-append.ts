// Op log.append: an agent's structured log entry, kept in the state history (a log note), not a side file.
import { z } from 'zod';
import { idSource } from '../core/ids.js';
import { noteChange } from '../notes.js';
import { defineOp } from '../core/op.js';

export const logAppend = defineOp({
  name: 'log.append',
  input: z.object({
    event: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, 'expected an event name like build.finished').describe('e.g. build.finished'),
    payload: z
      .record(z.string(), z.unknown())
      .refine((p) => JSON.stringify(p).length <= 20_000, 'payload is larger than 20,000 characters of JSON; keep big output in an artifact')
      .optional()
      ,
  }),
  run(state, input, ctx) {
    const { note, change } = noteChange(state, ctx, idSource(ctx.entropy), { text: input.event, author: ctx.actor, kind: 'log', event: input.event, payload: input.payload });
    return { changes: [change], result: { note }, event: { subject: input.event, entities: [note.id], data: { event: input.event } } };
  },
});
