// acceptance_bundle: everything about an issue for acceptance, its history included.
import { useCases } from '../../app/use-cases.js';
import { tool } from '../tool.js';

export const acceptanceTools = [
  tool(useCases.acceptanceBundle, {
    title: 'Acceptance bundle',
    description: 'Everything to accept an issue: tasks, results, changed files, docs, deliveries, history.',
    roles: ['reviewer', 'planner'],
    annotations: { readOnlyHint: true },
    text: (b) => {
      const t = b.totals;
      const open = t.notDone.length ? `; not done: ${t.notDone.join(', ')}` : '';
      return `${b.issue.id} [${b.issue.status}] ${b.issue.subject}: ${t.done}/${t.tasks} tasks done${open}; ${b.changedFiles.length} changed file(s), ${b.deliveries.length} deliver${b.deliveries.length === 1 ? 'y' : 'ies'}, ${b.events.length} event(s)`;
    },
  }),
];
