// Query implementer_list: registered implementers with what they are doing and whether they look alive.
import { z } from 'zod';
import type { Agent } from '../core/schema.js';
import type { State } from '../core/state.js';

export const implementerListInput = z.object({
  includeStopped: z.boolean().default(true),
});

/** An agent that has not changed the state for this long is reported idle. */
export const IDLE_AFTER_MS = 15 * 60_000;

/** What the adapter knows about a process: alive, dead, or unknown (another host, no pid). */
export type ProcessProbe = (agent: Agent) => boolean | undefined;

export function implementerList(state: State, input: z.output<typeof implementerListInput>, now: number, probe: ProcessProbe) {
  const tasks = state.tasks().items;
  const implementers = state.agents().items
    .filter((a) => a.role === 'implementer' && (input.includeStopped || a.status === 'active'))
    .map((a) => {
      const idleMs = Math.max(0, now - Date.parse(a.lastSeen));
      const running = probe(a);
      // A live process is the best evidence; without one, recent activity in the state is.
      const live = a.status === 'active' && (running ?? idleMs < IDLE_AFTER_MS);
      const mine = tasks.filter((t) => t.owner === a.name);
      return {
        ...a,
        live,
        process: running === undefined ? 'unknown' : running ? 'running' : 'exited',
        idleSec: Math.round(idleMs / 1000),
        working: mine.filter((t) => t.status === 'in_progress').map((t) => t.id),
        inReview: mine.filter((t) => t.status === 'review').map((t) => t.id),
        done: mine.filter((t) => t.status === 'done').length,
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return { total: implementers.length, active: implementers.filter((i) => i.status === 'active').length, live: implementers.filter((i) => i.live).length, implementers };
}
