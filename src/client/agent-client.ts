// Starting a real `lockstep server` process and talking to it through the MCP SDK client, as an
// agent would. Used by the demo, the tests and the benchmarks.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ListRootsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The built CLI entry point (dist/), whichever of src/ or dist/ this module runs from. */
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export class ToolError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(`${code}: ${message}`);
    this.name = 'ToolError';
  }
}

export interface AgentClientOptions {
  /** Passed as --repo; omit to start the server in `cwd` as a client would. */
  repo?: string;
  /** The server's working directory (default: this process's). */
  cwd?: string;
  /** Workspace folders the client offers as MCP roots (roots/list); none: no roots capability. */
  roots?: string[];
  role?: string;
  agent?: string;
  env?: Record<string, string>;
  extraArgs?: string[];
  /** Extra node flags for the server process (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Where the server's stderr goes (default: inherited). */
  stderr?: 'inherit' | 'pipe' | 'ignore';
  /** A command the server runs under, e.g. ['strace', '-c', '-f', '-o', file] for the bench's syscall count. */
  wrapper?: string[];
}

export class AgentClient {
  private roots: string[];

  private constructor(
    readonly client: Client,
    readonly transport: StdioClientTransport,
    roots: string[],
  ) {
    this.roots = roots;
  }

  static async start(opts: AgentClientOptions): Promise<AgentClient> {
    const args = [...(opts.nodeArgs ?? []), CLI_PATH, 'server', ...(opts.repo === undefined ? [] : ['--repo', opts.repo])];
    if (opts.role) args.push('--role', opts.role);
    if (opts.agent) args.push('--agent', opts.agent);
    args.push(...(opts.extraArgs ?? []));
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('LOCKSTEP_')) env[k] = v;
    Object.assign(env, opts.env);
    const [command, ...prefix] = [...(opts.wrapper ?? []), process.execPath];
    const transport = new StdioClientTransport({ command: command!, args: [...prefix, ...args], env, cwd: opts.cwd, stderr: opts.stderr ?? 'inherit' });
    const client = new Client({ name: `lockstep-${opts.agent ?? 'agent'}`, version: '1.0.0' }, opts.roots ? { capabilities: { roots: { listChanged: true } } } : undefined);
    const agent = new AgentClient(client, transport, opts.roots ?? []);
    if (opts.roots) client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: agent.roots.map((dir) => ({ uri: pathToFileURL(dir).href, name: dir })) }));
    await client.connect(transport);
    return agent;
  }

  /** Change the workspace roots and tell the server (roots/list_changed). */
  async setRoots(dirs: string[]): Promise<void> {
    this.roots = dirs;
    await this.client.sendRootsListChanged();
  }

  /** The raw tool result (isError included). */
  raw(name: string, args: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<CallToolResult> {
    return this.client.callTool({ name, arguments: args }, undefined, { timeout: timeoutMs }) as Promise<CallToolResult>;
  }

  /** structuredContent of a successful call; a ToolError carrying the code otherwise. */
  async call<T = Record<string, unknown>>(name: string, args: Record<string, unknown> = {}, timeoutMs?: number): Promise<T> {
    const res = await this.raw(name, args, timeoutMs);
    const sc = res.structuredContent as Record<string, unknown> | undefined;
    if (res.isError) {
      const err = (sc?.error ?? {}) as { code?: string; message?: string; data?: Record<string, unknown> };
      const text = (res.content?.[0] as { text?: string } | undefined)?.text ?? '';
      throw new ToolError(err.code ?? 'UNKNOWN', err.message ?? text, err.data);
    }
    return sc as T;
  }

  get pid(): number | null {
    return this.transport.pid;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
