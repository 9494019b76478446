// tools/list: the tools a role sees, with compact advertised schemas (each working role's whole list
// stays under 5,000 tokens; the server still validates the full zod schema and names the bad field).
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Role } from '../state/core/schema.js';
import type { ToolDecl } from './tool.js';
import { ALL_TOOLS } from './tools/index.js';

/** Tools a role may see and call; an unbound server shows everything so clients can discover it. */
export function toolsFor(role: Role | undefined): ToolDecl[] {
  if (role === undefined || role === 'all') return ALL_TOOLS;
  return ALL_TOOLS.filter((t) => t.roles.includes(role));
}

const listCache = new Map<string, Tool[]>();

/**
 * Keywords left out of the advertised schemas: every role's tools/list must stay small (issue 3:
 * under 5,000 tokens), and the server validates the full zod schema anyway, naming the bad field.
 */
const UNLISTED = new Set(['$schema', 'pattern', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minimum', 'maximum', 'propertyNames', 'additionalProperties', 'format']);

function compact(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(compact);
  if (node === null || typeof node !== 'object') return node;
  const src = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    if (UNLISTED.has(k)) continue;
    // An enum says its type; a false default is what omitting a boolean means anyway.
    if (k === 'type' && v === 'string' && Array.isArray(src.enum)) continue;
    if (k === 'default' && v === false) continue;
    // An object with no listed properties says nothing beyond its type.
    if (k === 'properties' && v && typeof v === 'object' && Object.keys(v).length === 0) continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, compact(s)])) : compact(v);
  }
  return out;
}

type JsonSchema = { type?: string; properties?: Record<string, JsonSchema>; required?: string[]; items?: JsonSchema; enum?: unknown[]; description?: string };

const SHORT_TYPES: Record<string, string> = { boolean: 'bool', integer: 'int', number: 'num' };

/** `{a, b?, c: x|y, d[]}`: a nested object's shape in one line, for its description. */
function shape(node: JsonSchema): string {
  if (node.enum) return `: ${node.enum.join('|')}`;
  if (node.type === 'array') return node.items?.properties ? `[${shape(node.items)}]` : '[]';
  if (node.properties) {
    const req = new Set(node.required ?? []);
    return `{${Object.entries(node.properties).map(([k, v]) => `${k}${req.has(k) ? '' : '?'}${shape(v)}`).join(', ')}}`;
  }
  return node.type && node.type !== 'string' ? `: ${SHORT_TYPES[node.type] ?? node.type}` : '';
}

/**
 * Top-level fields stay full JSON Schema; objects nested inside them are advertised as a one-line
 * shape in the description (a third of the bytes). The server still validates the full schema.
 */
function flattenNested(schema: JsonSchema): JsonSchema {
  const props: Record<string, JsonSchema> = {};
  for (const [k, v] of Object.entries(schema.properties ?? {})) {
    const nested = v.properties ? v : v.type === 'array' && v.items?.properties ? v : undefined;
    if (!nested) {
      props[k] = v;
      continue;
    }
    const desc = [v.description, shape(nested)].filter(Boolean).join(' ');
    props[k] = nested.type === 'array' ? { type: 'array', items: { type: 'object' }, description: desc } : { type: 'object', description: desc };
  }
  return { ...schema, properties: props };
}

function inputSchema(schema: z.ZodType): Tool['inputSchema'] {
  return flattenNested(compact(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })) as JsonSchema) as Tool['inputSchema'];
}

/** The schema with role_code added as a required string (role codes configured for this role). */
function withRoleCode(schema: Tool['inputSchema']): Tool['inputSchema'] {
  return { ...schema, properties: { ...schema.properties, role_code: { type: 'string' } }, required: [...(schema.required ?? []), 'role_code'] };
}

/** MCP's defaults for tool annotations: a tool is assumed writing, destructive, not idempotent, open-world. */
const HINT_DEFAULTS: Record<string, boolean> = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true };

function withoutDefaults(hints: ToolDecl['annotations']): { annotations?: NonNullable<ToolDecl['annotations']> } {
  const kept = Object.fromEntries(Object.entries(hints ?? {}).filter(([k, v]) => HINT_DEFAULTS[k] !== v));
  return Object.keys(kept).length ? { annotations: kept } : {};
}

export function listTools(role: Role | undefined, roleCodeRequired = false): Tool[] {
  const key = `${role ?? 'unbound'}:${roleCodeRequired}`;
  let list = listCache.get(key);
  if (!list) {
    list = toolsFor(role).map((t) => ({
      name: t.name,
      title: t.title,
      description: t.description,
      inputSchema: roleCodeRequired ? withRoleCode(inputSchema(t.useCase.input)) : inputSchema(t.useCase.input),
      // No outputSchema: every result's structuredContent is an object with the fields the text
      // summary names, and a bare {"type":"object"} per tool cost 400 tokens of the role budget.
      // A hint equal to the spec's default says nothing (and costs tokens); no hints means the defaults.
      ...withoutDefaults(t.annotations),
    }));
    listCache.set(key, list);
  }
  return list;
}

