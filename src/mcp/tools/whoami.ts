// whoami: the bound name, role and repository of this server.
import { useCases } from '../../app/use-cases.js';
import { tool } from '../tool.js';

export const whoamiTools = [
  tool(useCases.whoami, {
    title: 'Who am I',
    description: 'Your bound name, role and repository.',
    // Not the planner's: its tools/list is at the 5,000-token budget, and it knows who it is.
    roles: ['implementer', 'reviewer'],
    needsIdentity: false,
    annotations: { readOnlyHint: true },
    text: (r) => (r.bound ? `${r.agent} (${r.role})` : 'not bound yet: call coordination_init'),
  }),
];
