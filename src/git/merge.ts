// Merging an agent's branch (lockstep/<agent>) into a target branch without ever checking out another
// branch: isomorphic-git builds the merge objects (noUpdateBranch), our CAS moves the target ref, and
// the main checkout is brought along only when it has the target checked out and is clean. On a
// conflict nothing is moved; the target is merged into the agent's own worktree instead, with
// conflict markers, stages and MERGE_HEAD, so a plain `git commit` there makes the two-parent commit.
import fs from 'node:fs';
import path from 'node:path';
import type { PromiseFsClient } from 'isomorphic-git';
import { isoGit } from './iso.js';
import { commondirFs } from './commondir-fs.js';
import { configValue } from './config.js';
import { LockstepError } from '../errors.js';
import { compareAndSwapRef, readRef } from './refs.js';
import type { GitRepo } from './repo.js';

export interface Signature {
  name: string;
  email: string;
}

export interface MergeRequest {
  /** Validated agent name: the branch merged is lockstep/<agent>. */
  agent: string;
  /** Target branch (short name); default: the branch checked out in the main worktree, else main. */
  into?: string;
  message?: string;
  author: Signature;
  /**
   * On conflict: 'worktree' (default) merges the target into the agent's worktree with conflict
   * markers and MERGE_HEAD, for the agent to resolve and commit; 'none' only reports.
   */
  resolveIn?: 'worktree' | 'none';
}

interface Sides {
  branch: string;
  into: string;
}

export type MergeOutcome =
  | (Sides & { status: 'merged'; commit: string; previous: string; fastForward: boolean; changedFiles: string[]; checkoutUpdated: boolean })
  | (Sides & { status: 'up_to_date'; commit: string })
  | (Sides & { status: 'conflict'; files: string[]; resolve: Resolution })
  | (Sides & { status: 'dirty'; worktree: string; files: string[] })
  | (Sides & { status: 'needs_rebase'; bases: string[] })
  | (Sides & { status: 'branch_missing'; missing: string })
  | (Sides & { status: 'checked_out_elsewhere'; worktree: string });

export interface Resolution {
  /** True when the agent's worktree now holds the merge to finish (markers, MERGE_HEAD). */
  prepared: boolean;
  worktree?: string;
  /** Why it was not prepared, or that it already was. */
  reason?: string;
}

export interface Checkout {
  root: string;
  gitDir: string;
}

interface FileEntry {
  mode: string;
  oid: string;
}

interface FileChange {
  path: string;
  before?: FileEntry;
  after?: FileEntry;
}

/** The main worktree (the one whose git dir is the common dir), or null for a bare repository. */
export function mainCheckout(repo: GitRepo): Checkout | null {
  const common = repo.commonDir;
  const bare = configValue(repo, 'core', 'bare');
  if (bare !== undefined && /^(true|yes|on|1)$/i.test(bare)) return null;
  if (path.basename(common) === '.git') return { root: path.dirname(common), gitDir: common };
  if (repo.gitDir === common && repo.workTree) return { root: repo.workTree, gitDir: common };
  return null;
}

/** The branch a git dir's HEAD points at (short name), or null when detached or unreadable. */
export function checkedOutBranch(gitDir: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const m = /^ref: refs\/heads\/(.+?)\s*$/.exec(text);
  return m ? m[1]! : null;
}

/** Linked worktrees: admin dir, checkout root (from its gitdir file) and checked-out branch. */
export function linkedCheckouts(repo: GitRepo): (Checkout & { branch: string | null })[] {
  const dir = path.join(repo.commonDir, 'worktrees');
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: (Checkout & { branch: string | null })[] = [];
  for (const name of names) {
    const gitDir = path.join(dir, name);
    let gitdirFile: string;
    try {
      gitdirFile = fs.readFileSync(path.join(gitDir, 'gitdir'), 'utf8').trim();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw err;
    }
    out.push({ root: path.dirname(path.resolve(gitDir, gitdirFile)), gitDir, branch: checkedOutBranch(gitDir) });
  }
  return out;
}

/** A GitRepo handle for one checkout, for the commondir-aware fs. */
function repoOf(repo: GitRepo, co: Checkout): GitRepo {
  return { workTree: co.root, gitDir: co.gitDir, commonDir: repo.commonDir };
}

/**
 * The common dir's fs with `<gitdir>/index` hidden: the object-level merge must not depend on (or
 * refuse because of) whatever state the main checkout's index is in.
 */
function objectsOnlyFs(repo: GitRepo): PromiseFsClient {
  const inner = commondirFs(repo).promises;
  const base = inner as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const hidden = path.join(repo.commonDir, 'index');
  const missing = (p: string) => Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
  // async: isomorphic-git probes `readFile()` with no argument and must get a promise back.
  const guard =
    (name: string) =>
    async (p: string, ...rest: unknown[]) => {
      if (typeof p === 'string' && path.resolve(p) === hidden) throw missing(p);
      return base[name]!(p, ...rest);
    };
  return { promises: { ...inner, readFile: guard('readFile'), stat: guard('stat'), lstat: guard('lstat'), writeFile: guard('writeFile') } };
}

const isoCode = (err: unknown) => (err as { code?: string }).code;

class Objects {
  readonly fs: PromiseFsClient;
  readonly cache = {};
  constructor(readonly repo: GitRepo) {
    this.fs = objectsOnlyFs(repo);
  }

  async treeOf(commit: string): Promise<string> {
    const git = await isoGit();
    const { commit: c } = await git.readCommit({ fs: this.fs, gitdir: this.repo.commonDir, oid: commit, cache: this.cache });
    return c.tree;
  }

  async entries(tree: string): Promise<Map<string, { mode: string; oid: string; type: string }>> {
    const git = await isoGit();
    const { tree: list } = await git.readTree({ fs: this.fs, gitdir: this.repo.commonDir, oid: tree, cache: this.cache });
    return new Map(list.map((e) => [e.path, { mode: e.mode, oid: e.oid, type: e.type }]));
  }

  async blob(oid: string): Promise<Uint8Array> {
    const git = await isoGit();
    const { blob } = await git.readBlob({ fs: this.fs, gitdir: this.repo.commonDir, oid, cache: this.cache });
    return blob;
  }

  /** Every file under a tree, as changes that add (side 'after') or remove (side 'before') it. */
  private async all(tree: string, prefix: string, side: 'before' | 'after', out: FileChange[]): Promise<void> {
    for (const [name, e] of await this.entries(tree)) {
      const p = prefix + name;
      if (e.type === 'tree') await this.all(e.oid, `${p}/`, side, out);
      else out.push({ path: p, [side]: { mode: e.mode, oid: e.oid } });
    }
  }

  /** File-level differences between two trees; equal subtrees are skipped by oid (O(changes)). */
  async diff(a: string | null, b: string | null, prefix = '', out: FileChange[] = []): Promise<FileChange[]> {
    if (a === b) return out;
    if (a === null) return this.all(b!, prefix, 'after', out).then(() => out);
    if (b === null) return this.all(a, prefix, 'before', out).then(() => out);
    const ea = await this.entries(a);
    const eb = await this.entries(b);
    const names = [...new Set([...ea.keys(), ...eb.keys()])].sort();
    for (const name of names) {
      const x = ea.get(name);
      const y = eb.get(name);
      const p = prefix + name;
      if (x && y && x.oid === y.oid && x.mode === y.mode) continue;
      const xTree = x?.type === 'tree' ? x.oid : null;
      const yTree = y?.type === 'tree' ? y.oid : null;
      if (xTree !== null || yTree !== null) await this.diff(xTree, yTree, `${p}/`, out);
      // A file on one side and a folder (or nothing) on the other.
      if (x && x.type !== 'tree' && !(y && y.type !== 'tree')) out.push({ path: p, before: { mode: x.mode, oid: x.oid } });
      if (y && y.type !== 'tree' && !(x && x.type !== 'tree')) out.push({ path: p, after: { mode: y.mode, oid: y.oid } });
      if (x && y && x.type !== 'tree' && y.type !== 'tree') out.push({ path: p, before: { mode: x.mode, oid: x.oid }, after: { mode: y.mode, oid: y.oid } });
    }
    return out;
  }
}

/** Tracked files that differ from HEAD or the index (untracked files are not dirt). */
async function dirtyFiles(repo: GitRepo, co: Checkout): Promise<string[]> {
  const git = await isoGit();
  const rows = await git.statusMatrix({
    fs: commondirFs(repoOf(repo, co)),
    dir: co.root,
    gitdir: co.gitDir,
    cache: {},
    filter: (p) => !p.startsWith('.lockstep/'),
  });
  return rows.filter(([, h, w, s]) => !(h === 1 && w === 1 && s === 1) && !(h === 0 && w === 2 && s === 0)).map(([p]) => p);
}

function exists(p: string): boolean {
  return fs.lstatSync(p, { throwIfNoEntry: false }) !== undefined;
}

/** git's own index lock, so a concurrent `git add` or `git commit` in that checkout waits or fails instead of racing us. */
async function withIndexLock<T>(gitDir: string, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(gitDir, 'index.lock');
  let fd: number;
  try {
    fd = fs.openSync(lock, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new LockstepError('GIT_IO', `${lock} exists: another git process is using that checkout; retry when it is done (remove the file if no git process runs)`, { lock });
    throw err;
  }
  fs.closeSync(fd);
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** Remove now-empty folders from `dir` up to (not including) `root`. */
function pruneEmptyDirs(root: string, dir: string): void {
  while (dir.startsWith(root + path.sep)) {
    try {
      fs.rmdirSync(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOENT') return;
      throw err;
    }
    dir = path.dirname(dir);
  }
}

/**
 * Make a checkout's files and index match `changes` (from its HEAD tree to the new one). Removals
 * first, so a file can replace a folder and a folder a file. Submodule entries are left alone.
 */
async function applyToCheckout(repo: GitRepo, co: Checkout, objects: Objects, changes: FileChange[]): Promise<void> {
  const isoFs = commondirFs(repoOf(repo, co));
  const cache = {};
  const removed: string[] = [];
  for (const c of changes) {
    if (c.after || !c.before || c.before.mode === '160000') continue;
    const file = path.join(co.root, c.path);
    fs.rmSync(file, { force: true });
    pruneEmptyDirs(co.root, path.dirname(file));
    removed.push(c.path);
  }
  const written: string[] = [];
  for (const c of changes) {
    if (!c.after || c.after.mode === '160000') continue;
    const file = path.join(co.root, c.path);
    const st = fs.lstatSync(file, { throwIfNoEntry: false });
    if (st?.isDirectory()) fs.rmSync(file, { recursive: true });
    else if (st) fs.unlinkSync(file);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const content = await objects.blob(c.after.oid);
    if (c.after.mode === '120000') fs.symlinkSync(Buffer.from(content).toString('utf8'), file);
    else fs.writeFileSync(file, content, { mode: c.after.mode === '100755' ? 0o755 : 0o644 });
    written.push(c.path);
  }
  const git = await isoGit();
  for (const p of removed) await git.remove({ fs: isoFs, dir: co.root, gitdir: co.gitDir, filepath: p, cache });
  // One index write for all the files, with their real stat data so git does not rehash them.
  if (written.length) await git.add({ fs: isoFs, dir: co.root, gitdir: co.gitDir, filepath: written, cache, force: true });
}

/** Merge lockstep/<agent> into the target; see MergeOutcome for every result. */
export async function mergeBranch(repo: GitRepo, req: MergeRequest): Promise<MergeOutcome> {
  const main = mainCheckout(repo);
  const branch = `lockstep/${req.agent}`;
  const into = req.into ?? (main ? checkedOutBranch(main.gitDir) : null) ?? 'main';
  const sides = { branch, into };
  const intoRef = `refs/heads/${into}`;
  const linked = linkedCheckouts(repo);
  const elsewhere = linked.find((w) => w.branch === into);
  // Moving a ref under a linked worktree would make its checkout look dirty; only the main one is updated.
  if (elsewhere) return { ...sides, status: 'checked_out_elsewhere', worktree: elsewhere.root };
  const updateMain = main !== null && checkedOutBranch(main.gitDir) === into ? main : null;
  const objects = new Objects(repo);

  for (let attempt = 0; ; attempt++) {
    const theirs = readRef(repo, `refs/heads/${branch}`);
    if (!theirs) return { ...sides, status: 'branch_missing', missing: branch };
    const ours = readRef(repo, intoRef);
    if (!ours) return { ...sides, status: 'branch_missing', missing: into };
    const git = await isoGit();
    const bases = await git.findMergeBase({ fs: objects.fs, gitdir: repo.commonDir, oids: [ours, theirs], cache: objects.cache });
    if (bases.length !== 1) return { ...sides, status: 'needs_rebase', bases };
    const base = bases[0]!;
    if (base === theirs) return { ...sides, status: 'up_to_date', commit: ours };

    // Refuse a dirty checkout before anything is written.
    if (updateMain) {
      const dirty = await dirtyFiles(repo, updateMain);
      if (dirty.length) return { ...sides, status: 'dirty', worktree: updateMain.root, files: dirty };
    }

    let next: string;
    let fastForward: boolean;
    try {
      const r = await git.merge({
        fs: objects.fs,
        gitdir: repo.commonDir,
        cache: objects.cache,
        ours,
        theirs,
        fastForward: true,
        noUpdateBranch: true,
        abortOnConflict: true,
        message: req.message ?? `Merge branch '${branch}' into ${into}`,
        author: req.author,
        committer: req.author,
      });
      next = r.oid!;
      fastForward = r.fastForward === true;
    } catch (err) {
      const code = isoCode(err);
      if (code === 'MergeConflictError' || code === 'MergeNotSupportedError') {
        const files = code === 'MergeConflictError' ? ((err as { data: { filepaths: string[] } }).data.filepaths ?? []) : await bothChanged(objects, base, ours, theirs);
        const resolve = req.resolveIn === 'none' ? { prepared: false, reason: 'resolveIn none' } : await prepareResolution(repo, objects, linked, branch, into, ours, code === 'MergeNotSupportedError');
        return { ...sides, status: 'conflict', files, resolve };
      }
      throw new LockstepError('GIT_IO', `merging ${branch} into ${into}: ${(err as Error).message}`);
    }

    const [oldTree, newTree] = await Promise.all([objects.treeOf(ours), objects.treeOf(next)]);
    const checkoutChanges = await objects.diff(oldTree, newTree);
    if (updateMain) {
      // Untracked files the merge would overwrite: refuse like git does.
      const blocking = checkoutChanges.filter((c) => c.after && !c.before && exists(path.join(updateMain.root, c.path))).map((c) => c.path);
      if (blocking.length) return { ...sides, status: 'dirty', worktree: updateMain.root, files: blocking };
    }
    const moved = await compareAndSwapRef(repo, intoRef, ours, next, async () => {
      if (!updateMain) return;
      await withIndexLock(updateMain.gitDir, async () => {
        // Still ours checked out and clean under the locks: nothing can slip in between.
        if (checkedOutBranch(updateMain.gitDir) !== into) throw new LockstepError('GIT_IO', `the main checkout switched branches during the merge; retry`);
        await applyToCheckout(repo, updateMain, objects, checkoutChanges);
      });
    });
    if (!moved) {
      if (attempt < 2) continue;
      throw new LockstepError('STATE_LOCK_TIMEOUT', `${into} kept moving while merging ${branch}; retry`, { ref: intoRef });
    }
    const branchChanges = await objects.diff(await objects.treeOf(base), await objects.treeOf(theirs));
    return { ...sides, status: 'merged', commit: next, previous: ours, fastForward, changedFiles: branchChanges.map((c) => c.path), checkoutUpdated: updateMain !== null };
  }
}

/** Paths both sides changed differently since the base (the conflict list when isomorphic-git cannot merge a case). */
async function bothChanged(objects: Objects, base: string, ours: string, theirs: string): Promise<string[]> {
  const [b, o, t] = await Promise.all([objects.treeOf(base), objects.treeOf(ours), objects.treeOf(theirs)]);
  const mine = new Map((await objects.diff(b, o)).map((c) => [c.path, c.after?.oid]));
  return (await objects.diff(b, t)).filter((c) => mine.has(c.path) && mine.get(c.path) !== c.after?.oid).map((c) => c.path);
}

/**
 * Merge the target into the agent's worktree so the agent can resolve there: markers in the files,
 * the three stages in its index, MERGE_HEAD and MERGE_MSG. Only in a clean worktree; an already
 * prepared merge of the same target tip is left as it is.
 */
async function prepareResolution(
  repo: GitRepo,
  objects: Objects,
  linked: (Checkout & { branch: string | null })[],
  branch: string,
  into: string,
  target: string,
  unsupported: boolean,
): Promise<Resolution> {
  const wt = linked.find((w) => w.branch === branch);
  if (!wt) return { prepared: false, reason: `no worktree has ${branch} checked out; merge ${into} into it where it is checked out` };
  const worktree = wt.root;
  if (!fs.existsSync(worktree)) return { prepared: false, worktree, reason: `the worktree ${worktree} is missing` };
  const mergeHead = path.join(wt.gitDir, 'MERGE_HEAD');
  if (exists(mergeHead)) {
    const pending = fs.readFileSync(mergeHead, 'utf8').trim();
    return pending === target
      ? { prepared: true, worktree, reason: 'already prepared: resolve the markers, then git add and git commit there' }
      : { prepared: false, worktree, reason: 'a merge is already in progress there; finish or abort it (git merge --abort)' };
  }
  if (unsupported) return { prepared: false, worktree, reason: `this conflict kind needs git: run \`git merge ${into}\` in ${worktree}` };
  const dirty = await dirtyFiles(repo, wt);
  if (dirty.length) return { prepared: false, worktree, reason: `uncommitted changes in ${worktree}: commit them, then call worktree_merge again` };
  const wtFs = commondirFs(repoOf(repo, wt));
  const agentTip = readRef(repo, `refs/heads/${branch}`)!;
  await withIndexLock(wt.gitDir, async () => {
    const git = await isoGit();
    let conflicts: { filepaths: string[] } | undefined;
    try {
      // Names, not oids, so the markers read `<<<<<<< lockstep/<agent>` / `>>>>>>> <into>`.
      await git.merge({ fs: wtFs, dir: worktree, gitdir: wt.gitDir, cache: {}, ours: branch, theirs: into, noUpdateBranch: true, abortOnConflict: false, fastForward: false, author: { name: 'lockstep', email: 'lockstep@localhost' } });
    } catch (err) {
      if (isoCode(err) !== 'MergeConflictError') throw err;
      conflicts = (err as { data: { filepaths: string[] } }).data;
    }
    if (!conflicts) throw new LockstepError('GIT_IO', `${into} merged cleanly into ${branch} in its worktree although it conflicted the other way; retry worktree_merge`);
    // isomorphic-git stages conflicted and both-changed files; files only the target changed still
    // need their index entries (and deletions their removal), or a commit would drop those changes.
    const conflicted = new Set(conflicts.filepaths);
    const [base] = await git.findMergeBase({ fs: objects.fs, gitdir: repo.commonDir, oids: [agentTip, target], cache: objects.cache });
    const [b, o, t] = await Promise.all([objects.treeOf(base!), objects.treeOf(agentTip), objects.treeOf(target)]);
    const mine = new Set((await objects.diff(b, o)).map((c) => c.path));
    const theirsOnly = (await objects.diff(b, t)).filter((c) => !conflicted.has(c.path) && !mine.has(c.path));
    await applyToCheckout(repo, wt, objects, theirsOnly);
    const list = conflicts.filepaths.map((p) => `#\t${p}\n`).join('');
    fs.writeFileSync(mergeHead, `${target}\n`);
    fs.writeFileSync(path.join(wt.gitDir, 'MERGE_MSG'), `Merge branch '${into}' into ${branch}\n\n# Conflicts:\n${list}`);
    fs.writeFileSync(path.join(wt.gitDir, 'MERGE_MODE'), '');
  });
  return { prepared: true, worktree };
}

export interface DryMerge {
  clean: boolean;
  /** Files that would conflict (for several merge bases: the files both sides changed). */
  conflicts: string[];
  upToDate?: boolean;
  /** Several merge bases: isomorphic-git cannot merge these without a rebase, git itself might. */
  needsRebase?: boolean;
}

/** Would merging commit `theirs` into commit `ours` conflict? Object level and dryRun: nothing is written. */
export async function dryMerge(repo: GitRepo, ours: string, theirs: string): Promise<DryMerge> {
  const objects = new Objects(repo);
  // isomorphic-git's merge writes the conflicted blob even with dryRun (mergeBlobs is not told):
  // this fs drops every write, so nothing reaches the repository whatever the library does.
  const inner = objects.fs.promises as unknown as Record<string, unknown>;
  const dropped = async () => undefined;
  const readOnly = { promises: { ...inner, writeFile: dropped, mkdir: dropped, rename: dropped, unlink: dropped, rmdir: dropped, rm: dropped, symlink: dropped, chmod: dropped } } as unknown as PromiseFsClient;
  const git = await isoGit();
  const bases = await git.findMergeBase({ fs: objects.fs, gitdir: repo.commonDir, oids: [ours, theirs], cache: objects.cache });
  if (bases.length === 0) return { clean: false, conflicts: [], needsRebase: true };
  if (bases.length > 1) return { clean: false, conflicts: await bothChanged(objects, bases[0]!, ours, theirs), needsRebase: true };
  if (bases[0] === theirs || ours === theirs) return { clean: true, conflicts: [], upToDate: true };
  try {
    const who = { name: 'lockstep', email: 'lockstep@localhost', timestamp: 0, timezoneOffset: 0 };
    await git.merge({ fs: readOnly, gitdir: repo.commonDir, cache: objects.cache, ours, theirs, dryRun: true, noUpdateBranch: true, abortOnConflict: true, message: 'dry merge', author: who, committer: who });
    return { clean: true, conflicts: [] };
  } catch (err) {
    if (isoCode(err) === 'MergeConflictError') return { clean: false, conflicts: (err as { data: { filepaths: string[] } }).data.filepaths ?? [] };
    if (isoCode(err) === 'MergeNotSupportedError') return { clean: false, conflicts: await bothChanged(objects, bases[0]!, ours, theirs), needsRebase: true };
    throw new LockstepError('GIT_IO', `dry merge of ${theirs} into ${ours}: ${(err as Error).message}`);
  }
}
