// launch_implementer: start an implementer in a tmux window (Linux) or Terminal (macOS), pid recorded.
import { useCases } from '../../app/use-cases.js';
import { tool } from '../tool.js';

export const launchTools = [
  tool(useCases.launchImplementer, {
    title: 'Launch implementer',
    description: 'Start an implementer in a new tmux window (Linux) or Terminal (macOS).',
    roles: ['planner'],
    annotations: { openWorldHint: true },
    text: (r) => `Launched ${r.agent} (${r.command}) in ${r.terminal}${r.pid ? `, pid ${r.pid}` : ''}${r.branch ? ` on ${r.branch}` : ''}`,
  }),
];
