// A tool is a declaration: the use case it calls, its title, description, roles and annotations,
// and the short text that goes with the result. Its name follows from the use case's name
// (`task.claim` -> `task_claim`); server.ts serves every declaration with one generic handler.
import type { InputOf, ResultOf, UseCase } from '../app/use-case.js';
import type { Role } from '../state/core/schema.js';

export type WorkRole = Exclude<Role, 'all'>;

export interface Annotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ToolDecl<U extends UseCase = UseCase> {
  name: string;
  title: string;
  description: string;
  useCase: U;
  /** The working roles that list and may call it; role `all` has every tool. */
  roles: readonly WorkRole[];
  annotations?: Annotations;
  /** False for the few tools usable before identity is bound (coordination_init, whoami, server_time). */
  needsIdentity?: boolean;
  /** The text summary beside structuredContent (the result itself). */
  text(result: ResultOf<U>, input: InputOf<U>): string;
}

export const EVERY_ROLE: readonly WorkRole[] = ['planner', 'implementer', 'reviewer'];

/** The MCP name of a use case: its dotted name with underscores. */
export function toolName(useCase: UseCase): string {
  return useCase.name.replace(/\./g, '_');
}

export function tool<U extends UseCase>(useCase: U, decl: Omit<ToolDecl<U>, 'name' | 'useCase'>): ToolDecl {
  return { ...decl, name: toolName(useCase), useCase } as unknown as ToolDecl;
}

/** The tail of a paged listing's text: how many more there are, and any corrupt files skipped. */
export function pageFooter(r: { hasMore: boolean; total: number; offset: number; corrupt: { path: string }[] }, shown: number): string {
  const more = r.hasMore ? `\n... ${r.total - r.offset - shown} more (offset ${r.offset + shown})` : '';
  const corrupt = r.corrupt.length ? `\nCORRUPT: ${r.corrupt.map((c) => c.path).join(', ')}` : '';
  return more + corrupt;
}
