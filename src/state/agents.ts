// Agent rules: the names Lockstep gives agents that do not choose one.
import type { z } from 'zod';
import type { Role } from './core/schema.js';
import type { State } from './core/state.js';

const PREFIX: Record<z.infer<typeof Role>, string> = { planner: 'planner', implementer: 'impl', reviewer: 'reviewer', all: 'agent' };

/** impl-1, impl-2, ...: the first free number, so names stay short and readable. */
export function nextAgentName(state: State, role: z.infer<typeof Role>): string {
  const prefix = PREFIX[role];
  const used = new Set(state.agents().items.map((a) => a.name));
  for (const c of state.agents().corrupt) used.add(c.path.replace(/^agents\/|\.yaml$/g, ''));
  let n = 1;
  while (used.has(`${prefix}-${n}`)) n++;
  return `${prefix}-${n}`;
}
