// The role prompts as MCP prompts (prompts/list, prompts/get); the texts are in app/prompts.ts.
import { ErrorCode, McpError, type GetPromptResult, type ListPromptsResult } from '@modelcontextprotocol/sdk/types.js';
import { PROMPTS } from '../app/prompts.js';

/** prompts/list: the three role prompts, none with arguments. Available before coordination_init. */
export function listPrompts(): ListPromptsResult {
  return { prompts: PROMPTS.map((p) => ({ name: p.name, title: p.title, description: p.description })) };
}

/** prompts/get: one user message with the prompt text; an unknown name is an MCP InvalidParams error. */
export function getPrompt(name: string): GetPromptResult {
  const p = PROMPTS.find((x) => x.name === name);
  if (!p) {
    const known = PROMPTS.map((x) => x.name).join(', ');
    throw new McpError(ErrorCode.InvalidParams, `INVALID_INPUT: unknown prompt "${name}"; prompts/list shows ${known}`, { code: 'INVALID_INPUT', name });
  }
  return { description: p.description, messages: [{ role: 'user', content: { type: 'text', text: p.text } }] };
}
