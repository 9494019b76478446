// The pre-commit guard: installing and removing our git hook, chained with any existing one (which
// staged paths a lease blocks is state/leases.ts guardBlocks; the check itself is app/setup.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LockstepError } from '../errors.js';

/** The line that marks a pre-commit hook as ours; nothing else is ever touched or removed. */
export const GUARD_MARK = '# lockstep-guard';
/** Where a pre-existing pre-commit hook is kept while ours is installed; ours runs it first. */
export const CHAINED_NAME = 'pre-commit.lockstep-chained';

export interface HookFiles {
  hooksDir: string;
  hook: string;
  chained: string;
}

export function hookFiles(hooksDir: string): HookFiles {
  return { hooksDir, hook: path.join(hooksDir, 'pre-commit'), chained: path.join(hooksDir, CHAINED_NAME) };
}

/**
 * The hooks directory git really uses (`git rev-parse --git-path hooks`): core.hooksPath when set
 * (`~/` is the home folder; a relative path is relative to where hooks run: the worktree root, or
 * the git dir of a bare repository), else the common dir's hooks, which linked worktrees share.
 */
export function resolveHooksDir(repo: { workTree: string | null; gitDir: string; commonDir: string }, hooksPath: string | undefined): string {
  if (hooksPath === undefined || hooksPath === '') return path.join(repo.commonDir, 'hooks');
  let p = hooksPath;
  if (p === '~' || p.startsWith('~/')) p = path.join(os.homedir(), p.slice(1));
  return path.resolve(repo.workTree ?? repo.gitDir, p);
}

/** POSIX sh single quoting: safe for any path (a ' becomes '\''). */
function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Our hook: run the chained hook first (its failure stops the commit), then `lockstep guard check`. */
export function hookScript(nodePath: string, cliPath: string): string {
  return [
    '#!/bin/sh',
    GUARD_MARK,
    '# Refuses a commit that touches paths another agent holds an exclusive Lockstep lease on.',
    '# Installed by `lockstep guard install`; remove it with `lockstep guard uninstall`.',
    '# Override once with `git commit --no-verify`.',
    `chained="$(dirname "$0")/${CHAINED_NAME}"`,
    'if [ -x "$chained" ]; then',
    '  "$chained" "$@" || exit $?',
    'fi',
    `node=${shQuote(nodePath)}`,
    `cli=${shQuote(cliPath)}`,
    '# Lockstep moved or removed: warn and let the commit through rather than block every commit.',
    'if [ ! -x "$node" ] || [ ! -f "$cli" ]; then',
    '  echo "lockstep guard: $node or $cli is missing, commit not checked (reinstall with \\`lockstep guard install\\` or run \\`lockstep guard uninstall\\`)" >&2',
    '  exit 0',
    'fi',
    'exec "$node" "$cli" guard check',
    '',
  ].join('\n');
}

function exists(p: string): boolean {
  return fs.lstatSync(p, { throwIfNoEntry: false }) !== undefined;
}

/** A pre-commit hook is ours when it is a regular file (or a link to one) with our marker line. */
export function isGuardHook(file: string): boolean {
  if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) return false;
  return fs.readFileSync(file, 'utf8').split('\n').some((line) => line.trim() === GUARD_MARK);
}

export interface GuardStatus extends HookFiles {
  /** Our hook is the pre-commit hook. */
  installed: boolean;
  /** A pre-commit hook that is not ours is in place. */
  foreign: boolean;
  /** A hook is kept aside and chained (run first by ours). */
  hasChained: boolean;
}

export function guardStatus(hooksDir: string): GuardStatus {
  const f = hookFiles(hooksDir);
  const present = exists(f.hook);
  const installed = present && isGuardHook(f.hook);
  return { ...f, installed, foreign: present && !installed, hasChained: exists(f.chained) };
}

function writeExecutable(file: string, text: string): void {
  const tmp = `${file}.lockstep-tmp-${process.pid}`;
  fs.writeFileSync(tmp, text, { mode: 0o755 });
  fs.chmodSync(tmp, 0o755); // the umask may have cleared bits
  fs.renameSync(tmp, file);
}

export interface InstallResult extends HookFiles {
  action: 'installed' | 'updated' | 'unchanged';
  /** An existing hook was moved to `chained` by this call. */
  chainedNow: boolean;
  hasChained: boolean;
}

/** Install (or refresh) our hook; idempotent. An existing foreign hook is kept and chained. */
export function installGuard(hooksDir: string, nodePath: string, cliPath: string): InstallResult {
  const f = hookFiles(hooksDir);
  const script = hookScript(nodePath, cliPath);
  fs.mkdirSync(hooksDir, { recursive: true });
  let action: InstallResult['action'] = 'installed';
  let chainedNow = false;
  if (exists(f.hook)) {
    if (isGuardHook(f.hook)) {
      const same = fs.readFileSync(f.hook, 'utf8') === script && (fs.statSync(f.hook).mode & 0o111) === 0o111;
      if (same) return { ...f, action: 'unchanged', chainedNow, hasChained: exists(f.chained) };
      action = 'updated';
    } else {
      if (exists(f.chained)) {
        throw new LockstepError('HOOK_CONFLICT', `${f.hook} is not Lockstep's hook and ${f.chained} already exists, so there is nowhere to keep it; merge or remove one of them, then run \`lockstep guard install\` again`, { hook: f.hook, chained: f.chained });
      }
      fs.renameSync(f.hook, f.chained);
      chainedNow = true;
    }
  }
  writeExecutable(f.hook, script);
  return { ...f, action, chainedNow, hasChained: exists(f.chained) };
}

export interface UninstallResult extends HookFiles {
  action: 'removed' | 'not-installed';
  /** The chained hook was put back as the pre-commit hook. */
  restored: boolean;
}

/** Remove exactly our hook and put a chained hook back; refuses a pre-commit hook that is not ours. */
export function uninstallGuard(hooksDir: string): UninstallResult {
  const f = hookFiles(hooksDir);
  let action: UninstallResult['action'] = 'not-installed';
  if (exists(f.hook)) {
    if (!isGuardHook(f.hook)) {
      throw new LockstepError('HOOK_CONFLICT', `${f.hook} is not Lockstep's hook (no "${GUARD_MARK}" line); it was left as it is. Remove it yourself if you mean to`, { hook: f.hook });
    }
    fs.unlinkSync(f.hook);
    action = 'removed';
  }
  let restored = false;
  if (exists(f.chained)) {
    fs.renameSync(f.chained, f.hook);
    restored = true;
  }
  return { ...f, action, restored };
}
