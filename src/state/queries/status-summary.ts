// Query status_get: counts of everything, for agents and `lockstep status`.
import { isActive } from '../leases.js';
import type { State } from '../core/state.js';
import { countByStatus } from './task-summary.js';

export function statusSummary(state: State, now: number) {
  const meta = state.meta();
  const tasks = countByStatus(state);
  const leases = state.leases().items;
  return {
    format: meta.format,
    projectStatus: meta.projectStatus,
    hasProjectContext: meta.project !== undefined,
    tasks: { total: state.tasks().items.length, ...tasks },
    leases: { active: leases.filter((l) => isActive(l, now)).length, expired: leases.filter((l) => !isActive(l, now)).length },
    notes: state.notes().items.length,
    agents: state.agents().items.map((a) => ({ name: a.name, role: a.role, status: a.status, lastSeen: a.lastSeen })),
    corrupt: state.corruptFiles(),
  };
}
