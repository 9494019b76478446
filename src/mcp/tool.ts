// The shape of one MCP tool: schema, roles, and a thin handler that calls the app.
import { z } from 'zod';
import type { Identity, Lockstep } from '../app.js';
import type { Role } from '../state/schema.js';
import type { WorkspaceConfig } from '../workspace/files.js';

export type WorkRole = Exclude<Role, 'all'>;

export interface Session {
  /** Bound identity; `agent` may be unset when only the role was given at start. */
  role?: Role;
  agent?: string;
}

export interface ToolCtx {
  app: Lockstep;
  who: Identity;
  session: Session;
  signal: AbortSignal;
  /** Sends a progress notification when the client asked for them; a no-op otherwise. */
  progress: (progress: number, message: string) => Promise<void>;
  /** Re-announce the tool list after the identity (and so the role's tool set) changed. */
  toolsChanged: () => Promise<void>;
  waits: WaitLimits;
  /** Where file and command tools may reach (server flags --mode, --roots, --command-mode). */
  workspace: WorkspaceConfig;
}

/** Blocking calls are capped well under common 60 s client timeouts (DESIGN 6). */
export interface WaitLimits {
  defaultSec: number;
  maxSec: number;
}

export interface ToolOutput {
  structured: Record<string, unknown>;
  text: string;
}

export interface ToolDef {
  name: string;
  title: string;
  description: string;
  input: z.ZodObject;
  roles: readonly WorkRole[];
  annotations: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint?: boolean };
  /** False for the few tools usable before identity is bound (coordination_init, whoami, server_time). */
  needsIdentity?: boolean;
  handler(args: Record<string, unknown>, ctx: ToolCtx): Promise<ToolOutput>;
}

export const EVERY_ROLE: readonly WorkRole[] = ['planner', 'implementer', 'reviewer'];

export function defineTool<S extends z.ZodObject>(def: Omit<ToolDef, 'input' | 'handler'> & { input: S; handler(args: z.output<S>, ctx: ToolCtx): Promise<ToolOutput> }): ToolDef {
  return def as unknown as ToolDef;
}

/** The tail of a paged listing's text: how many more there are, and any corrupt files skipped. */
export function pageFooter(r: { hasMore: boolean; total: number; offset: number; corrupt: { path: string }[] }, shown: number): string {
  const more = r.hasMore ? `\n... ${r.total - r.offset - shown} more (offset ${r.offset + shown})` : '';
  const corrupt = r.corrupt.length ? `\nCORRUPT: ${r.corrupt.map((c) => c.path).join(', ')}` : '';
  return more + corrupt;
}
