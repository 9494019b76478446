// Mapping errors to MCP tool results: `CODE: message` text plus structuredContent.error.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { errorBody } from '../errors.js';

export function errorResult(err: unknown): CallToolResult {
  const body = errorBody(err);
  return { isError: true, content: [{ type: 'text', text: `${body.code}: ${body.message}` }], structuredContent: { error: body } };
}
