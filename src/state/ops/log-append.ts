// Op log.append: an agent's structured log entry, kept in the state history (a log note), not a side file.
import { z } from 'zod';
import { idSource } from '../core/ids.js';
import { noteChange } from '../notes.js';
import { defineOp } from '../core/op.js';
import { jsonRecord } from '../core/inputs.js';
import { checkStoredSize, PAYLOAD_MAX_BYTES } from '../core/limits.js';

export const logAppend = defineOp({
  name: 'log.append',
  input: z.object({
    event: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, 'expected an event name like build.finished').describe('e.g. build.finished'),
    payload: jsonRecord().optional(),
  }),
  run(state, input, ctx) {
    checkStoredSize('payload', input.payload, PAYLOAD_MAX_BYTES);
    const { note, change } = noteChange(state, ctx, idSource(ctx.entropy), { text: input.event, author: ctx.actor, kind: 'log', event: input.event, payload: input.payload });
    return { changes: [change], result: { note }, event: { subject: input.event, entities: [note.id], data: { event: input.event } } };
  },
});
