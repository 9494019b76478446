// Mapping errors to MCP tool results: `CODE: message` text plus structuredContent.error.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DomainError } from '../state/errors.js';
import { GitError } from '../git/errors.js';

export interface ErrorBody {
  code: string;
  message: string;
  data?: Record<string, unknown>;
}

export function errorBody(err: unknown): ErrorBody {
  if (err instanceof DomainError || err instanceof GitError) return { code: err.code, message: err.message, data: err.data };
  const e = err as NodeJS.ErrnoException;
  process.stderr.write(`lockstep: internal error: ${e?.stack ?? String(err)}\n`);
  return { code: 'INTERNAL', message: `${e?.message ?? String(err)} (this is a Lockstep bug; the server log has the stack)` };
}

export function errorResult(err: unknown): CallToolResult {
  const body = errorBody(err);
  return { isError: true, content: [{ type: 'text', text: `${body.code}: ${body.message}` }], structuredContent: { error: body } };
}
