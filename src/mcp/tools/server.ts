// server_time: the clock lease expiry uses.
import { useCases } from '../../app/use-cases.js';
import { tool } from '../tool.js';

export const serverTools = [
  tool(useCases.serverTime, {
    title: 'Server time',
    description: 'The clock expiries use.',
    roles: ['implementer', 'reviewer'],
    needsIdentity: false,
    annotations: { readOnlyHint: true },
    text: (r) => r.now,
  }),
];
