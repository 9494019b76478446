// Optional role codes (LOCKSTEP_ROLE_CODE_<ROLE>): a shared secret per role that every call must carry.
import crypto from 'node:crypto';
import { DomainError } from '../state/errors.js';
import type { Role } from '../state/schema.js';

export type RoleCodes = Partial<Record<Role, string>>;

/** Env names per role; the swarm-mcp alias (LEAD, WORKER, ACCEPTOR) is read when the canonical one is unset. */
const ENV_NAMES: Record<Role, string[]> = {
  planner: ['PLANNER', 'LEAD'],
  implementer: ['IMPLEMENTER', 'WORKER'],
  reviewer: ['REVIEWER', 'ACCEPTOR'],
  all: ['ALL'],
};

export function readRoleCodes(env: NodeJS.ProcessEnv): RoleCodes {
  const codes: RoleCodes = {};
  for (const [role, names] of Object.entries(ENV_NAMES) as [Role, string[]][]) {
    for (const n of names) {
      const v = env[`LOCKSTEP_ROLE_CODE_${n}`];
      if (v) {
        codes[role] = v;
        break;
      }
    }
  }
  return codes;
}

export function hasRoleCodes(codes: RoleCodes): boolean {
  return Object.keys(codes).length > 0;
}

/** Compare digests in constant time, so the time taken says nothing about how much of the code matched. */
function sameCode(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * Check `given` for a call acting as `role`. With no role known yet (an unbound server), any
 * configured role's code is accepted. No codes configured: nothing is checked.
 */
export function checkRoleCode(codes: RoleCodes, role: Role | undefined, given: unknown): void {
  const expected = role === undefined ? Object.values(codes) : codes[role] === undefined ? [] : [codes[role]!];
  if (expected.length === 0) return;
  if (typeof given !== 'string' || given === '') {
    throw new DomainError('ROLE_CODE_REQUIRED', `this server requires role_code for ${role ?? 'every role'}; pass the code your operator gave you (LOCKSTEP_ROLE_CODE_${(role ?? 'ROLE').toUpperCase()})`, { role });
  }
  let ok = false;
  for (const code of expected) ok = sameCode(given, code) || ok; // no early exit: same work for every candidate
  if (!ok) throw new DomainError('ROLE_CODE_INVALID', `role_code does not match the code for ${role ?? 'any role'}`, { role });
}
