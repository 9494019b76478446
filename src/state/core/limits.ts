// Size and depth limits: how big one MCP reply may be, how deep and large free-form JSON fields
// (task metadata, log payloads) may be when stored, and how listings stay under the reply limit.
import { LockstepError } from '../../errors.js';

/**
 * The most one reply (one JSON-RPC line) may carry. MCP clients drop the session beyond 10 MiB,
 * and a reply sits in the agent's context: far below that.
 */
export const REPLY_MAX_BYTES = 1024 * 1024;

/** How deep any call's arguments may nest (deeper input overflowed the stack in the codec). */
export const MAX_INPUT_DEPTH = 32;

/** Stored JSON-ish fields, as JSON bytes. */
export const METADATA_MAX_BYTES = 32 * 1024;
export const PAYLOAD_MAX_BYTES = 20_000;

/** A listed entity bigger than this (as JSON) is summarised in a listing, not sent. */
export const LISTED_ENTITY_MAX_BYTES = 64 * 1024;
/** A listing's page stops when its entities reach this many JSON bytes (a reply carries other text too). */
export const LIST_PAGE_MAX_BYTES = 512 * 1024;

/** UTF-8 length of a string without allocating it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The size of `value` as JSON, in UTF-8 bytes. */
export function jsonBytes(value: unknown): number {
  return utf8Length(JSON.stringify(value) ?? '');
}

/**
 * The path of the first place where `value` nests deeper than `max` (objects and arrays count), or
 * undefined. Iterative: deep input must not overflow the stack here either.
 */
export function tooDeep(value: unknown, max: number): string | undefined {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return path;
    for (const [k, child] of Object.entries(v)) {
      if (child !== null && typeof child === 'object') stack.push({ v: child, depth: depth + 1, path: path ? `${path}.${k}` : k });
    }
  }
  return undefined;
}

/** INVALID_INPUT naming the field when the arguments nest deeper than MAX_INPUT_DEPTH. */
export function checkDepth(args: unknown): void {
  const at = tooDeep(args, MAX_INPUT_DEPTH);
  if (at === undefined) return;
  const field = at.split('.').slice(0, 3).join('.');
  throw new LockstepError('INVALID_INPUT', `${field}: nested deeper than ${MAX_INPUT_DEPTH} levels; flatten it`, {
    issues: [{ path: field, message: `nested deeper than ${MAX_INPUT_DEPTH} levels` }],
    maxDepth: MAX_INPUT_DEPTH,
  });
}

/** INPUT_TOO_LARGE naming the field when a stored JSON-ish value is over its limit. */
export function checkStoredSize(field: string, value: unknown, maxBytes: number): void {
  if (value === undefined) return;
  const bytes = jsonBytes(value);
  if (bytes <= maxBytes) return;
  throw new LockstepError('INPUT_TOO_LARGE', `${field} is ${bytes} bytes as JSON, over its limit of ${maxBytes}; keep big data in a doc or an artifact and store its name`, {
    field,
    bytes,
    maxBytes,
  });
}

/** A listed entity too big to send: its small top-level fields only, and a marker saying why. */
export function summarised<T>(item: T, bytes: number): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item as Record<string, unknown>)) if (v !== undefined && jsonBytes(v) <= 2_048) out[k] = v;
  out.oversized = `${bytes} bytes, too big to list; its big fields are left out`;
  return out as T;
}

/**
 * Fit a page of listed entities under the reply limit: an entity over LISTED_ENTITY_MAX_BYTES is
 * replaced by `summary(item, bytes)` and named in `oversized`; the page ends early when it reaches
 * LIST_PAGE_MAX_BYTES (the caller's offset paging goes on from there).
 */
export function fitPage<T>(items: T[], id: (item: T) => string, summary: (item: T, bytes: number) => T = summarised): { page: T[]; oversized: string[] } {
  const page: T[] = [];
  const oversized: string[] = [];
  let total = 0;
  for (const item of items) {
    const full = jsonBytes(item);
    const kept = full > LISTED_ENTITY_MAX_BYTES ? summary(item, full) : item;
    const bytes = kept === item ? full : jsonBytes(kept);
    // At least one entity per page, so paging always moves on.
    if (page.length > 0 && total + bytes > LIST_PAGE_MAX_BYTES) break;
    page.push(kept);
    if (kept !== item) oversized.push(id(item));
    total += bytes;
  }
  return { page, oversized };
}
