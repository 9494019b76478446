// Role names and their aliases from swarm-mcp (lead, worker, acceptor).
import { z } from 'zod';
import { DomainError } from '../state/errors.js';
import type { Role } from '../state/schema.js';

const ALIASES: Record<string, Role> = {
  planner: 'planner',
  lead: 'planner',
  implementer: 'implementer',
  worker: 'implementer',
  reviewer: 'reviewer',
  acceptor: 'reviewer',
  all: 'all',
};

export const ROLE_INPUT = z.enum(['planner', 'implementer', 'reviewer', 'all', 'lead', 'worker', 'acceptor']);

export function parseRole(value: string): Role {
  const role = ALIASES[value.toLowerCase()];
  if (!role) throw new DomainError('INVALID_INPUT', `unknown role "${value}"; use planner, implementer, reviewer or all`, { role: value });
  return role;
}
