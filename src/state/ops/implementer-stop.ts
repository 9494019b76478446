// Op implementer.stop: the planner (or a person in the dashboard) stops one implementer: marked
// stopped, its leases released, its claimed tasks back to todo, in one commit. Its process is not
// touched; if it calls again it must coordination_init again.
import { z } from 'zod';
import { LockstepError } from '../../errors.js';
import { released } from '../claims.js';
import { paths } from '../core/layout.js';
import { defineOp, type Change } from '../core/op.js';
import { AgentName, type Agent } from '../core/schema.js';
import { idSource } from '../core/ids.js';
import { noteChange } from '../notes.js';
import { requirePlanner } from '../roles.js';

const input = z.object({
  name: AgentName,
  reason: z.string().trim().max(2_000).optional(),
});

export const implementerStop = defineOp({
  name: 'implementer.stop',
  input,
  run(state, input, ctx) {
    requirePlanner(ctx, 'stop an implementer');
    const agent = state.agents().items.find((a) => a.name === input.name);
    if (!agent) throw new LockstepError('AGENT_NOT_FOUND', `no agent named ${input.name}; implementer_list shows who is registered`, { name: input.name });
    const leases = state.leases().items.filter((l) => l.owner === agent.name).map((l) => l.id);
    const tasks = state.tasks().items.filter((t) => t.owner === agent.name && (t.status === 'in_progress' || t.status === 'blocked'));
    if (agent.status === 'stopped' && leases.length === 0 && tasks.length === 0) return { changes: [], result: { name: agent.name, stopped: false, releasedLeases: [], resetTasks: [] } };
    const changes: Change[] = [{ path: paths.agent(agent.name), value: { ...agent, status: 'stopped' } satisfies Agent }];
    for (const id of leases) changes.push({ path: paths.lease(id), value: null });
    for (const t of tasks) changes.push({ path: paths.task(t.id), value: released(t, ctx) });
    const why = input.reason ? `: ${input.reason}` : '';
    const text = `[SYSTEM] ${ctx.actor} stopped ${agent.name}${why}. Released ${leases.length} lease(s); ${tasks.map((t) => t.id).join(', ') || 'no task'} back to todo.`;
    changes.push(noteChange(state, ctx, idSource(ctx.entropy), { text, author: ctx.actor, kind: 'system' }).change);
    return {
      changes,
      result: { name: agent.name, stopped: true, releasedLeases: leases, resetTasks: tasks.map((t) => t.id) },
      event: { subject: agent.name, entities: [agent.name, ...tasks.map((t) => t.id)], data: { reason: input.reason, releasedLeases: leases.length || undefined } },
    };
  },
});
