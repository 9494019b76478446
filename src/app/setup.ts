// What a person sets up, for the CLI: our server in the MCP clients' configs (install, uninstall,
// what status reports), the coordination block and the state ref (init, enable, disable), and the
// pre-commit guard. The file edits themselves are in setup/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorBody, isLockstepError, LockstepError } from '../errors.js';
import { runGit } from '../git/cli.js';
import { configValue } from '../git/config.js';
import { discoverRepo, type GitRepo } from '../git/repo.js';
import { guardStatus, installGuard, resolveHooksDir, uninstallGuard } from '../setup/guard.js';
import { excludeLocally } from '../git/exclude.js';
import {
  approveClaude,
  BLOCK_BEGIN,
  BLOCK_END,
  BLOCK_FILES,
  blockState,
  blockTarget,
  claudeApproved,
  claudeEntryState,
  claudeLocalEntries,
  claudeLocalSettings,
  claudeProjectConfig,
  claudeUserConfig,
  codexConfig,
  codexEntryState,
  disableBlock,
  enableBlock,
  installClaude,
  installCodex,
  unapproveClaude,
  uninstallClaude,
  uninstallCodex,
  type EditResult,
  type EntryState,
  type ServerEntry,
} from '../setup/install.js';
import { realOrResolved } from '../host/files.js';
import { guardBlocks, type GuardBlock } from '../state/leases.js';
import type { Agent } from '../state/core/schema.js';
import type { State } from '../state/core/state.js';
import { stateInit } from '../state/ops/state-init.js';
import { parseRole } from '../state/roles.js';
import type { Lockstep } from './lockstep.js';
import type { Identity } from './use-case.js';

export type Scope = 'project' | 'user';

/** One config we write: which agent, which scope, which file. */
export interface Target {
  agent: 'claude' | 'codex';
  scope: Scope;
  file: string;
}

/** This CLI's entry point as an absolute real path, so installed commands and hooks work from any directory. */
export function cliEntry(): string {
  const entry = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  if (!fs.existsSync(entry)) {
    throw new LockstepError('INVALID_INPUT', `${entry} does not exist; build Lockstep (npm run build) and install from dist/cli/main.js`, { entry });
  }
  return fs.realpathSync(entry);
}

/** The repository root for the project-scope .mcp.json and the coordination block (a bare repository has none). */
export function repoRoot(dir: string): string {
  const repo = discoverRepo(dir);
  if (repo.workTree === null) throw new LockstepError('INVALID_INPUT', `${repo.commonDir} is a bare repository with no work tree here; use --scope user`, { gitDir: repo.commonDir });
  return repo.workTree;
}

export function scopeOf(value: string | undefined): Scope {
  if (value === undefined || value === 'project' || value === 'user') return value ?? 'project';
  throw new LockstepError('INVALID_INPUT', `--scope must be project or user, not "${value}"`, { flag: '--scope' });
}

export function nameOf(value: string | undefined): string {
  const name = value ?? 'lockstep';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new LockstepError('INVALID_INPUT', `--name "${name}": use 1-64 letters, digits, - or _`, { flag: '--name' });
  return name;
}

export interface TargetFlags {
  claude: boolean;
  codex: boolean;
  all: boolean;
}

/** Claude Code's file for the scope, Codex's one config (~/.codex/config.toml or $CODEX_HOME); --claude/--codex pick, default both. */
export function targetsFor(flags: TargetFlags, scope: Scope, repoDir: string): Target[] {
  const both = flags.all || (!flags.claude && !flags.codex);
  const out: Target[] = [];
  const home = os.homedir();
  if (both || flags.claude) out.push({ agent: 'claude', scope, file: scope === 'user' ? claudeUserConfig(home) : claudeProjectConfig(repoRoot(repoDir)) });
  if (both || flags.codex) out.push({ agent: 'codex', scope: 'user', file: codexConfig(home, process.env.CODEX_HOME) });
  return out;
}

/**
 * What uninstall looks at: with --scope, that scope; without, every place install writes: Claude
 * Code's project .mcp.json (when run in a repository) and ~/.claude.json, and Codex's config.
 */
export function uninstallTargets(flags: TargetFlags, scope: string | undefined, repoDir: string): Target[] {
  if (scope !== undefined) return targetsFor(flags, scopeOf(scope), repoDir);
  const both = flags.all || (!flags.claude && !flags.codex);
  const home = os.homedir();
  const out: Target[] = [];
  if (both || flags.claude) {
    const root = rootIfRepository(repoDir);
    if (root) out.push({ agent: 'claude', scope: 'project', file: claudeProjectConfig(root) });
    out.push({ agent: 'claude', scope: 'user', file: claudeUserConfig(home) });
  }
  if (both || flags.codex) out.push({ agent: 'codex', scope: 'user', file: codexConfig(home, process.env.CODEX_HOME) });
  return out;
}

/** The work tree root of the repository `dir` is in, or null outside one (or in a bare one). */
function rootIfRepository(dir: string): string | null {
  try {
    return discoverRepo(dir).workTree;
  } catch (err) {
    if (isLockstepError(err, 'NOT_A_GIT_REPO')) return null;
    throw err;
  }
}

export interface ServerFlags {
  role?: string;
  agent?: string;
  mode?: string;
  roots?: string;
  commandMode?: string;
  commandAllow?: string;
  disableTools?: string;
  waitDefault?: string;
  waitMax?: string;
}

function oneOf(flag: string, value: string | undefined, allowed: string[]): string | undefined {
  if (value !== undefined && !allowed.includes(value)) throw new LockstepError('INVALID_INPUT', `${flag} must be ${allowed.join(' or ')}, not "${value}"`, { flag });
  return value;
}

/** `server` and the flags given, checked now so a typo fails at install and not when the agent starts. */
export function serverArgs(flags: ServerFlags, toolNames: ReadonlySet<string>): string[] {
  const args = ['server'];
  const add = (flag: string, value: string | undefined) => {
    if (value !== undefined) args.push(flag, value);
  };
  add('--role', flags.role === undefined ? undefined : parseRole(flags.role));
  add('--agent', flags.agent);
  add('--mode', oneOf('--mode', flags.mode, ['open', 'strict']));
  if (flags.roots !== undefined && flags.mode !== 'strict') throw new LockstepError('INVALID_INPUT', '--roots only applies to --mode strict; add --mode strict (or drop --roots)', { flag: '--roots' });
  add('--roots', flags.roots);
  add('--command-mode', oneOf('--command-mode', flags.commandMode, ['open', 'allowlist']));
  if (flags.commandAllow !== undefined && flags.commandMode !== 'allowlist') {
    throw new LockstepError('INVALID_INPUT', '--command-allow only applies to --command-mode allowlist; add --command-mode allowlist (or drop --command-allow)', { flag: '--command-allow' });
  }
  add('--command-allow', flags.commandAllow);
  if (flags.disableTools !== undefined) checkToolNames(flags.disableTools, toolNames);
  add('--disable-tools', flags.disableTools);
  for (const [flag, v] of [['--wait-default-sec', flags.waitDefault], ['--wait-max-sec', flags.waitMax]] as const) {
    if (v !== undefined && !(Number(v) >= 0 && Number(v) <= 3600)) throw new LockstepError('INVALID_INPUT', `${flag} must be 0-3600 seconds, not "${v}"`, { flag });
    add(flag, v);
  }
  return args;
}

/** `--disable-tools a,b`: every name must be a tool, so a typo does not silently leave it enabled. */
export function checkToolNames(flag: string | undefined, toolNames: ReadonlySet<string>): Set<string> {
  const names = (flag ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !toolNames.has(n));
  if (unknown.length) throw new LockstepError('INVALID_INPUT', `--disable-tools names unknown tools: ${unknown.join(', ')}`, { unknown });
  return new Set(names);
}

export type TargetResult = Target & EditResult;

/** Write our entry (this node and CLI by absolute path, then `args`) into each target. */
export function installInto(targets: Target[], name: string, args: string[]): { entry: ServerEntry; results: TargetResult[] } {
  const entry: ServerEntry = { command: fs.realpathSync(process.execPath), args: [cliEntry(), ...args] };
  const results = targets.map((t) => ({ ...t, ...(t.agent === 'claude' ? installClaude(t.file, name, entry) : installCodex(t.file, name, entry)) }));
  return { entry, results };
}

/**
 * Remove exactly our entry from each target (a project .mcp.json or a config.toml left empty is
 * deleted), and a project server's approval with it.
 */
export function uninstallFrom(targets: Target[], name: string): TargetResult[] {
  return targets.map((t) => {
    if (t.agent === 'codex') return { ...t, ...uninstallCodex(t.file, name, true) };
    if (t.scope === 'project') unapproveClaude(claudeLocalSettings(path.dirname(t.file)), name);
    return { ...t, ...uninstallClaude(t.file, name, t.scope === 'project') };
  });
}

/** Entries of `name` that install did not write and uninstall leaves: Claude Code's local scope, per project. */
export function remainingEntries(name: string): { where: string; remove: string }[] {
  return claudeLocalEntries(claudeUserConfig(os.homedir()), name).map((dir) => ({ where: `Claude Code local scope of ${dir} (in ~/.claude.json)`, remove: `cd ${dir} && claude mcp remove ${name} -s local` }));
}

/** Is the project server approved in Claude Code (it asks before starting a project .mcp.json server)? */
export function projectApproved(root: string, name: string): boolean {
  return claudeApproved(claudeLocalSettings(root), name);
}

/**
 * Approve the project server for this checkout, as accepting Claude Code's prompt would: its name in
 * .claude/settings.local.json, which stays out of git (info/exclude).
 */
export function approveProject(root: string, name: string): EditResult {
  const r = approveClaude(claudeLocalSettings(root), name);
  excludeLocally(discoverRepo(root).commonDir, '/.claude/settings.local.json');
  return r;
}

export type InstallRow = { agent: 'claude' | 'codex'; scope: Scope } & EntryState & { error?: { code: string; message: string } };

/** Where our server is installed (a config we cannot parse is reported in its row, not fatal). */
export function installState(root: string | null, name: string): InstallRow[] {
  const probe = (file: string, read: (file: string) => EntryState) => {
    try {
      return read(file);
    } catch (err) {
      const b = errorBody(err);
      return { file, installed: false, error: { code: b.code, message: b.message } };
    }
  };
  const home = os.homedir();
  return [
    ...(root ? [{ agent: 'claude' as const, scope: 'project' as const, ...probe(claudeProjectConfig(root), (f) => claudeEntryState(f, name)) }] : []),
    { agent: 'claude', scope: 'user', ...probe(claudeUserConfig(home), (f) => claudeEntryState(f, name)) },
    { agent: 'codex', scope: 'user', ...probe(codexConfig(home, process.env.CODEX_HOME), (f) => codexEntryState(f, name)) },
  ];
}

// ---- the coordination block and the state ref ----

export { BLOCK_BEGIN, BLOCK_END, BLOCK_FILES };

/** The block in the repository's CLAUDE.md / AGENTS.md: present, current. */
export function blockStates(root: string | null) {
  return root ? BLOCK_FILES.map((f) => blockState(path.join(root, f))).filter((b) => b.exists) : [];
}

/** Add (or with force rewrite) the block in `file`, else the first existing of CLAUDE.md, AGENTS.md. */
export function writeBlock(root: string, file: string | undefined, force: boolean) {
  return enableBlock(blockTarget(root, file), force);
}

/** Remove the block from `file`, else from both CLAUDE.md and AGENTS.md at the root. */
export function removeBlock(root: () => string, file: string | undefined) {
  const files = file !== undefined ? [path.resolve(file)] : BLOCK_FILES.map((f) => path.join(root(), f));
  return { files, results: files.map((f) => disableBlock(f)) };
}

/** Create the state ref with lockstep.yaml when it is missing. */
export function initState(app: Lockstep, who: Identity) {
  return app.transact(stateInit, {}, who);
}

// ---- the pre-commit guard ----

/** The hooks directory git uses for this checkout (core.hooksPath, else the shared common dir's hooks). */
function hooksDirOf(repo: GitRepo): string {
  return resolveHooksDir(repo, configValue(repo, 'core', 'hooksPath'));
}

export const guardInstall = (app: Lockstep) => installGuard(hooksDirOf(app.repo), fs.realpathSync(process.execPath), cliEntry());
export const guardUninstall = (app: Lockstep) => uninstallGuard(hooksDirOf(app.repo));
export const guardHookStatus = (app: Lockstep) => guardStatus(hooksDirOf(app.repo));

/**
 * Who is committing: LOCKSTEP_AGENT when set, else the agent registered with this worktree
 * (active ones first, then the most recently seen), else "human".
 */
function committingAgent(state: State, envAgent: string | undefined, workTree: string): string {
  if (envAgent) return envAgent;
  const here = realOrResolved(workTree);
  const matches = state.agents().items.filter((a): a is Agent & { worktree: string } => !!a.worktree && realOrResolved(a.worktree) === here);
  matches.sort((a, b) => (a.status === b.status ? (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0) : a.status === 'active' ? -1 : 1));
  return matches[0]?.name ?? 'human';
}

/** What the post-rewrite hook asks: the paths the rewritten commits (`old new` lines on its stdin) change that another agent's live exclusive lease covers. */
export async function guardCheckRewritten(app: Lockstep, envAgent: string | undefined, lines: string): Promise<{ agent: string; commits: number; blocks: GuardBlock[] }> {
  const workTree = app.repo.workTree;
  if (!workTree) throw new LockstepError('NOT_A_GIT_REPO', `${app.repo.gitDir} is a bare repository; guard check runs in a working tree (the post-rewrite hook runs it there)`);
  const commits = lines
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[1])
    .filter((c): c is string => c !== undefined && /^[0-9a-f]{40,64}$/.test(c));
  const paths = new Set<string>();
  for (const c of commits) {
    const diff = runGit(['diff-tree', '--root', '--no-commit-id', '--name-only', '-z', '--no-renames', '-r', c], workTree);
    if (diff === null) throw new LockstepError('GIT_IO', 'the git CLI was not found; guard check reads rewritten commits with `git diff-tree`');
    if (diff.status !== 0) throw new LockstepError('GIT_IO', `git diff-tree ${c} failed: ${diff.stderr.trim()}`);
    for (const p of diff.stdout.split('\0')) if (p) paths.add(p);
  }
  return app.read((state, rc) => {
    const agent = committingAgent(state, envAgent, workTree);
    return { agent, commits: commits.length, blocks: paths.size ? guardBlocks(state, [...paths], agent, rc.now) : [] };
  });
}

/** What the pre-commit and pre-merge-commit hooks ask: the staged paths another agent's live exclusive lease covers. */
export async function guardCheck(app: Lockstep, envAgent: string | undefined): Promise<{ agent: string; staged: number; blocks: GuardBlock[] }> {
  const workTree = app.repo.workTree;
  if (!workTree) throw new LockstepError('NOT_A_GIT_REPO', `${app.repo.gitDir} is a bare repository; guard check runs in a working tree (the pre-commit hook runs it there)`);
  // --no-renames: a rename shows as a deletion and an addition, so both of its sides are checked.
  const diff = runGit(['diff', '--cached', '--name-only', '-z', '--no-renames'], workTree);
  if (diff === null) throw new LockstepError('GIT_IO', 'the git CLI was not found; guard check reads the staged paths with `git diff --cached`');
  if (diff.status !== 0) throw new LockstepError('GIT_IO', `git diff --cached failed: ${diff.stderr.trim()}`);
  const staged = diff.stdout.split('\0').filter(Boolean);
  return app.read((state, rc) => {
    const agent = committingAgent(state, envAgent, workTree);
    return { agent, staged: staged.length, blocks: staged.length ? guardBlocks(state, staged, agent, rc.now) : [] };
  });
}
