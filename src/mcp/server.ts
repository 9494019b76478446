// The stdio MCP server: role-filtered tools/list, identity binding, validation and error mapping.
// Built on the SDK's low-level Server so every failure (bad input included) carries a stable code.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, GetPromptRequestSchema, ListPromptsRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { parseInput, type Lockstep } from '../app.js';
import { DomainError } from '../state/errors.js';
import type { Role } from '../state/schema.js';
import { VERSION } from '../version.js';
import { errorResult } from './errors.js';
import { getPrompt, listPrompts } from './prompts.js';
import { checkRoleCode, hasRoleCodes, type RoleCodes } from './role-codes.js';
import { parseRole } from './roles.js';
import type { WorkspaceConfig } from '../workspace/files.js';
import type { Session, ToolDef, WaitLimits } from './tool.js';
import { agentTools } from './tools/agents.js';
import { coordinationTools } from './tools/coordination.js';
import { deliveryTools } from './tools/deliveries.js';
import { discussionTools } from './tools/discussions.js';
import { docTools } from './tools/docs.js';
import { eventTools } from './tools/events.js';
import { fileCommandTools } from './tools/files-commands.js';
import { issueTools } from './tools/issues.js';
import { launchTools } from './tools/launch.js';
import { noteLockTools } from './tools/notes-locks.js';
import { taskTools } from './tools/tasks.js';
import { taskQaTools } from './tools/task-qa.js';
import { worktreeTools } from './tools/worktrees.js';

export const ALL_TOOLS: ToolDef[] = [...coordinationTools, ...agentTools, ...taskTools, ...issueTools, ...docTools, ...taskQaTools, ...noteLockTools, ...discussionTools, ...eventTools, ...fileCommandTools, ...deliveryTools, ...worktreeTools, ...launchTools];

export interface ServerOptions {
  app: Lockstep;
  session: Session;
  waits?: Partial<WaitLimits>;
  workspace: WorkspaceConfig;
  /** LOCKSTEP_ROLE_CODE_<ROLE>: when set, role_code is required on every call of that role. */
  roleCodes?: RoleCodes;
  /** Tools this server neither lists nor serves (`--disable-tools`, swarm-mcp's disabledTools). */
  disabledTools?: ReadonlySet<string>;
}

const INSTRUCTIONS =
  'Lockstep coordinates several coding agents in one git repository. Call coordination_init first with your role. Claim tasks before working on them, lease files with lock_acquire before editing, release them when done. Errors start with a stable CODE.';

/** Tools a role may see and call; an unbound server shows everything so clients can discover it. */
export function toolsFor(role: Role | undefined): ToolDef[] {
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

export function listTools(role: Role | undefined, roleCodeRequired = false): Tool[] {
  const key = `${role ?? 'unbound'}:${roleCodeRequired}`;
  let list = listCache.get(key);
  if (!list) {
    list = toolsFor(role).map((t) => ({
      name: t.name,
      title: t.title,
      description: t.description,
      inputSchema: roleCodeRequired ? withRoleCode(inputSchema(t.input)) : inputSchema(t.input),
      // No outputSchema: every result's structuredContent is an object with the fields the text
      // summary names, and a bare {"type":"object"} per tool cost 400 tokens of the role budget.
      // No hints means the defaults; an empty object would only cost tokens.
      ...(Object.keys(t.annotations).length ? { annotations: t.annotations } : {}),
    }));
    listCache.set(key, list);
  }
  return list;
}

/** The role a call acts as: the bound one, or the one coordination_init asks for. */
function callRole(session: Session, tool: ToolDef, args: Record<string, unknown> | undefined): Role | undefined {
  if (session.role || tool.name !== 'coordination_init' || typeof args?.role !== 'string') return session.role;
  return parseRole(args.role);
}

const strictInputs = new Map<string, z.ZodType>();
/** Unknown argument names are refused (a typo must not be silently ignored, seed bug A.4). */
function strictInput(tool: ToolDef): z.ZodType {
  let s = strictInputs.get(tool.name);
  if (!s) strictInputs.set(tool.name, (s = tool.input.strict()));
  return s;
}

export function createServer(opts: ServerOptions): Server {
  const { app, session } = opts;
  const waits: WaitLimits = { defaultSec: opts.waits?.defaultSec ?? 25, maxSec: opts.waits?.maxSec ?? 50 };
  const server = new Server({ name: 'lockstep', version: VERSION }, { capabilities: { tools: { listChanged: true }, prompts: {} }, instructions: INSTRUCTIONS });
  const byName = new Map(ALL_TOOLS.map((t) => [t.name, t]));

  const codes = opts.roleCodes ?? {};
  const roleCodeRequired = () => (session.role === undefined ? hasRoleCodes(codes) : codes[session.role] !== undefined);
  const disabled = opts.disabledTools ?? new Set<string>();
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listTools(session.role, roleCodeRequired()).filter((t) => !disabled.has(t.name)) }));
  // Role prompts need no identity: an agent reads its prompt to know how to start.
  server.setRequestHandler(ListPromptsRequestSchema, () => listPrompts());
  server.setRequestHandler(GetPromptRequestSchema, (request) => getPrompt(request.params.name));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    try {
      const tool = disabled.has(request.params.name) ? undefined : byName.get(request.params.name);
      if (!tool) throw new DomainError('INVALID_INPUT', `unknown tool ${request.params.name}; tools/list shows what your role can call`, { tool: request.params.name });
      // The role code comes first (as in swarm-mcp): a caller without it learns nothing else.
      const { role_code: roleCode, ...rawArgs } = request.params.arguments ?? {};
      checkRoleCode(codes, callRole(session, tool, rawArgs), roleCode);
      const role = session.role;
      if (role && role !== 'all' && !tool.roles.includes(role)) {
        throw new DomainError('ROLE_FORBIDDEN', `${tool.name} is not a ${role} tool (it is for: ${tool.roles.join(', ')})`, { tool: tool.name, role });
      }
      if (tool.needsIdentity !== false && (!session.agent || !role)) {
        throw new DomainError('IDENTITY_REQUIRED', 'call coordination_init({role, name}) first, or start the server with --role and --agent');
      }
      const args = parseInput(strictInput(tool), rawArgs) as Record<string, unknown>;
      const token = request.params._meta?.progressToken;
      const result = await tool.handler(args, {
        app,
        session,
        who: { agent: session.agent ?? '', role: role ?? 'all' },
        signal: extra.signal,
        waits,
        workspace: opts.workspace,
        progress: async (progress, message) => {
          if (token === undefined) return;
          await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, message } });
        },
        toolsChanged: () => server.sendToolListChanged(),
      });
      return { content: [{ type: 'text', text: result.text }], structuredContent: result.structured };
    } catch (err) {
      return errorResult(err);
    }
  });
  return server;
}

/** Serve MCP over stdio until stdin closes. stdout carries only the protocol. */
export async function serveStdio(opts: ServerOptions): Promise<void> {
  // Anything that logs to stdout would corrupt the protocol stream.
  console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args);
  const server = createServer(opts);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
    process.stdin.on('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  opts.app.close();
  await server.close();
}
