// The guard: installing and removing our git hooks (pre-commit, pre-merge-commit, post-rewrite),
// each chained with any existing one (which paths a lease blocks is state/leases.ts guardBlocks;
// the checks themselves are app/setup.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LockstepError } from '../errors.js';

/** The line that marks a hook as ours; nothing else is ever touched or removed. */
export const GUARD_MARK = '# lockstep-guard';

/**
 * The hooks we install: commits and merge commits are refused (git runs no hook for `--no-verify`);
 * a rebase or an amend cannot be refused after the fact, so post-rewrite reports. Cherry-picks run
 * none of these (only reference-transaction, which runs on every ref update): not covered.
 */
export const GUARD_HOOKS = ['pre-commit', 'pre-merge-commit', 'post-rewrite'] as const;
export type GuardHook = (typeof GUARD_HOOKS)[number];

export interface HookFiles {
  hooksDir: string;
  name: GuardHook;
  hook: string;
  /** Where a pre-existing hook of that name is kept while ours is installed; ours runs it first. */
  chained: string;
}

export function hookFiles(hooksDir: string, name: GuardHook = 'pre-commit'): HookFiles {
  return { hooksDir, name, hook: path.join(hooksDir, name), chained: path.join(hooksDir, `${name}.lockstep-chained`) };
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

/**
 * Our hook: run the chained hook first (its failure stops the commit), then `lockstep guard check`.
 * post-rewrite gets the rewritten commits on stdin, which both hooks read: it is kept in a variable.
 */
export function hookScript(nodePath: string, cliPath: string, name: GuardHook = 'pre-commit'): string {
  const rewrite = name === 'post-rewrite';
  return [
    '#!/bin/sh',
    GUARD_MARK,
    rewrite
      ? '# Reports rebased or amended commits that touch paths another agent holds an exclusive Lockstep lease on.'
      : `# Refuses a ${name === 'pre-merge-commit' ? 'merge commit' : 'commit'} that touches paths another agent holds an exclusive Lockstep lease on.`,
    '# Installed by `lockstep guard install`; remove it with `lockstep guard uninstall`.',
    rewrite ? '# git runs it after the rewrite, so it can only warn.' : '# Override once with `git commit --no-verify` (`git merge --no-verify`).',
    ...(rewrite ? ['input="$(cat)"'] : []),
    `chained="$(dirname "$0")/${name}.lockstep-chained"`,
    'if [ -x "$chained" ]; then',
    rewrite ? '  printf \'%s\\n\' "$input" | "$chained" "$@" || exit $?' : '  "$chained" "$@" || exit $?',
    'fi',
    `node=${shQuote(nodePath)}`,
    `cli=${shQuote(cliPath)}`,
    '# Lockstep moved or removed: warn and let the commit through rather than block every commit.',
    'if [ ! -x "$node" ] || [ ! -f "$cli" ]; then',
    '  echo "lockstep guard: $node or $cli is missing, commit not checked (reinstall with \\`lockstep guard install\\` or run \\`lockstep guard uninstall\\`)" >&2',
    '  exit 0',
    'fi',
    rewrite ? 'printf \'%s\\n\' "$input" | exec "$node" "$cli" guard check --rewritten' : 'exec "$node" "$cli" guard check',
    '',
  ].join('\n');
}

function exists(p: string): boolean {
  return fs.lstatSync(p, { throwIfNoEntry: false }) !== undefined;
}

/** A hook is ours when it is a regular file (or a link to one) with our marker line. */
export function isGuardHook(file: string): boolean {
  if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) return false;
  return fs.readFileSync(file, 'utf8').split('\n').some((line) => line.trim() === GUARD_MARK);
}

export interface HookStatus extends HookFiles {
  /** Our hook is in place under that name. */
  installed: boolean;
  /** A hook of that name that is not ours is in place. */
  foreign: boolean;
  /** A hook is kept aside and chained (run first by ours). */
  hasChained: boolean;
}

/** The pre-commit hook's status (the fields older callers read) and every guard hook's. */
export interface GuardStatus extends HookStatus {
  hooks: HookStatus[];
}

function hookStatus(hooksDir: string, name: GuardHook): HookStatus {
  const f = hookFiles(hooksDir, name);
  const present = exists(f.hook);
  const installed = present && isGuardHook(f.hook);
  return { ...f, installed, foreign: present && !installed, hasChained: exists(f.chained) };
}

export function guardStatus(hooksDir: string): GuardStatus {
  const hooks = GUARD_HOOKS.map((name) => hookStatus(hooksDir, name));
  return { ...hooks[0]!, installed: hooks.every((h) => h.installed), hooks };
}

function writeExecutable(file: string, text: string): void {
  const tmp = `${file}.lockstep-tmp-${process.pid}`;
  fs.writeFileSync(tmp, text, { mode: 0o755 });
  fs.chmodSync(tmp, 0o755); // the umask may have cleared bits
  fs.renameSync(tmp, file);
}

export interface HookInstall extends HookFiles {
  action: 'installed' | 'updated' | 'unchanged';
  /** An existing hook was moved to `chained` by this call. */
  chainedNow: boolean;
  hasChained: boolean;
}

/** The pre-commit hook's result (the fields older callers read) and every guard hook's. */
export interface InstallResult extends HookInstall {
  hooks: HookInstall[];
}

/** Install (or refresh) our hooks; idempotent. An existing foreign hook is kept and chained. Nothing is changed when one cannot be. */
export function installGuard(hooksDir: string, nodePath: string, cliPath: string): InstallResult {
  fs.mkdirSync(hooksDir, { recursive: true });
  for (const name of GUARD_HOOKS) {
    const f = hookFiles(hooksDir, name);
    if (exists(f.hook) && !isGuardHook(f.hook) && exists(f.chained)) {
      throw new LockstepError('HOOK_CONFLICT', `${f.hook} is not Lockstep's hook and ${f.chained} already exists, so there is nowhere to keep it; merge or remove one of them, then run \`lockstep guard install\` again`, { hook: f.hook, chained: f.chained });
    }
  }
  const hooks = GUARD_HOOKS.map((name): HookInstall => {
    const f = hookFiles(hooksDir, name);
    const script = hookScript(nodePath, cliPath, name);
    let action: HookInstall['action'] = 'installed';
    let chainedNow = false;
    if (exists(f.hook)) {
      if (isGuardHook(f.hook)) {
        const same = fs.readFileSync(f.hook, 'utf8') === script && (fs.statSync(f.hook).mode & 0o111) === 0o111;
        if (same) return { ...f, action: 'unchanged', chainedNow, hasChained: exists(f.chained) };
        action = 'updated';
      } else {
        fs.renameSync(f.hook, f.chained);
        chainedNow = true;
      }
    }
    writeExecutable(f.hook, script);
    return { ...f, action, chainedNow, hasChained: exists(f.chained) };
  });
  const changed = hooks.find((h) => h.action !== 'unchanged');
  return { ...hooks[0]!, action: changed ? (hooks.some((h) => h.action === 'installed') ? 'installed' : 'updated') : 'unchanged', hooks };
}

export interface HookUninstall extends HookFiles {
  action: 'removed' | 'not-installed';
  /** The chained hook was put back under its name. */
  restored: boolean;
}

export interface UninstallResult extends HookUninstall {
  hooks: HookUninstall[];
}

/** Remove exactly our hooks and put chained hooks back; a hook that is not ours is never removed. */
export function uninstallGuard(hooksDir: string): UninstallResult {
  const before = GUARD_HOOKS.map((name) => hookStatus(hooksDir, name));
  const foreign = before.find((h) => h.foreign);
  if (foreign && !before.some((h) => h.installed)) {
    throw new LockstepError('HOOK_CONFLICT', `${foreign.hook} is not Lockstep's hook (no "${GUARD_MARK}" line); it was left as it is. Remove it yourself if you mean to`, { hook: foreign.hook });
  }
  const hooks = GUARD_HOOKS.map((name): HookUninstall => {
    const f = hookFiles(hooksDir, name);
    let action: HookUninstall['action'] = 'not-installed';
    if (exists(f.hook) && isGuardHook(f.hook)) {
      fs.unlinkSync(f.hook);
      action = 'removed';
    }
    let restored = false;
    if (exists(f.chained) && !exists(f.hook)) {
      fs.renameSync(f.chained, f.hook);
      restored = true;
    }
    return { ...f, action, restored };
  });
  return { ...hooks[0]!, action: hooks.some((h) => h.action === 'removed') ? 'removed' : 'not-installed', hooks };
}
