// coordination_init: bind this server to an agent and role, get the phase and next steps.
import { useCases } from '../../app/use-cases.js';
import { EVERY_ROLE, tool } from '../tool.js';

export const coordinationTools = [
  tool(useCases.coordinationInit, {
    title: 'Start coordinating',
    description: 'Call first: bind your role and name (impl-N if omitted); get your phase and next steps.',
    roles: EVERY_ROLE,
    needsIdentity: false,
    annotations: { idempotentHint: true },
    text: (r) => `You are ${r.agent} (${r.role}). Status: ${r.status}. ${r.instruction}`,
  }),
];
