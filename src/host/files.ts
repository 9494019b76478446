// Host files: where file and command tools may reach (the config), resolving agent paths (repo root, strict roots, realpath, git internals), reading and writing files and artifacts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LockstepError } from '../errors.js';
import { excludeLocally } from '../git/exclude.js';

export interface HostConfig {
  /** The repository's work tree: relative paths resolve against it, never the server's cwd. */
  root: string;
  /** open: any path; strict: only paths whose realpath is inside one of `roots`. */
  mode: 'open' | 'strict';
  /** Absolute realpaths; in strict mode [root] unless --roots says otherwise. */
  roots: string[];
  /** open: any command (a command string runs through /bin/sh -c); allowlist: no shell, argv[0] in commandAllow. */
  commandMode: 'open' | 'allowlist';
  commandAllow: string[];
  /** The repository's git dir and common dir: never written; `info/exclude` lives in the common dir. */
  gitDirs: string[];
  commonDir: string;
}

export const MIB = 1024 * 1024;
/**
 * The most one read returns: the content goes twice into a reply (text and result), which stays
 * under the 1 MiB reply limit with room for JSON escapes. `offset` / `nextOffset` read on.
 */
export const READ_PAGE_BYTES = 256 * 1024;
export const DEFAULT_READ_BYTES = READ_PAGE_BYTES;
/** The largest maxBytes accepted (a read still returns at most READ_PAGE_BYTES). */
export const MAX_READ_BYTES = 8 * MIB;
export const ARTIFACTS_DIR = path.join('.lockstep', 'artifacts');

export type Encoding = 'utf8' | 'latin1' | 'base64' | 'hex';

export interface HostFlags {
  mode?: string;
  roots?: string;
  commandMode?: string;
  commandAllow?: string;
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new LockstepError('INVALID_INPUT', `${flag} must be one of ${allowed.join(', ')} (got "${value}")`, { flag, value });
  }
  return value as T;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `~` and `~/x` mean the home directory, as in a shell. */
function expandHome(p: string): string {
  if (p === '~') return os.homedir();
  if (p.startsWith('~/')) return path.join(os.homedir(), p.slice(2));
  return p;
}

/** Build the config from the `lockstep server` flags; a bad value is INVALID_INPUT. */
export function hostConfig(repo: { root: string; gitDirs: string[]; commonDir: string }, flags: HostFlags): HostConfig {
  const mode = oneOf('--mode', flags.mode, ['open', 'strict'], 'open');
  const commandMode = oneOf('--command-mode', flags.commandMode, ['open', 'allowlist'], 'open');
  const rootList = list(flags.roots);
  const commandAllow = list(flags.commandAllow);
  if (rootList.length > 0 && mode !== 'strict') {
    throw new LockstepError('INVALID_INPUT', '--roots only applies to --mode strict; add --mode strict (or drop --roots)', { flag: '--roots' });
  }
  if (commandAllow.length > 0 && commandMode !== 'allowlist') {
    throw new LockstepError('INVALID_INPUT', '--command-allow only applies to --command-mode allowlist; add --command-mode allowlist (or drop --command-allow)', { flag: '--command-allow' });
  }
  const roots = (rootList.length > 0 ? rootList : [repo.root]).map((r) => {
    const abs = path.resolve(repo.root, expandHome(r));
    if (!fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory()) {
      throw new LockstepError('INVALID_INPUT', `--roots: ${abs} is not an existing directory; create it or fix the list`, { flag: '--roots', root: abs });
    }
    return fs.realpathSync(abs);
  });
  return { root: fs.realpathSync(repo.root), mode, roots, commandMode, commandAllow, gitDirs: repo.gitDirs.map((d) => realTarget(d)), commonDir: repo.commonDir };
}

/** True when `child` is `parent` or below it (a path check, so /root-other is not under /root). */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** Turn the fs errors an agent can cause into coded errors; anything else stays unexpected (INTERNAL). */
export function fsError(err: unknown, p: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new LockstepError('FILE_NOT_FOUND', `${p} does not exist (or a part of it is not a folder); check the path`, { path: p });
    case 'EISDIR':
      return new LockstepError('INVALID_INPUT', `${p} is a folder; give a file path`, { path: p });
    case 'EEXIST':
      return new LockstepError('INVALID_INPUT', `a part of ${p} is a file where a folder is needed; choose another path`, { path: p });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new LockstepError('FILE_ACCESS_DENIED', `no permission for ${p} (${code}); choose another path or fix its permissions`, { path: p, errno: code });
    case 'ELOOP':
      return new LockstepError('INVALID_INPUT', `${p} is a symlink loop (or a symlink where none may be); give a real path`, { path: p });
    case 'ENAMETOOLONG':
      return new LockstepError('INVALID_INPUT', `${p} is too long a path`, { path: p });
    default:
      return err;
  }
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw fsError(err, p);
  }
}

/**
 * Where a path really lands: the realpath of its nearest existing ancestor plus the rest. A dangling
 * symlink is followed by hand, so a write through it is checked where it would land.
 */
export function realTarget(abs: string, hops = 0): string {
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      return path.join(fs.realpathSync(cur), ...rest);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fsError(err, abs);
    }
    if (lstatOrNull(cur)?.isSymbolicLink()) {
      if (hops >= 40) throw new LockstepError('INVALID_INPUT', `${abs}: too many levels of symlinks; give a real path`, { path: abs });
      const dir = fs.realpathSync(path.dirname(cur));
      return realTarget(path.join(path.resolve(dir, fs.readlinkSync(cur)), ...rest), hops + 1);
    }
    const parent = path.dirname(cur);
    if (parent === cur) return path.join(cur, ...rest);
    rest.unshift(path.basename(cur));
    cur = parent;
  }
}

function checkPathText(p: string): void {
  if (p === '') throw new LockstepError('INVALID_INPUT', 'path is empty; give a file path (relative paths start at the repository root)');
  if (p.includes('\0')) throw new LockstepError('INVALID_INPUT', 'path contains a NUL byte', { path: p });
}

/**
 * An agent's path -> the real absolute path to use. Relative paths start at the repository root.
 * In strict mode the real path must be inside the real path of one of the roots.
 */
export function resolvePath(ws: HostConfig, p: string): string {
  checkPathText(p);
  // `~` and `~/x` mean the home directory, as in a shell (then the strict roots apply as to any path).
  const real = realTarget(path.resolve(ws.root, expandHome(p)));
  checkRoots(ws, p, real);
  return real;
}

/** The one check of where a real path lands: in strict mode, inside one of the roots (files and artifacts alike). */
function checkRoots(ws: HostConfig, shown: string, real: string): void {
  if (ws.mode === 'strict' && !ws.roots.some((r) => isInside(real, r))) {
    throw new LockstepError('PATH_OUTSIDE_ROOTS', `${shown} resolves to ${real}, outside the allowed roots (${ws.roots.join(', ')}); use a path inside them`, { path: shown, real, roots: ws.roots });
  }
}

/** Git internals are never written by agents, in either mode: they must go through git itself. */
function checkWritable(ws: HostConfig, p: string, real: string): void {
  const inGitDir = ws.gitDirs.some((d) => isInside(real, d));
  const inDotGit = isInside(real, ws.root) && path.relative(ws.root, real).split(path.sep).some((s) => s.toLowerCase() === '.git');
  if (inGitDir || inDotGit) {
    throw new LockstepError('PATH_PROTECTED', `${p} is inside git's own files (.git); change them with git commands (command_run), not file_write`, { path: p, real });
  }
}

export interface ReadOptions {
  encoding?: Encoding;
  maxBytes?: number;
  /** The byte to start at (a previous read's nextOffset). */
  offset?: number;
  /** Return base64 (same as encoding base64). */
  binary?: boolean;
}

export interface ReadResult {
  path: string;
  /** True when the file goes on after this page: read on from nextOffset. */
  truncated: boolean;
  content: string;
  offset: number;
  nextOffset?: number;
}

export interface WriteOptions {
  encoding?: Encoding;
  mode?: 'overwrite' | 'append';
  /** Create missing parent folders (default true). */
  createDirs?: boolean;
}

export interface WriteResult {
  path: string;
  bytes: number;
}

/** The longest prefix of `buf` that does not end inside a UTF-8 sequence (cut at a truncation). */
export function utf8Prefix(buf: Buffer): Buffer {
  const i = buf.length;
  // Step back over at most 3 continuation bytes to the lead byte of the last sequence.
  let back = 0;
  while (back < 3 && i - back - 1 >= 0 && (buf[i - back - 1]! & 0xc0) === 0x80) back++;
  const lead = i - back - 1;
  if (lead < 0) return buf;
  const b = buf[lead]!;
  const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
  return need > back + 1 ? buf.subarray(0, lead) : buf;
}

/** FIFOs, sockets and devices would block the server (or never end): only regular files are read and written. */
function checkRegular(real: string, shown: string): void {
  const st = lstatOrNull(real);
  if (st && !st.isFile() && !st.isDirectory()) {
    throw new LockstepError('INVALID_INPUT', `${shown} is not a regular file (a pipe, socket or device); give a file path`, { path: shown });
  }
}

function readReal(real: string, shown: string, opts: ReadOptions): ReadResult {
  const maxBytes = opts.maxBytes ?? DEFAULT_READ_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > MAX_READ_BYTES) {
    throw new LockstepError('INVALID_INPUT', `maxBytes must be a whole number from 1 to ${MAX_READ_BYTES} (8 MiB)`, { maxBytes });
  }
  const offset = opts.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new LockstepError('INVALID_INPUT', 'offset must be a whole number of bytes from 0 (a previous read\'s nextOffset)', { offset });
  const want = Math.min(maxBytes, READ_PAGE_BYTES);
  const encoding: Encoding = opts.binary ? 'base64' : (opts.encoding ?? 'utf8');
  checkRegular(real, shown);
  let fd: number;
  try {
    fd = fs.openSync(real, 'r');
  } catch (err) {
    throw fsError(err, shown);
  }
  try {
    if (fs.fstatSync(fd).isDirectory()) throw new LockstepError('INVALID_INPUT', `${shown} is a folder; give a file path`, { path: shown });
    // Read one byte past the cap to know whether there is more; size from fstat is not trusted (/proc, pipes).
    const buf = Buffer.alloc(want + 1);
    let n = 0;
    for (;;) {
      const got = fs.readSync(fd, buf, n, buf.length - n, offset + n);
      if (got === 0) break;
      n += got;
      if (n === buf.length) break;
    }
    const truncated = n > want;
    let data: Buffer = buf.subarray(0, Math.min(n, want));
    // Cut at a character boundary, unless nothing would be left (paging must move on).
    if (truncated && encoding === 'utf8') {
      const whole = utf8Prefix(data);
      if (whole.length > 0) data = whole;
    }
    return { path: shown, truncated, content: data.toString(encoding), offset, nextOffset: truncated ? offset + data.length : undefined };
  } catch (err) {
    throw fsError(err, shown);
  } finally {
    fs.closeSync(fd);
  }
}

function writeReal(real: string, shown: string, content: string, opts: WriteOptions): WriteResult {
  // Buffer.from skips characters that are not base64; refuse them instead of writing other bytes.
  if (opts.encoding === 'base64' && !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(content)) {
    throw new LockstepError('INVALID_INPUT', 'content is not valid base64; encode the bytes as base64 or use encoding utf8', { path: shown });
  }
  const data = Buffer.from(content, opts.encoding ?? 'utf8');
  checkRegular(real, shown);
  const dir = path.dirname(real);
  try {
    if (opts.createDirs !== false) fs.mkdirSync(dir, { recursive: true });
    else if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new LockstepError('FILE_NOT_FOUND', `folder ${dir} does not exist; pass createDirs: true or create it first`, { path: shown });
    }
    // O_NOFOLLOW: the checked real path is what gets written, even if a symlink appears there meanwhile.
    const { O_WRONLY, O_CREAT, O_APPEND, O_TRUNC, O_NOFOLLOW } = fs.constants;
    const flags = O_WRONLY | O_CREAT | O_NOFOLLOW | (opts.mode === 'append' ? O_APPEND : O_TRUNC);
    const fd = fs.openSync(real, flags, 0o666);
    try {
      let off = 0;
      while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    throw fsError(err, shown);
  }
  return { path: shown, bytes: data.length };
}

/** file_read: any path the mode allows. The result names the real absolute path. */
export function readFile(ws: HostConfig, p: string, opts: ReadOptions = {}): ReadResult {
  const real = resolvePath(ws, p);
  return readReal(real, real, opts);
}

/** file_write: any path the mode allows, except git's own files. */
export function writeFile(ws: HostConfig, p: string, content: string, opts: WriteOptions = {}): WriteResult {
  const real = resolvePath(ws, p);
  checkWritable(ws, p, real);
  return writeReal(real, real, content, opts);
}

// ---- artifacts: files agents hand each other (logs, reports, screenshots), kept out of git ----

/** Artifact names are relative paths below the artifacts directory; `..` and absolute paths are refused. */
function artifactPath(ws: HostConfig, name: string): { dir: string; target: string } {
  checkPathText(name);
  if (path.isAbsolute(name) || name.split(/[\\/]/).includes('..')) {
    throw new LockstepError('INVALID_INPUT', `artifact path ${name} must be relative and without ".."; e.g. "reports/test-run.txt"`, { path: name });
  }
  const dir = path.join(ws.root, ARTIFACTS_DIR);
  return { dir, target: path.join(dir, name) };
}

/**
 * The real target of an artifact: refused when a symlink takes it out of the artifacts directory,
 * and checked like any file path (strict roots), since the directory itself may be a symlink.
 */
function artifactReal(ws: HostConfig, dir: string, target: string, name: string): string {
  const realDir = realTarget(dir);
  const real = realTarget(target);
  if (real === realDir || !isInside(real, realDir)) {
    throw new LockstepError('PATH_OUTSIDE_ROOTS', `artifact ${name} resolves to ${real}, outside the artifacts folder ${realDir}; use a plain relative name`, { path: name, real });
  }
  checkRoots(ws, `artifact ${name}`, real);
  return real;
}

export function readArtifact(ws: HostConfig, name: string, opts: ReadOptions = {}): ReadResult {
  const { dir, target } = artifactPath(ws, name);
  if (!fs.existsSync(dir)) throw new LockstepError('FILE_NOT_FOUND', `artifact ${name} does not exist (no artifact was written yet); check the name`, { path: name });
  const real = artifactReal(ws, dir, target, name);
  return readReal(real, name, opts);
}

export function writeArtifact(ws: HostConfig, name: string, content: string, opts: WriteOptions = {}): WriteResult {
  const { dir, target } = artifactPath(ws, name);
  // Artifacts stay out of `git status`: one line in the common dir's info/exclude.
  excludeLocally(ws.commonDir, '.lockstep/');
  // The folder must not lead into git's files (a symlinked .lockstep/artifacts to .git/hooks would plant a hook).
  checkRoots(ws, ARTIFACTS_DIR, realTarget(dir));
  checkWritable(ws, ARTIFACTS_DIR, realTarget(dir));
  fs.mkdirSync(dir, { recursive: true });
  const real = artifactReal(ws, dir, target, name);
  checkWritable(ws, `artifact ${name}`, real);
  return writeReal(real, name, content, opts);
}

/** The real path of `p`, or `p` resolved when it does not exist (yet). */
export function realOrResolved(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return abs;
    throw err;
  }
}
