// status_get: counts of everything, corrupt state files, the state ref tip.
import { useCases } from '../../app/use-cases.js';
import { EVERY_ROLE, tool } from '../tool.js';

export const statusTools = [
  tool(useCases.statusGet, {
    title: 'Coordination status',
    description: 'Counts of tasks, leases, notes, agents; corrupt state files; state ref tip.',
    roles: EVERY_ROLE,
    annotations: { readOnlyHint: true },
    text: (s) => {
      const t = s.tasks;
      return `project ${s.projectStatus}; tasks: ${t.todo} todo, ${t.in_progress} in progress, ${t.review} review, ${t.done} done; ${s.leases.active} active leases${s.corrupt.length ? `; ${s.corrupt.length} CORRUPT file(s)` : ''}`;
    },
  }),
];
