// Op implementer.reset: the planner marks every active implementer stopped (they re-register with coordination_init).
import { z } from 'zod';
import { idSource } from '../core/ids.js';
import { paths } from '../core/layout.js';
import { noteChange } from '../notes.js';
import { defineOp, type Change } from '../core/op.js';
import type { Agent } from '../core/schema.js';
import { requirePlanner } from '../roles.js';

export const implementerReset = defineOp({
  name: 'implementer.reset',
  input: z.object({}),
  run(state, _input, ctx) {
    requirePlanner(ctx, 'reset implementers');
    const stopped = state.agents().items.filter((a) => a.role === 'implementer' && a.status === 'active');
    if (stopped.length === 0) return { changes: [], result: { resetCount: 0, names: [] as string[] } };
    const names = stopped.map((a) => a.name);
    const changes: Change[] = stopped.map((a) => ({ path: paths.agent(a.name), value: { ...a, status: 'stopped' } satisfies Agent }));
    const text = `[SYSTEM] Reset ${names.length} implementer(s): ${names.join(', ')}. Launch or restart implementers to continue.`;
    changes.push(noteChange(state, ctx, idSource(ctx.entropy), { text, author: ctx.actor, kind: 'system' }).change);
    return { changes, result: { resetCount: names.length, names }, event: { subject: names.join(' '), entities: names } };
  },
});
