// Installing into agents' configs (Claude Code JSON, Codex TOML) and the coordination block in CLAUDE.md / AGENTS.md.
// Every edit touches only our entry or block, writes nothing when nothing changes, and is undone exactly by its inverse.
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import { LockstepError } from '../errors.js';

/** How an agent starts our server: absolute node and script, so it works from any directory. */
export interface ServerEntry {
  command: string;
  args: string[];
}

/** created/updated/removed: the file was written; unchanged/absent: it was not touched. */
export type EditAction = 'created' | 'updated' | 'unchanged' | 'removed' | 'absent';

export interface EditResult {
  file: string;
  action: EditAction;
  /** True when uninstall deleted a file that held nothing but our entry or block. */
  deletedFile?: boolean;
}

export interface EntryState {
  file: string;
  installed: boolean;
  entry?: { command?: unknown; args?: unknown };
  /** The entry's command and script still exist (a moved checkout leaves a dead entry). */
  runnable?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Config file locations.

export function claudeProjectConfig(repoRoot: string): string {
  return path.join(repoRoot, '.mcp.json');
}

export function claudeUserConfig(home: string): string {
  return path.join(home, '.claude.json');
}

/** Codex reads $CODEX_HOME/config.toml, default ~/.codex/config.toml. */
export function codexConfig(home: string, codexHome?: string): string {
  return path.join(codexHome || path.join(home, '.codex'), 'config.toml');
}

// ---------------------------------------------------------------------------------------------
// Files: read as text, write atomically through symlinks, keep the mode (~/.claude.json is often 0600).

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function writeText(file: string, text: string): void {
  const real = fs.existsSync(file) ? fs.realpathSync(file) : file;
  fs.mkdirSync(path.dirname(real), { recursive: true });
  const mode = fs.statSync(real, { throwIfNoEntry: false })?.mode;
  const tmp = `${real}.lockstep-${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, mode === undefined ? undefined : { mode: mode & 0o7777 });
  fs.renameSync(tmp, real);
}

/** Deleting a file we emptied is fine, but never through a symlink (a dotfile manager's link stays, with the emptied text). */
function deletable(file: string): boolean {
  return !fs.lstatSync(file).isSymbolicLink();
}

function removeFile(file: string): void {
  fs.rmSync(file);
}

function invalid(file: string, what: string, detail?: string): LockstepError {
  return new LockstepError('CONFIG_INVALID', `${file}: ${what}${detail ? ` (${detail})` : ''}; fix the file by hand and run the command again`, { file });
}

// ---------------------------------------------------------------------------------------------
// Claude Code: `mcpServers.<name>` in .mcp.json or ~/.claude.json; 2-space JSON, key order kept.

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readJson(file: string): { text: string | undefined; doc: JsonObject } {
  const text = readText(file);
  if (text === undefined || text.trim() === '') return { text, doc: {} };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw invalid(file, 'is not valid JSON', (err as Error).message);
  }
  if (!isObject(doc)) throw invalid(file, 'does not hold a JSON object');
  if (doc.mcpServers !== undefined && !isObject(doc.mcpServers)) throw invalid(file, '"mcpServers" is not an object');
  return { text, doc };
}

function jsonText(doc: JsonObject): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function installClaude(file: string, name: string, entry: ServerEntry): EditResult {
  const { text, doc } = readJson(file);
  const servers = (doc.mcpServers as JsonObject | undefined) ?? {};
  const existing = servers[name];
  if (isDeepStrictEqual(existing, { ...(isObject(existing) ? existing : {}), ...entry })) return { file, action: 'unchanged' };
  // Replacing the key in place keeps its position; other keys of our entry (env, type) are kept.
  const next = { ...doc, mcpServers: { ...servers, [name]: { ...(isObject(existing) ? existing : {}), ...entry } } };
  writeText(file, jsonText(next));
  return { file, action: text === undefined || existing === undefined ? 'created' : 'updated' };
}

/** Removes our entry; an emptied mcpServers goes too, and the file only when nothing at all is left and deleteEmpty. */
export function uninstallClaude(file: string, name: string, deleteEmpty: boolean): EditResult {
  const { text, doc } = readJson(file);
  const servers = doc.mcpServers as JsonObject | undefined;
  if (text === undefined || !servers || !Object.hasOwn(servers, name)) return { file, action: 'absent' };
  const rest = Object.fromEntries(Object.entries(servers).filter(([k]) => k !== name));
  const next: JsonObject = { ...doc, mcpServers: rest };
  if (Object.keys(rest).length === 0) delete next.mcpServers;
  if (deleteEmpty && Object.keys(next).length === 0 && deletable(file)) {
    removeFile(file);
    return { file, action: 'removed', deletedFile: true };
  }
  writeText(file, jsonText(next));
  return { file, action: 'removed' };
}

export function claudeEntryState(file: string, name: string): EntryState {
  const { text, doc } = readJson(file);
  const entry = text === undefined ? undefined : (doc.mcpServers as JsonObject | undefined)?.[name];
  return entryState(file, entry);
}

function entryState(file: string, entry: unknown): EntryState {
  if (!isObject(entry)) return { file, installed: false };
  const { command, args } = entry;
  const script = Array.isArray(args) ? args.find((a) => typeof a === 'string' && /\.(m?js|ts)$/.test(a)) : undefined;
  const exists = (p: unknown) => typeof p === 'string' && path.isAbsolute(p) && fs.existsSync(p);
  return { file, installed: true, entry: { command, args }, runnable: exists(command) && (script === undefined || exists(script)) };
}

/** Claude Code's local, uncommitted project settings: where a project .mcp.json server is approved. */
export function claudeLocalSettings(repoRoot: string): string {
  return path.join(repoRoot, '.claude', 'settings.local.json');
}

function readSettings(file: string): { text: string | undefined; doc: JsonObject; enabled: string[] } {
  const { text, doc } = readJson(file);
  const enabled = doc.enabledMcpjsonServers;
  if (enabled !== undefined && !(Array.isArray(enabled) && enabled.every((n) => typeof n === 'string'))) throw invalid(file, '"enabledMcpjsonServers" is not a list of names');
  return { text, doc, enabled: (enabled as string[] | undefined) ?? [] };
}

/** Is the project server `name` approved (listed in enabledMcpjsonServers, or all project servers enabled)? */
export function claudeApproved(file: string, name: string): boolean {
  const { doc, enabled } = readSettings(file);
  return doc.enableAllProjectMcpServers === true || enabled.includes(name);
}

/** Approve the project server `name` for this checkout: add it to enabledMcpjsonServers, keeping every other key. */
export function approveClaude(file: string, name: string): EditResult {
  const { text, doc, enabled } = readSettings(file);
  if (enabled.includes(name)) return { file, action: 'unchanged' };
  writeText(file, jsonText({ ...doc, enabledMcpjsonServers: [...enabled, name] }));
  return { file, action: text === undefined ? 'created' : 'updated' };
}

/** Take `name` out of enabledMcpjsonServers; a file left empty is deleted (approve created it). */
export function unapproveClaude(file: string, name: string): EditResult {
  const { text, doc, enabled } = readSettings(file);
  if (text === undefined || !enabled.includes(name)) return { file, action: 'absent' };
  const rest = enabled.filter((n) => n !== name);
  const next: JsonObject = { ...doc, enabledMcpjsonServers: rest };
  if (rest.length === 0) delete next.enabledMcpjsonServers;
  if (Object.keys(next).length === 0 && deletable(file)) {
    removeFile(file);
    return { file, action: 'removed', deletedFile: true };
  }
  writeText(file, jsonText(next));
  return { file, action: 'removed' };
}

/** Projects whose Claude Code local scope (`claude mcp add`, in ~/.claude.json `projects`) has a server `name`. */
export function claudeLocalEntries(userConfig: string, name: string): string[] {
  const { text, doc } = readJson(userConfig);
  if (text === undefined || !isObject(doc.projects)) return [];
  return Object.entries(doc.projects).flatMap(([dir, p]) => (isObject(p) && isObject(p.mcpServers) && Object.hasOwn(p.mcpServers, name) ? [dir] : []));
}

// ---------------------------------------------------------------------------------------------
// Codex: `[mcp_servers.<name>]` in config.toml. smol-toml parses and stringifies but drops comments, so we
// replace only our table's text span and check the result by parsing it again: everything else keeps its bytes.

type TomlTable = Record<string, unknown>;

/** Null-prototype tables from the parser become plain objects, so results compare with isDeepStrictEqual. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Date || typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
}

function parseTomlFile(file: string, text: string): TomlTable {
  try {
    return plain(parseToml(text)) as TomlTable;
  } catch (err) {
    throw invalid(file, 'is not valid TOML', (err as Error).message.split('\n')[0]);
  }
}

/** The key path of a `[a."b.c"]` header line, via the parser; null for anything else (including `[[x]]`). */
function headerPath(line: string): string[] | null | 'array' {
  const t = line.trim();
  if (t.startsWith('[[')) return 'array';
  if (!t.startsWith('[')) return null;
  let doc: unknown;
  try {
    doc = parseToml(t);
  } catch {
    return null; // a line of a multi-line array value, not a header
  }
  const keys: string[] = [];
  let node = plain(doc) as TomlTable;
  for (;;) {
    const entries = Object.entries(node);
    if (entries.length !== 1 || !isObject(entries[0]![1])) return entries.length === 0 ? keys : null;
    keys.push(entries[0]![0]);
    node = entries[0]![1] as TomlTable;
  }
}

function isOurs(p: string[] | null | 'array', name: string, sub: boolean): boolean {
  if (p === null || p === 'array') return false;
  return p[0] === 'mcp_servers' && p[1] === name && (sub ? p.length >= 2 : p.length === 2);
}

/** Lines [start, end) of `[mcp_servers.<name>]` and its sub-tables; trailing blank and comment lines belong to what follows. */
function findSpan(lines: string[], name: string): { start: number; end: number } | undefined {
  const start = lines.findIndex((l) => isOurs(headerPath(l), name, false));
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length) {
    const p = headerPath(lines[end]!);
    if (p !== null && !isOurs(p, name, true)) break;
    end++;
  }
  while (end > start + 1 && /^\s*(#.*)?$/.test(lines[end - 1]!.replace(/\r?\n$/, ''))) end--;
  return { start, end };
}

function splitLines(text: string): string[] {
  return text === '' ? [] : text.split(/(?<=\n)/);
}

function isBlank(line: string | undefined): boolean {
  return line !== undefined && line.trim() === '';
}

function checkToml(file: string, text: string, expected: TomlTable): void {
  const prune = (doc: TomlTable) => {
    const servers = doc.mcp_servers;
    return isObject(servers) && Object.keys(servers).length === 0 ? Object.fromEntries(Object.entries(doc).filter(([k]) => k !== 'mcp_servers')) : doc;
  };
  let actual: TomlTable;
  try {
    actual = plain(parseToml(text)) as TomlTable;
  } catch (err) {
    throw invalid(file, 'cannot be edited safely: our edit would not parse', (err as Error).message.split('\n')[0]);
  }
  if (!isDeepStrictEqual(prune(actual), prune(expected))) {
    throw invalid(file, 'cannot be edited safely (the server table is split or defined with dotted keys or inline)');
  }
}

/** The text with `[mcp_servers.<name>]` set to the entry (other keys of our table kept); the same text if already so. */
export function setTomlServer(file: string, text: string, name: string, entry: ServerEntry): string {
  const doc = parseTomlFile(file, text);
  if (doc.mcp_servers !== undefined && !isObject(doc.mcp_servers)) throw invalid(file, 'mcp_servers is not a table');
  const servers = (doc.mcp_servers as TomlTable | undefined) ?? {};
  const existing = servers[name];
  if (existing !== undefined && !isObject(existing)) throw invalid(file, `mcp_servers.${name} is not a table`);
  const table = { ...(existing ?? {}), ...entry };
  if (existing && isDeepStrictEqual(existing, table)) return text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const block = stringifyToml({ mcp_servers: { [name]: table } }).replace(/\n/g, eol);
  const lines = splitLines(text);
  const span = findSpan(lines, name);
  let next: string;
  if (span) {
    next = [...lines.slice(0, span.start), block, ...lines.slice(span.end)].join('');
  } else {
    const sep = text === '' ? '' : text.endsWith('\n') ? eol : eol + eol;
    next = text + sep + block;
  }
  checkToml(file, next, { ...doc, mcp_servers: { ...servers, [name]: table } });
  return next;
}

/** The text without `[mcp_servers.<name>]` and the one blank line that separated it; the same text if absent. */
export function removeTomlServer(file: string, text: string, name: string): string {
  const doc = parseTomlFile(file, text);
  const servers = doc.mcp_servers;
  if (!isObject(servers) || !Object.hasOwn(servers, name)) return text;
  const lines = splitLines(text);
  const span = findSpan(lines, name);
  if (!span) throw invalid(file, `mcp_servers.${name} is not a [mcp_servers.${name}] table`);
  let { start, end } = span;
  if (isBlank(lines[start - 1]) && (end === lines.length || isBlank(lines[end]))) start--;
  else if (start === 0 && isBlank(lines[end])) end++;
  const next = [...lines.slice(0, start), ...lines.slice(end)].join('');
  const rest = Object.fromEntries(Object.entries(servers).filter(([k]) => k !== name));
  checkToml(file, next, { ...doc, mcp_servers: rest });
  return next;
}

export function installCodex(file: string, name: string, entry: ServerEntry): EditResult {
  const text = readText(file);
  const next = setTomlServer(file, text ?? '', name, entry);
  if (text !== undefined && next === text) return { file, action: 'unchanged' };
  const existed = text !== undefined && isObject((parseTomlFile(file, text).mcp_servers as TomlTable | undefined)?.[name]);
  writeText(file, next);
  return { file, action: existed ? 'updated' : 'created' };
}

/** A config.toml left with nothing but whitespace is deleted when deleteEmpty (we may have created it). */
export function uninstallCodex(file: string, name: string, deleteEmpty: boolean): EditResult {
  const text = readText(file);
  if (text === undefined) return { file, action: 'absent' };
  const next = removeTomlServer(file, text, name);
  if (next === text) return { file, action: 'absent' };
  if (deleteEmpty && next.trim() === '' && deletable(file)) {
    removeFile(file);
    return { file, action: 'removed', deletedFile: true };
  }
  writeText(file, next);
  return { file, action: 'removed' };
}

export function codexEntryState(file: string, name: string): EntryState {
  const text = readText(file);
  if (text === undefined) return { file, installed: false };
  const servers = parseTomlFile(file, text).mcp_servers;
  return entryState(file, isObject(servers) ? servers[name] : undefined);
}

// ---------------------------------------------------------------------------------------------
// The coordination block in CLAUDE.md / AGENTS.md.

export const BLOCK_BEGIN = '<!-- lockstep:begin -->';
export const BLOCK_END = '<!-- lockstep:end -->';

export const COORDINATION_BLOCK = [
  BLOCK_BEGIN,
  '## Lockstep coordination',
  '',
  'Agents in this repository coordinate through Lockstep (tasks, leases, notes and reviews on the git ref `refs/lockstep/state`).',
  '',
  '- First call the `coordination_init` tool with your role: `planner`, `implementer` or `reviewer` (the user says which), then follow what it returns.',
  '- `lockstep prompts --role <role>` prints the full instructions for a role.',
  '- If the user says "don\'t use lockstep", stop calling the Lockstep tools and work without them.',
  BLOCK_END,
].join('\n');

export const BLOCK_FILES = ['CLAUDE.md', 'AGENTS.md'];

/** The file `init`/`enable` edit: --file, else the first existing of CLAUDE.md, AGENTS.md, else CLAUDE.md. */
export function blockTarget(root: string, file?: string): string {
  if (file !== undefined) return path.resolve(file);
  return BLOCK_FILES.map((f) => path.join(root, f)).find((f) => fs.existsSync(f)) ?? path.join(root, BLOCK_FILES[0]!);
}

function blockSpan(file: string, text: string): { start: number; end: number } | undefined {
  const start = text.indexOf(BLOCK_BEGIN);
  if (start < 0) return undefined;
  const endMarker = text.indexOf(BLOCK_END, start);
  if (endMarker < 0) throw invalid(file, `has ${BLOCK_BEGIN} without ${BLOCK_END}`);
  return { start, end: endMarker + BLOCK_END.length };
}

export type BlockAction = 'created' | 'appended' | 'updated' | 'present' | 'unchanged';

/** Pure: the text with our block. Present without force: untouched; force: the block rewritten in place. */
export function withBlock(file: string, text: string | undefined, force: boolean): { text: string; action: BlockAction; current: boolean } {
  if (text === undefined) return { text: `${COORDINATION_BLOCK}\n`, action: 'created', current: true };
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const block = COORDINATION_BLOCK.replace(/\n/g, eol);
  const span = blockSpan(file, text);
  if (span) {
    const current = text.slice(span.start, span.end) === block;
    if (current) return { text, action: 'unchanged', current };
    if (!force) return { text, action: 'present', current };
    return { text: text.slice(0, span.start) + block + text.slice(span.end), action: 'updated', current: true };
  }
  const sep = text === '' ? '' : text.endsWith('\n') ? eol : eol + eol;
  return { text: text + sep + block + eol, action: 'appended', current: true };
}

/** Pure: the text without our block, its line end and the blank line enable put before it. */
export function withoutBlock(file: string, text: string): string | undefined {
  const span = blockSpan(file, text);
  if (!span) return undefined;
  let before = text.slice(0, span.start);
  let after = text.slice(span.end);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (after.startsWith(eol)) after = after.slice(eol.length);
  const blankBefore = before.endsWith(eol + eol);
  if (blankBefore && (after === '' || after.startsWith(eol))) before = before.slice(0, -eol.length);
  else if (before === '' && after.startsWith(eol)) after = after.slice(eol.length);
  return before + after;
}

export function enableBlock(file: string, force: boolean): EditResult & { block: BlockAction; current: boolean } {
  const text = readText(file);
  const r = withBlock(file, text, force);
  if (r.text !== text) writeText(file, r.text);
  const action: EditAction = r.action === 'created' ? 'created' : r.action === 'appended' || r.action === 'updated' ? 'updated' : 'unchanged';
  return { file, action, block: r.action, current: r.current };
}

/** Removes the block; a file left empty is deleted (enable created it). */
export function disableBlock(file: string): EditResult {
  const text = readText(file);
  const next = text === undefined ? undefined : withoutBlock(file, text);
  if (next === undefined) return { file, action: 'absent' };
  if (next === '' && deletable(file)) {
    removeFile(file);
    return { file, action: 'removed', deletedFile: true };
  }
  writeText(file, next);
  return { file, action: 'removed' };
}

export function blockState(file: string): { file: string; exists: boolean; enabled: boolean; current: boolean } {
  const text = readText(file);
  const span = text === undefined ? undefined : blockSpan(file, text);
  const current = span !== undefined && text!.slice(span.start, span.end).replace(/\r\n/g, '\n') === COORDINATION_BLOCK;
  return { file, exists: text !== undefined, enabled: span !== undefined, current };
}
