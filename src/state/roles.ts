// Who may do what: the role names (and swarm-mcp's aliases lead, worker, acceptor) and the role checks ops make.
import { z } from 'zod';
import { LockstepError } from '../errors.js';
import type { Ctx } from './core/ctx.js';
import type { Role } from './core/schema.js';

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
  if (!role) throw new LockstepError('INVALID_INPUT', `unknown role "${value}"; use planner, implementer, reviewer or all`, { role: value });
  return role;
}

export function isPlanner(ctx: Ctx): boolean {
  return ctx.role === 'planner' || ctx.role === 'all';
}

export function requirePlanner(ctx: Ctx, what: string): void {
  if (!isPlanner(ctx)) throw new LockstepError('ROLE_FORBIDDEN', `only a planner can ${what}`, { role: ctx.role });
}

export function isReviewer(ctx: Ctx): boolean {
  return ctx.role === 'reviewer' || ctx.role === 'all';
}

export function requireReviewer(ctx: Ctx, what: string): void {
  if (!isReviewer(ctx)) throw new LockstepError('ROLE_FORBIDDEN', `only a reviewer can ${what}`, { role: ctx.role });
}
