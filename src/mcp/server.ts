// The stdio MCP server: role-filtered tools/list, identity binding, one generic tool handler over
// app.call, and error mapping. Built on the SDK's low-level Server so every failure (bad input
// included) carries a stable code.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, GetPromptRequestSchema, ListPromptsRequestSchema, ListToolsRequestSchema, RootsListChangedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { REPLY_MAX_BYTES, type Lockstep } from '../app/lockstep.js';
import { checkRoleCode, hasRoleCodes, parseRole, type RoleCodes } from '../app/session.js';
import type { Session } from '../app/use-case.js';
import { useCases } from '../app/use-cases.js';
import { isLockstepError, LockstepError } from '../errors.js';
import type { Role } from '../state/core/schema.js';
import { VERSION } from '../version.js';
import { errorResult } from './errors.js';
import { listTools } from './list.js';
import { getPrompt, listPrompts } from './prompts.js';
import { Repository } from './repository.js';
import { LineTransport } from './stdio.js';
import type { ToolDecl } from './tool.js';
import { ALL_TOOLS } from './tools/index.js';

export interface ServerOptions {
  /** Opens the app for a repository directory, with this server's flags (NOT_A_GIT_REPO when there is none). */
  open: (dir: string) => Lockstep;
  /** Where the server looks first: --repo, else its working directory. */
  dir: string;
  session: Session;
  /** LOCKSTEP_ROLE_CODE_<ROLE>: when set, role_code is required on every call of that role. */
  roleCodes?: RoleCodes;
  /** Tools this server neither lists nor serves (`--disable-tools`, swarm-mcp's disabledTools). */
  disabledTools?: ReadonlySet<string>;
}

const INSTRUCTIONS =
  'Lockstep coordinates several coding agents in one git repository. Call coordination_init first with your role. Claim tasks before working on them, lease files with lock_acquire before editing, release them when done. Errors start with a stable CODE.';

/** Every tool name (for --disable-tools, checked by `server` and `install`). */
export function toolNames(): Set<string> {
  return new Set(ALL_TOOLS.map((t) => t.name));
}

/** The role a call acts as: the bound one, or the one coordination_init asks for. */
function callRole(session: Session, tool: ToolDecl, args: Record<string, unknown> | undefined): Role | undefined {
  if (session.role || tool.name !== 'coordination_init' || typeof args?.role !== 'string') return session.role;
  return parseRole(args.role);
}

/** Room left in a reply for the JSON-RPC envelope around the tool result. */
const ENVELOPE_BYTES = 1024;

/** What to ask for instead of a reply over the limit, from the tool's own paging arguments. */
function askForLess(tool: ToolDecl): string {
  const shape = tool.useCase.input.shape;
  if ('maxBytes' in shape) return 'pass a smaller maxBytes (and offset to read on), or encoding base64 for binary data';
  if ('maxOutputBytes' in shape) return 'pass a smaller maxOutputBytes, or redirect the output to a file and file_read it with offset';
  if ('limit' in shape) return 'pass a smaller limit and page on with offset';
  return 'the entity is too big to send (usually a hand edit of the state); a planner can shrink it with an update';
}

/** The final guard: a reply over the limit would kill the client's session, so it becomes a coded error. */
function withinReplyLimit(tool: ToolDecl, reply: CallToolResult): CallToolResult {
  const bytes = Buffer.byteLength(JSON.stringify(reply));
  if (bytes <= REPLY_MAX_BYTES - ENVELOPE_BYTES) return reply;
  return errorResult(
    new LockstepError('REPLY_TOO_LARGE', `the reply of ${tool.name} would be ${bytes} bytes, over the ${REPLY_MAX_BYTES}-byte reply limit; ${askForLess(tool)}`, {
      tool: tool.name,
      bytes,
      maxBytes: REPLY_MAX_BYTES,
    }),
  );
}

/** The app for `dir`, or undefined when it is in no repository (the server then looks in the client's roots). */
function openIfRepository(open: (dir: string) => Lockstep, dir: string): Lockstep | undefined {
  try {
    return open(dir);
  } catch (err) {
    if (isLockstepError(err, 'NOT_A_GIT_REPO')) return undefined;
    throw err;
  }
}

/** Offline mode, said in the text too: a provisional result, and earlier ops that failed on the remote. */
function syncNotes(result: unknown): string {
  const r = result as { provisional?: boolean; conflicts?: { op: string; error: { code: string; message: string } }[] } | null;
  let out = '';
  if (r?.provisional) out += '\n(provisional: committed on this machine, the remote is unreachable; published when it is back)';
  for (const c of r?.conflicts ?? []) out += `\nAn earlier ${c.op} made offline failed on the remote's state: ${c.error.code}: ${c.error.message}`;
  return out;
}

export function createServer(opts: ServerOptions): { server: Server; repository: Repository } {
  const { session } = opts;
  const server = new Server({ name: 'lockstep', version: VERSION }, { capabilities: { tools: { listChanged: true }, prompts: {} }, instructions: INSTRUCTIONS });
  const byName = new Map(ALL_TOOLS.map((t) => [t.name, t]));
  // A role given at start (--role, LOCKSTEP_ROLE) binds at once, with a generated name when none was given,
  // and registers the agent with this process: implementer_list and status see it before its first call.
  const bindAtStart = async (app: Lockstep) => {
    if (!session.role) return;
    const before = session.agent;
    try {
      await app.call(useCases.coordinationInit, { role: session.role, name: session.agent }, { who: { agent: session.agent ?? '', role: session.role }, session });
    } catch (err) {
      // Another live process is that agent: this server must not act as it. Its agent picks a name with coordination_init.
      if (isLockstepError(err, 'AGENT_NAME_IN_USE')) session.agent = undefined;
      throw err;
    }
    if (session.agent !== before) await server.sendToolListChanged();
  };
  const repository = new Repository(opts.open, opts.dir, openIfRepository(opts.open, opts.dir), (app) =>
    bindAtStart(app).catch((err: unknown) => void process.stderr.write(`lockstep: could not register ${session.agent ?? 'the agent'}: ${(err as Error).message}\n`)),
  );
  const listRoots = () => (server.getClientCapabilities()?.roots ? () => server.listRoots() : undefined);
  server.oninitialized = () => repository.start(listRoots());
  server.setNotificationHandler(RootsListChangedNotificationSchema, () => {
    const list = listRoots();
    if (list) void repository.lookIn(list);
  });

  const codes = opts.roleCodes ?? {};
  const roleCodeRequired = () => (session.role === undefined || session.role === 'all' ? hasRoleCodes(codes) : codes[session.role] !== undefined);
  const disabled = opts.disabledTools ?? new Set<string>();
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listTools(session.role, roleCodeRequired()).filter((t) => !disabled.has(t.name)) }));
  // Role prompts need no identity: an agent reads its prompt to know how to start.
  server.setRequestHandler(ListPromptsRequestSchema, () => listPrompts());
  server.setRequestHandler(GetPromptRequestSchema, (request) => getPrompt(request.params.name));

  // The one handler of every tool: role code, role, identity, then the use case through app.call.
  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    try {
      await repository.ready();
      const tool = disabled.has(request.params.name) ? undefined : byName.get(request.params.name);
      if (!tool) throw new LockstepError('INVALID_INPUT', `unknown tool ${request.params.name}; tools/list shows what your role can call`, { tool: request.params.name });
      // The role code comes first (as in swarm-mcp): a caller without it learns nothing else.
      const { role_code: roleCode, ...args } = request.params.arguments ?? {};
      checkRoleCode(codes, callRole(session, tool, args), roleCode);
      const role = session.role;
      if (role && role !== 'all' && !tool.roles.includes(role)) {
        throw new LockstepError('ROLE_FORBIDDEN', `${tool.name} is not ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role} tool (it is for: ${tool.roles.join(', ') || 'role all'})`, { tool: tool.name, role });
      }
      if (tool.needsIdentity !== false && (!session.agent || !role)) {
        throw new LockstepError('IDENTITY_REQUIRED', 'call coordination_init({role, name}) first, or start the server with --role and --agent');
      }
      const token = request.params._meta?.progressToken;
      const bound = `${session.role}/${session.agent}`;
      // coordination_init may name the repository of a server started outside one.
      const app = tool.name === 'coordination_init' && typeof args.repo === 'string' ? await repository.use(args.repo) : await repository.get();
      const result = await app.call(tool.useCase, args, {
        who: { agent: session.agent ?? '', role: role ?? 'all' },
        session,
        signal: extra.signal,
        progress: (progress, message) => {
          if (token === undefined) return;
          extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, message } }).catch((err: unknown) => {
            process.stderr.write(`lockstep: progress notification failed: ${String(err)}\n`);
          });
        },
      });
      // A new identity means another role's tool set.
      if (`${session.role}/${session.agent}` !== bound) await server.sendToolListChanged();
      const input = args as never;
      return withinReplyLimit(tool, { content: [{ type: 'text', text: tool.text(result as never, input) + syncNotes(result) }], structuredContent: result as Record<string, unknown> });
    } catch (err) {
      return errorResult(err);
    }
  });
  return { server, repository };
}

/** Serve MCP over stdio until stdin closes. stdout carries only the protocol. */
export async function serveStdio(opts: ServerOptions): Promise<void> {
  // Anything that logs to stdout would corrupt the protocol stream.
  console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args);
  const { server, repository } = createServer(opts);
  // Our own transport: a request line over the limit is answered with an error, not a closed connection.
  const transport = new LineTransport(process.stdin, process.stdout);
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
    process.stdin.on('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  repository.close();
  await server.close();
}
