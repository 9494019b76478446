// implementer_list, implementer_reset: who is working, whether they look alive, and marking them stopped.
import { useCases } from '../../app/use-cases.js';
import { tool } from '../tool.js';

export const implementerTools = [
  tool(useCases.implementerList, {
    title: 'List implementers',
    description: 'Implementers: liveness, idle time, tasks in progress and in review.',
    roles: ['planner'],
    annotations: { readOnlyHint: true },
    text: (r) => `${r.total} implementer(s), ${r.live} live\n${r.implementers.map((i) => `${i.name} [${i.status}${i.live ? ', live' : ''}] idle ${i.idleSec}s; working: ${i.working.join(' ') || '-'}`).join('\n')}`,
  }),
  tool(useCases.implementerReset, {
    title: 'Reset implementers',
    description: 'Mark all active implementers stopped; they rejoin with coordination_init.',
    roles: ['planner'],
    annotations: { destructiveHint: true },
    text: (r) => `Reset ${r.resetCount} implementer(s)${r.names.length ? `: ${r.names.join(', ')}` : ''}`,
  }),
];
