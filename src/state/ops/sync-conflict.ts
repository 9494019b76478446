// Op sync.conflict: an op committed offline failed when it was re-run on the remote's tip. Recorded
// as a system note (who, what, why) on the state everyone shares, so nothing is dropped unseen.
import { z } from 'zod';
import { idSource } from '../core/ids.js';
import { defineOp } from '../core/op.js';
import { AgentName } from '../core/schema.js';
import { noteChange } from '../notes.js';

export const syncConflict = defineOp({
  name: 'sync.conflict',
  input: z.object({
    /** Whose op it was. */
    agent: AgentName,
    op: z.string().max(100),
    opId: z.string().max(64),
    /** The op's recorded input, as JSON text (cut to 2,000 characters). */
    input: z.string().max(2_000),
    error: z.object({ code: z.string().max(64), message: z.string().max(1_000) }),
    task: z.string().max(64).optional(),
  }),
  run(state, input, ctx) {
    const text = `${input.op} by ${input.agent}, made offline, failed on the remote's state: ${input.error.code}: ${input.error.message}`.slice(0, 2_000);
    const task = input.task && state.task(input.task) ? input.task : undefined;
    const payload = { agent: input.agent, op: input.op, opId: input.opId, input: input.input, error: input.error };
    const { note, change } = noteChange(state, ctx, idSource(ctx.entropy), { text, author: 'system', kind: 'system', event: 'sync.conflict', task, payload });
    return { changes: [change], result: { note }, event: { subject: `${input.op} by ${input.agent}: ${input.error.code}`, entities: task ? [note.id, input.agent, task] : [note.id, input.agent], data: { opId: input.opId, code: input.error.code } } };
  },
});
