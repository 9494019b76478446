// What adapters call. A use case has a name (its MCP tool is that name with `_` for `.`), a zod input
// and run(app, input, caller). Every op and query becomes one here (fromOp, query); the use cases
// that are more than one op or query live in the other app/ files; app/use-cases.ts lists them all.
import type { z } from 'zod';
import type { ReadCtx } from '../state/core/query.js';
import type { Op } from '../state/core/op.js';
import type { Role } from '../state/core/schema.js';
import type { State } from '../state/core/state.js';
import type { HostConfig } from '../host/files.js';
import type { GitRepo } from '../git/repo.js';
import type { StateEvent } from '../store/events.js';
import type { CommitDiff } from '../store/store.js';
import type { RemoteStatus, RemoteSync } from '../store/sync.js';

export interface Identity {
  agent: string;
  role: Role;
}

/** Who an adapter's caller is bound as; an MCP server keeps one per agent (coordination_init fills it). */
export interface Session {
  role?: Role;
  /** May be unset when only the role was given at start. */
  agent?: string;
}

export interface Caller {
  who: Identity;
  session: Session;
  signal?: AbortSignal;
  /** Told how long a blocking call has waited (MCP sends it as a progress notification when asked). */
  progress?: (elapsedSec: number, message: string) => void;
}

/** Blocking calls are capped well under common 60 s client timeouts (DESIGN 6). */
export interface WaitLimits {
  defaultSec: number;
  maxSec: number;
}

export interface WaitEventsInput {
  cursor?: string;
  timeoutMs: number;
  limit: number;
  keep: (e: StateEvent) => boolean;
  signal?: AbortSignal;
  onProgress?: (elapsedMs: number) => void;
}

export interface WaitEventsResult {
  events: StateEvent[];
  cursor: string | null;
  timedOut: boolean;
  hasMore: boolean;
}

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (elapsedMs: number) => void;
  /** When what blocks the caller runs out by itself (a lease's expiry): re-check then, with no commit to wake us. */
  retryAt?: () => number | undefined;
}

export interface WaitResult<T> {
  /** What `attempt` returned, or undefined after a timeout. */
  value: T | undefined;
  timedOut: boolean;
  /** The state commit the last attempt saw: a resumable position for the caller. */
  cursor: string | null;
}

/** What a use case may use of the composition root (app/lockstep.ts implements it). */
export interface App {
  readonly repo: GitRepo;
  readonly clock: () => number;
  readonly waits: WaitLimits;
  /** Where file and command tools may reach (server flags --mode, --roots, --command-mode). */
  readonly host: HostConfig;
  /** Run an op on input already validated, as one state commit. */
  transact<S extends z.ZodType, R>(op: Op<S, R>, input: z.output<S>, who: Identity): Promise<R>;
  read<R>(query: (state: State, ctx: ReadCtx) => R, who?: Identity): Promise<R>;
  waitUntil<T>(attempt: () => Promise<T | undefined>, opts: WaitOptions): Promise<WaitResult<T>>;
  waitEvents(input: WaitEventsInput): Promise<WaitEventsResult>;
  history(limit: number, keep: (e: StateEvent) => boolean, before?: string): Promise<StateEvent[]>;
  /** A pure query of the state at one of its commits, with that commit's time as now. */
  readAt<R>(commit: string, query: (state: State, ctx: ReadCtx) => R, who?: Identity): Promise<R>;
  commitDiff(commit: string): Promise<CommitDiff>;
  tip(): string | null;
  /** The git remote the state is published to (referee mode), or null. */
  readonly remoteName: string | null;
  /** The sync with a git remote (default: the referee one; INVALID_INPUT when there is none). */
  remote(name?: string): RemoteSync;
  remoteStatus(): Promise<RemoteStatus | null>;
  /** Ids touched by state commits not yet on the remote (offline mode: provisional leases). */
  unpublishedEntities(): Promise<Set<string>>;
}

export interface UseCase<S extends z.ZodObject = z.ZodObject, R = unknown> {
  /** Dotted, like the op names: `task.claim`. */
  name: string;
  input: S;
  run(app: App, input: z.output<S>, caller: Caller): Promise<R>;
}

export type InputOf<U> = U extends UseCase<infer S> ? z.output<S> : never;
export type ResultOf<U> = U extends UseCase<z.ZodObject, infer R> ? R : never;

export function useCase<S extends z.ZodObject, R>(u: UseCase<S, R>): UseCase<S, R> {
  return u;
}

/** An op as a use case: one state commit as the caller. */
export function fromOp<S extends z.ZodObject, R>(op: Op<S, R>): UseCase<S, R> {
  return { name: op.name, input: op.input, run: (app, input, caller) => app.transact(op, input, caller.who) };
}

/** A pure query of the current state as a use case. */
export function query<S extends z.ZodObject, R>(name: string, input: S, read: (state: State, input: z.output<S>, ctx: ReadCtx) => R): UseCase<S, R> {
  return { name, input, run: (app, parsed, caller) => app.read((state, ctx) => read(state, parsed, ctx), caller.who) };
}
