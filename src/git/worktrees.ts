// Linked worktrees for agents, in git's own layout, built with isomorphic-git and plain fs writes
// (no git CLI needed): `<main root>/.lockstep/worktrees/<agent>` on branch `lockstep/<agent>`,
// admin dir `<commonDir>/worktrees/<agent>`. Branch refs move only through our CAS (refs.ts).
import fs from 'node:fs';
import path from 'node:path';
import { isoGit } from './iso.js';
import { excludeLocally } from './exclude.js';
import { runGit } from './cli.js';
import { commondirFs } from './commondir-fs.js';
import { LockstepError } from '../errors.js';
import { compareAndSwapRef, deleteRefIf, readRef } from './refs.js';
import type { GitRepo } from './repo.js';

/** Same rule as AgentName (state/schema.ts): the path and the branch are built only from such a name. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const OID = /^[0-9a-f]{40}$/;
export const WORKTREES_DIR = path.join('.lockstep', 'worktrees');
export const BRANCH_PREFIX = 'lockstep/';

/** One isomorphic-git cache per process (DESIGN 4). */
const cache = {};

export function checkAgentName(agent: string): void {
  if (!SAFE_NAME.test(agent) || agent.includes('..') || agent.endsWith('.lock') || agent.endsWith('.')) {
    throw new LockstepError('NAME_INVALID', `${JSON.stringify(agent)} is not a usable agent name: use letters, digits, ".", "_" or "-" (no "..", no ".lock" ending)`, { agent });
  }
}

export function branchOf(agent: string): string {
  return `${BRANCH_PREFIX}${agent}`;
}

/** The main worktree's top directory (where `.lockstep/` lives), also when called from a linked worktree. */
export function mainRoot(repo: GitRepo): string {
  if (path.basename(repo.commonDir) === '.git') return path.dirname(repo.commonDir);
  if (repo.gitDir === repo.commonDir && repo.workTree) return repo.workTree;
  throw new LockstepError('NOT_A_GIT_REPO', `${repo.commonDir} has no main working tree (bare repository); agent worktrees need a checkout`);
}

export interface AgentWorktreePaths {
  agent: string;
  branch: string;
  ref: string;
  dir: string;
  /** `<commonDir>/worktrees/<agent>` */
  admin: string;
}

export function worktreePaths(repo: GitRepo, agent: string): AgentWorktreePaths {
  checkAgentName(agent);
  const branch = branchOf(agent);
  return { agent, branch, ref: `refs/heads/${branch}`, dir: path.join(mainRoot(repo), WORKTREES_DIR, agent), admin: path.join(repo.commonDir, 'worktrees', agent) };
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

/** `ref: refs/heads/x` -> refs/heads/x; a detached HEAD -> null. */
function symbolicHead(headFile: string): { ref: string | null; oid: string | null } {
  const text = readText(headFile)?.trim() ?? '';
  const m = /^ref:\s*(\S+)$/.exec(text);
  if (m) return { ref: m[1]!, oid: null };
  return { ref: null, oid: OID.test(text) ? text : null };
}

export interface LinkedWorktree {
  /** Name of the admin dir under `<commonDir>/worktrees/`. */
  name: string;
  admin: string;
  /** The worktree's top directory, from the admin dir's `gitdir` file. */
  dir: string | null;
  /** Checked-out ref (refs/heads/...), null when detached. */
  ref: string | null;
  head: string | null;
  /** Its directory (or its `.git` file) is gone: `git worktree prune` would remove the admin dir. */
  missing: boolean;
  locked: boolean;
}

/** Every linked worktree registered in the common dir (like `git worktree list`, without the main one). */
export function linkedWorktrees(repo: GitRepo): LinkedWorktree[] {
  const base = path.join(repo.commonDir, 'worktrees');
  let names: string[];
  try {
    names = fs.readdirSync(base).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: LinkedWorktree[] = [];
  for (const name of names) {
    const admin = path.join(base, name);
    if (!fs.statSync(admin, { throwIfNoEntry: false })?.isDirectory()) continue;
    const gitdirText = readText(path.join(admin, 'gitdir'))?.trim();
    const dotGit = gitdirText ? path.resolve(admin, gitdirText) : null;
    const head = symbolicHead(path.join(admin, 'HEAD'));
    out.push({
      name,
      admin,
      dir: dotGit ? path.dirname(dotGit) : null,
      ref: head.ref,
      head: head.ref ? readRefOrNull(repo, head.ref) : head.oid,
      missing: dotGit === null || !fs.existsSync(dotGit),
      locked: fs.existsSync(path.join(admin, 'locked')),
    });
  }
  return out;
}

function readRefOrNull(repo: GitRepo, ref: string): string | null {
  return ref.startsWith('refs/') ? readRef(repo, ref) : null;
}

/** The branch checked out in the main worktree, or null when its HEAD is detached. */
export function mainBranch(repo: GitRepo): string | null {
  const ref = symbolicHead(path.join(repo.commonDir, 'HEAD')).ref;
  return ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
}

/** Where each branch ref is checked out: the main worktree and every linked one (missing ones included). */
export function checkedOutRefs(repo: GitRepo, skipMissing = false): Map<string, string> {
  const where = new Map<string, string>();
  const main = symbolicHead(path.join(repo.commonDir, 'HEAD')).ref;
  if (main) where.set(main, mainRootOrCommon(repo));
  for (const wt of linkedWorktrees(repo)) {
    if (wt.ref && !(skipMissing && wt.missing)) where.set(wt.ref, wt.dir ?? wt.admin);
  }
  return where;
}

function mainRootOrCommon(repo: GitRepo): string {
  try {
    return mainRoot(repo);
  } catch {
    return repo.commonDir; // a bare repository: its HEAD still names a branch
  }
}

/** A commit id for `base`: a branch or ref name, or an oid; default the main worktree's HEAD. */
async function resolveBase(repo: GitRepo, base: string | undefined): Promise<string> {
  const git = await isoGit();
  const fsc = commondirFs(repo);
  let oid: string;
  if (base === undefined) {
    const head = symbolicHead(path.join(repo.commonDir, 'HEAD'));
    const resolved = head.ref ? readRefOrNull(repo, head.ref) : head.oid;
    if (!resolved) throw new LockstepError('REF_INVALID', 'the main worktree has no commit yet; commit something first or pass base', {});
    oid = resolved;
  } else if (OID.test(base)) {
    oid = base;
  } else {
    try {
      oid = await git.resolveRef({ fs: fsc, gitdir: repo.commonDir, ref: base });
    } catch {
      throw new LockstepError('REF_INVALID', `base ${JSON.stringify(base)} is not a branch, ref or commit id here; pass an existing branch`, { base });
    }
  }
  try {
    const peeled = await git.readCommit({ fs: fsc, gitdir: repo.commonDir, oid, cache });
    return peeled.oid;
  } catch {
    throw new LockstepError('REF_INVALID', `base ${base ?? 'HEAD'} (${oid}) is not a commit in this repository`, { base, oid });
  }
}

type Health = 'healthy' | 'absent' | 'stale';

function hasFiles(dir: string): boolean {
  return fs.existsSync(dir) && fs.readdirSync(dir).length > 0;
}

/**
 * Is the agent's worktree registered and in place, with both pointer files agreeing? 'absent' and
 * 'stale' (admin dir left after its directory went) are only returned when the directory is empty
 * or gone, so creating over them can never overwrite anyone's files.
 */
function health(p: AgentWorktreePaths): Health {
  const exists = (state: 'absent' | 'stale'): Health => {
    if (hasFiles(p.dir)) {
      throw new LockstepError('WORKTREE_EXISTS', `${p.dir} exists but is not a registered worktree; move it away (it may hold work) and retry`, { dir: p.dir });
    }
    return state;
  };
  if (!fs.existsSync(p.admin)) return exists('absent');
  const gitdirText = readText(path.join(p.admin, 'gitdir'))?.trim();
  const dotGit = gitdirText ? path.resolve(p.admin, gitdirText) : null;
  if (dotGit === null || !fs.existsSync(dotGit)) return exists('stale'); // git worktree prune would drop it
  if (dotGit !== path.join(p.dir, '.git')) {
    throw new LockstepError('WORKTREE_EXISTS', `worktree admin dir ${p.admin} belongs to ${path.dirname(dotGit)}, not ${p.dir}; run \`git worktree list\` and remove or move it`, { admin: p.admin, dir: path.dirname(dotGit) });
  }
  const link = readText(path.join(p.dir, '.git'))?.trim() ?? '';
  const m = /^gitdir:\s*(.+)$/.exec(link);
  if (!m || path.resolve(p.dir, m[1]!) !== p.admin) {
    throw new LockstepError('WORKTREE_EXISTS', `${p.dir}/.git does not point at ${p.admin}; run \`git worktree repair\``, { dir: p.dir });
  }
  return 'healthy';
}

export interface CreatedWorktree {
  agent: string;
  dir: string;
  branch: string;
  head: string;
  /** False when the healthy worktree was already there (the call is idempotent). */
  created: boolean;
  /** The branch already existed and was resumed as it is (never reset). */
  resumed: boolean;
}

/** A linked worktree for `agent` on `lockstep/<agent>`; resumes an existing branch, never resets it. */
export async function createWorktree(repo: GitRepo, agent: string, opts: { base?: string } = {}): Promise<CreatedWorktree> {
  const p = worktreePaths(repo, agent);
  excludeLocally(repo.commonDir, '.lockstep/');
  const state = health(p);
  if (state === 'healthy') {
    const head = readRef(repo, p.ref);
    if (!head) throw new LockstepError('REF_INVALID', `${p.ref} is missing but ${p.dir} is checked out on it; commit there to recreate it, or remove the worktree`, { ref: p.ref });
    return { agent, dir: p.dir, branch: p.branch, head, created: false, resumed: true };
  }
  if (state === 'stale') fs.rmSync(p.admin, { recursive: true, force: true });

  const elsewhere = checkedOutRefs(repo).get(p.ref);
  if (elsewhere !== undefined) {
    throw new LockstepError('BRANCH_CHECKED_OUT', `${p.branch} is checked out in ${elsewhere}; a branch can be checked out in one worktree only: switch that one to another branch first`, { branch: p.branch, where: elsewhere });
  }

  let head = readRef(repo, p.ref);
  const resumed = head !== null;
  if (head === null) {
    const baseOid = await resolveBase(repo, opts.base);
    if (await compareAndSwapRef(repo, p.ref, null, baseOid)) head = baseOid;
    else {
      head = readRef(repo, p.ref); // created concurrently: resume it
      if (head === null) throw new LockstepError('REF_CHANGED', `${p.ref} changed while it was being created; retry`, { ref: p.ref });
    }
  }

  // git's own order: register the admin dir locked ("initializing"), so a concurrent prune leaves it alone.
  fs.mkdirSync(p.admin, { recursive: true });
  fs.writeFileSync(path.join(p.admin, 'locked'), 'initializing\n');
  fs.writeFileSync(path.join(p.admin, 'commondir'), '../..\n');
  fs.writeFileSync(path.join(p.admin, 'gitdir'), `${path.join(p.dir, '.git')}\n`);
  fs.writeFileSync(path.join(p.admin, 'HEAD'), `ref: ${p.ref}\n`);
  fs.mkdirSync(p.dir, { recursive: true });
  fs.writeFileSync(path.join(p.dir, '.git'), `gitdir: ${p.admin}\n`);
  await populate(repo, p);
  fs.rmSync(path.join(p.admin, 'locked'));
  return { agent, dir: p.dir, branch: p.branch, head, created: true, resumed };
}

/** Fill the new (empty) worktree and its index from its branch: git read-tree when git exists (10x faster), else isomorphic-git. */
async function populate(repo: GitRepo, p: AgentWorktreePaths): Promise<void> {
  // A clean environment: GIT_DIR / GIT_INDEX_FILE from a calling hook must not redirect git.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));
  const run = runGit(['--git-dir', p.admin, '--work-tree', p.dir, 'read-tree', '-u', '--reset', p.ref], p.dir, env);
  if (run === null) {
    const wt: GitRepo = { workTree: p.dir, gitDir: p.admin, commonDir: repo.commonDir };
    const git = await isoGit();
    await git.checkout({ fs: commondirFs(wt), dir: p.dir, gitdir: p.admin, ref: p.branch, noUpdateHead: true, force: true, cache });
    return;
  }
  if (run.status !== 0) throw new LockstepError('GIT_IO', `git read-tree in ${p.dir} failed: ${run.stderr.trim()}; remove the empty worktree folder and retry`, { dir: p.dir });
}

const A = 1;
const B = 2;

/**
 * Commits reachable from `a` but not `b` (ahead) and the reverse (behind): git's paint walk,
 * newest commit first, until every commit still queued is reachable from both.
 */
export async function aheadBehind(repo: GitRepo, a: string, b: string): Promise<{ ahead: number; behind: number }> {
  if (a === b) return { ahead: 0, behind: 0 };
  const fsc = commondirFs(repo);
  const flags = new Map<string, number>();
  const info = new Map<string, { time: number; parents: string[] }>();
  const load = async (oid: string) => {
    let c = info.get(oid);
    if (!c) {
      const git = await isoGit();
      const r = await git.readCommit({ fs: fsc, gitdir: repo.commonDir, oid, cache });
      c = { time: r.commit.committer.timestamp, parents: r.commit.parent };
      info.set(oid, c);
    }
    return c;
  };
  const queue: string[] = [];
  const push = async (oid: string, f: number) => {
    const had = flags.get(oid) ?? 0;
    if ((had | f) === had) return;
    flags.set(oid, had | f);
    await load(oid);
    queue.push(oid);
  };
  await push(a, A);
  await push(b, B);
  while (queue.some((o) => flags.get(o) !== (A | B))) {
    queue.sort((x, y) => info.get(x)!.time - info.get(y)!.time); // newest last
    const oid = queue.pop()!;
    const f = flags.get(oid)!;
    for (const parent of info.get(oid)!.parents) await push(parent, f);
  }
  let ahead = 0;
  let behind = 0;
  for (const f of flags.values()) {
    if (f === A) ahead++;
    else if (f === B) behind++;
  }
  return { ahead, behind };
}

/** Files that differ between two commits' trees (added, removed or changed), sorted. */
export async function changedFiles(repo: GitRepo, from: string, to: string): Promise<string[]> {
  if (from === to) return [];
  const fsc = commondirFs(repo);
  const git = await isoGit();
  const files = (await git.walk({
    fs: fsc,
    gitdir: repo.commonDir,
    trees: [git.TREE({ ref: from }), git.TREE({ ref: to })],
    cache,
    map: async (filepath, entries) => {
      const [x, y] = entries;
      const [ox, oy] = [await x?.oid(), await y?.oid()];
      if (filepath === '.') return undefined;
      if (ox === oy) return null; // same subtree or blob: nothing below differs
      const [tx, ty] = [await x?.type(), await y?.type()];
      return tx === 'blob' || ty === 'blob' ? filepath : undefined;
    },
  })) as string[];
  return files.sort();
}

export interface WorktreeStatus {
  agent: string;
  dir: string;
  branch: string;
  head: string;
  target: string;
  targetHead: string;
  mergeBase: string | null;
  ahead: number;
  behind: number;
  /** Tracked files modified, deleted or staged in the worktree. */
  uncommitted: string[];
  untracked: string[];
  /** Files the branch changed since it left the target (merge base..branch tip). */
  changed: string[];
}

/** The default merge target: the branch checked out in the main worktree, else `main`. */
export function defaultTarget(repo: GitRepo): string {
  return mainBranch(repo) ?? 'main';
}

export function targetTip(repo: GitRepo, target: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(target) || target.includes('..')) {
    throw new LockstepError('NAME_INVALID', `${JSON.stringify(target)} is not a usable branch name`, { target });
  }
  const tip = readRef(repo, `refs/heads/${target}`);
  if (!tip) throw new LockstepError('REF_INVALID', `target branch ${target} does not exist; pass an existing local branch`, { target });
  return tip;
}

export async function mergeBaseOf(repo: GitRepo, a: string, b: string): Promise<string | null> {
  const git = await isoGit();
  const bases = (await git.findMergeBase({ fs: commondirFs(repo), gitdir: repo.commonDir, oids: [a, b], cache })) as string[];
  return bases[0] ?? null;
}

export async function worktreeStatus(repo: GitRepo, agent: string, target?: string): Promise<WorktreeStatus> {
  const p = worktreePaths(repo, agent);
  if (health(p) !== 'healthy') {
    throw new LockstepError('WORKTREE_NOT_FOUND', `${agent} has no worktree at ${p.dir}; create it with worktree_create`, { agent, dir: p.dir });
  }
  const into = target ?? defaultTarget(repo);
  const intoTip = targetTip(repo, into);
  const headRef = symbolicHead(path.join(p.admin, 'HEAD'));
  const head = headRef.ref ? readRefOrNull(repo, headRef.ref) : headRef.oid;
  if (!head) throw new LockstepError('REF_INVALID', `${p.dir} has no commit on ${headRef.ref ?? 'HEAD'}`, { agent });
  const mergeBase = await mergeBaseOf(repo, head, intoTip);
  const { ahead, behind } = await aheadBehind(repo, head, intoTip);
  const changed = mergeBase ? await changedFiles(repo, mergeBase, head) : [];
  const wt: GitRepo = { workTree: p.dir, gitDir: p.admin, commonDir: repo.commonDir };
  const git = await isoGit();
  const matrix = await git.statusMatrix({ fs: commondirFs(wt), dir: p.dir, gitdir: p.admin, cache });
  const uncommitted: string[] = [];
  const untracked: string[] = [];
  for (const [file, h, w, s] of matrix) {
    if (h === 0 && w === 2 && s === 0) untracked.push(file);
    else if (!(h === 1 && w === 1 && s === 1)) uncommitted.push(file);
  }
  return { agent, dir: p.dir, branch: headRef.ref?.replace(/^refs\/heads\//, '') ?? p.branch, head, target: into, targetHead: intoTip, mergeBase, ahead, behind, uncommitted, untracked, changed };
}

/**
 * Whether `branchTip` is merged into `targetTip` (an ancestor of it, by our merge or a pull request
 * merged on the host and fetched), and the target's first-parent commit just before the merge:
 * a merge commit's first parent, or the branch tip itself when it was fast-forwarded. Null when not
 * merged. Needs the git CLI (null without it).
 */
export function mergedInto(repo: GitRepo, branchTip: string, targetTip: string): { before: string } | null {
  if (branchTip === targetTip) return { before: branchTip };
  const cwd = repo.commonDir;
  const anc = runGit(['merge-base', '--is-ancestor', branchTip, targetTip], cwd);
  if (!anc || anc.status !== 0) return null;
  const chain = runGit(['rev-list', '--first-parent', '--ancestry-path', `${branchTip}..${targetTip}`], cwd);
  const oldest = chain?.stdout.trim().split('\n').pop();
  if (!oldest || !OID.test(oldest)) return { before: branchTip };
  const parent = runGit(['rev-parse', '--verify', '--quiet', `${oldest}^1`], cwd)?.stdout.trim() ?? '';
  return { before: OID.test(parent) ? parent : branchTip };
}

/** The tree of a commit (for what an approval saw), through our own object reader. */
export async function treeOfCommit(repo: GitRepo, commit: string): Promise<string> {
  const git = await isoGit();
  const { commit: c } = await git.readCommit({ fs: commondirFs(repo), gitdir: repo.commonDir, oid: commit, cache });
  return c.tree;
}

/** The `lockstep/<agent>` branches, loose and packed: agent name -> tip. */
export function agentBranches(repo: GitRepo): Map<string, string> {
  const out = new Map<string, string>();
  const packed = readText(path.join(repo.commonDir, 'packed-refs')) ?? '';
  const prefix = `refs/heads/${BRANCH_PREFIX}`;
  for (const line of packed.split('\n')) {
    const name = line.slice(41);
    if (OID.test(line.slice(0, 40)) && name.startsWith(prefix) && SAFE_NAME.test(name.slice(prefix.length))) out.set(name.slice(prefix.length), line.slice(0, 40));
  }
  let loose: string[] = [];
  try {
    loose = fs.readdirSync(path.join(repo.commonDir, 'refs', 'heads', 'lockstep'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
  }
  for (const name of loose) {
    if (!SAFE_NAME.test(name) || name.endsWith('.lock')) continue;
    const tip = readRef(repo, `${prefix}${name}`);
    if (tip) out.set(name, tip);
  }
  return new Map([...out].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

export interface CleanupReport {
  dryRun: boolean;
  target: string;
  /** Admin dirs of worktrees whose directory is gone. */
  pruned: { name: string; dir: string | null; branch: string | null }[];
  /** Branches fully merged into the target and checked out nowhere. */
  deleted: { branch: string; tip: string }[];
  kept: { branch: string; tip: string; reason: string }[];
}

/**
 * Prune worktrees whose directory is gone (like `git worktree prune`) and delete `lockstep/<agent>`
 * branches only when fully merged into the target and checked out nowhere. Never removes a directory.
 */
export async function cleanupWorktrees(repo: GitRepo, opts: { dryRun?: boolean; target?: string } = {}): Promise<CleanupReport> {
  const dryRun = opts.dryRun ?? false;
  const into = opts.target ?? defaultTarget(repo);
  const intoTip = targetTip(repo, into);
  const report: CleanupReport = { dryRun, target: into, pruned: [], deleted: [], kept: [] };
  for (const wt of linkedWorktrees(repo)) {
    if (!wt.missing || wt.locked) continue;
    report.pruned.push({ name: wt.name, dir: wt.dir, branch: wt.ref?.replace(/^refs\/heads\//, '') ?? null });
    if (!dryRun) fs.rmSync(wt.admin, { recursive: true, force: true });
  }
  const where = checkedOutRefs(repo, true);
  const fsc = commondirFs(repo);
  for (const [agent, tip] of agentBranches(repo)) {
    const branch = branchOf(agent);
    const at = where.get(`refs/heads/${branch}`);
    if (at !== undefined) {
      report.kept.push({ branch, tip, reason: `checked out in ${at}` });
      continue;
    }
    const git = await isoGit();
    const merged = tip === intoTip || (await git.isDescendent({ fs: fsc, gitdir: repo.commonDir, oid: intoTip, ancestor: tip, depth: -1, cache }));
    if (!merged) {
      const { ahead } = await aheadBehind(repo, tip, intoTip);
      report.kept.push({ branch, tip, reason: `not merged into ${into}: ${ahead} commit(s) only on ${branch}` });
      continue;
    }
    if (!dryRun && !(await deleteRefIf(repo, `refs/heads/${branch}`, tip))) {
      report.kept.push({ branch, tip, reason: 'it moved during cleanup; run cleanup again' });
      continue;
    }
    report.deleted.push({ branch, tip });
  }
  return report;
}
