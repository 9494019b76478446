// Deterministic YAML codec: sorted keys, block style, so equal states give equal blobs.
import YAML from 'yaml';
import { emitCanonical, parseCanonical } from './canonical-yaml.js';
import { expectedAt, kindOf, misplacedEntry, type FileKind } from './layout.js';

export type Decoded =
  | { ok: true; kind: string; value: unknown }
  | { ok: false; kind: string; path: string; reason: string };

// Never emit anchors/aliases: the decoder refuses them (alias bombs in hand-edited files).
const STRINGIFY: YAML.ToStringOptions & YAML.DocumentOptions & YAML.SchemaOptions & YAML.CreateNodeOptions = {
  sortMapEntries: true,
  lineWidth: 0,
  minContentWidth: 0,
  aliasDuplicateObjects: false,
};

/**
 * Drop undefined fields and empty lists, so files (and `git log -p`) show only what is set.
 * Rule for schemas: every array field has a default (or a minimum length), so an omitted empty
 * list decodes back to [].
 */
function clean(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clean);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
      out[k] = clean(v);
    }
    return out;
  }
  return value;
}

export function encodeFile(path: string, value: unknown): string {
  if (path.endsWith('.md')) {
    if (typeof value !== 'string') throw new TypeError(`doc ${path} must be text`);
    return value;
  }
  const doc = clean(value);
  return emitCanonical(doc) ?? YAML.stringify(doc, STRINGIFY);
}

/** The canonical fast path when the text is exactly what emitCanonical writes; the yaml library otherwise. */
function parseYaml(text: string): unknown {
  const fast = parseCanonical(text);
  if (fast !== undefined && emitCanonical(fast) === text) return fast;
  return YAML.parse(text, { prettyErrors: false, maxAliasCount: 0 });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Decode one state file. Never throws: a bad file becomes `{ok:false}` naming the file, so the rest
 * of the state stays usable and only callers touching this file see STATE_CORRUPT.
 */
export function decodeFile(path: string, text: string): Decoded {
  const fk = kindOf(path);
  // A file inside Lockstep's directories under a name it never writes (or where it keeps a directory).
  if (!fk && expectedAt(path) !== undefined) return { ok: false, kind: 'unknown', path, reason: misplacedEntry(path, 'a file') };
  if (!fk || fk.schema === null) return { ok: true, kind: fk?.kind ?? 'unknown', value: text };
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    const first = String((err as Error).message).split('\n')[0];
    return { ok: false, kind: fk.kind, path, reason: `invalid YAML: ${first}` };
  }
  return validate(path, fk, raw);
}

/**
 * What decodeFile(path, encodeFile(path, value)) returns, without the YAML round trip: the store
 * uses it for files it has just written (YAML parsing costs ~150 us a file).
 */
export function decodeWritten(path: string, value: unknown): Decoded {
  const fk = kindOf(path);
  if (!fk || fk.schema === null) return { ok: true, kind: fk?.kind ?? 'unknown', value };
  return validate(path, fk, clean(value));
}

function validate(path: string, fk: FileKind, raw: unknown): Decoded {
  if (fk.problem) return { ok: false, kind: fk.kind, path, reason: fk.problem };
  const parsed = fk.schema!.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : '(root)';
    return { ok: false, kind: fk.kind, path, reason: `${where}: ${issue.message}` };
  }
  const value = parsed.data as Record<string, unknown>;
  if (fk.id && value[fk.id.field] !== fk.id.value) {
    return { ok: false, kind: fk.kind, path, reason: `${fk.id.field} does not match the file name (${fk.id.value})` };
  }
  return { ok: true, kind: fk.kind, value: deepFreeze(value) };
}
