// Input field schemas shared by ops, with the descriptions the MCP tool list shows to models.
import { z } from 'zod';
import { LockstepError } from '../../errors.js';
import { MAX_INPUT_DEPTH, tooDeep } from './limits.js';
import { AgentName, Complexity, TaskId, TaskStatus } from './schema.js';

/** A free-form JSON object (task metadata, a log payload): nested at most MAX_INPUT_DEPTH; its size is checked in the op (INPUT_TOO_LARGE). */
export function jsonRecord() {
  return z.record(z.string(), z.unknown()).refine((v) => tooDeep(v, MAX_INPUT_DEPTH - 1) === undefined, `nested deeper than ${MAX_INPUT_DEPTH} levels; flatten it`);
}

export const field = {
  taskId: TaskId,
  owner: AgentName.optional().describe('Defaults to you'),
  title: z.string().trim().min(1).max(500),
  description: z.string().max(50_000),
  complexity: Complexity,
  status: TaskStatus,
  tags: z.array(z.string().min(1).max(100)).max(50),
  metadata: jsonRecord(),
  text: z.string().trim().min(1).max(20_000),
  lockPath: z.string().min(1).max(4096).describe('Repo-relative or absolute'),
  ttlSec: z.number().int().min(5).max(86_400),
  limit: z.number().int().min(1).max(500),
  offset: z.number().int().min(0),
  /** Blocking tools: how long to wait; the server caps it (DESIGN 6). */
  timeoutSec: z.number().min(0).max(3600),
};

/** The identity check every op applies to owner/author/agent parameters (DESIGN 6). */
export function sameAgent(given: string | undefined, actor: string, param: string): string {
  if (given === undefined || given === actor) return actor;
  throw new LockstepError('IDENTITY_MISMATCH', `${param} "${given}" is not you (you are "${actor}"); omit ${param} or pass your own name`, {
    param,
    given,
    actor,
  });
}
