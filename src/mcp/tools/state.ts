// state_log: the latest state commits as structured events (git log lockstep/state).
import { useCases } from '../../app/use-cases.js';
import { tool } from '../tool.js';
import { eventLine } from './events.js';

export const stateTools = [
  tool(useCases.stateLog, {
    title: 'Recent state history',
    description: 'Latest state commits as events, newest first (git log lockstep/state).',
    // Not the planner's (tools/list budget): it has events_wait, and `lockstep log` for people.
    roles: ['implementer', 'reviewer'],
    annotations: { readOnlyHint: true },
    text: (r) => r.events.map(eventLine).join('\n') || 'no state history yet',
  }),
];
