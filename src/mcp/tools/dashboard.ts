// dashboard_open: the URL of this repository's dashboard, started if none runs.
import { useCases } from '../../app/use-cases.js';
import { tool } from '../tool.js';

export const dashboardTools = [
  tool(useCases.dashboardOpen, {
    title: 'Open dashboard',
    description: 'URL of the live web dashboard (started if not running).',
    roles: ['planner'],
    annotations: { openWorldHint: true },
    text: (r) => `Dashboard${r.started ? ' started' : ''}: ${r.url}`,
  }),
];
