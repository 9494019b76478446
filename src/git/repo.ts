// Repository discovery: the checkout's git dir and the common dir that linked worktrees share.
import fs from 'node:fs';
import path from 'node:path';
import { LockstepError } from '../errors.js';

export interface GitRepo {
  /** Top of the working tree this process runs in (a linked worktree has its own); null for a bare repo. */
  workTree: string | null;
  /** This checkout's git dir (`.git`, or `.git/worktrees/<name>` for a linked worktree). */
  gitDir: string;
  /** Where objects, refs and packed-refs live; equal to gitDir outside linked worktrees. */
  commonDir: string;
}

function isFile(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
}
function isDir(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function looksLikeGitDir(dir: string): boolean {
  return isFile(path.join(dir, 'HEAD')) && isDir(path.join(dir, 'objects')) && isDir(path.join(dir, 'refs'));
}

function readGitFile(dotGit: string): string {
  const text = fs.readFileSync(dotGit, 'utf8');
  const m = /^gitdir:\s*(.+?)\s*$/m.exec(text);
  if (!m) throw new LockstepError('NOT_A_GIT_REPO', `${dotGit} is not a valid .git file (no "gitdir:" line)`);
  return path.resolve(path.dirname(dotGit), m[1]!);
}

function commonDirOf(gitDir: string): string {
  const file = path.join(gitDir, 'commondir');
  if (!isFile(file)) return gitDir;
  return path.resolve(gitDir, fs.readFileSync(file, 'utf8').trim());
}

/** Refuse repositories whose refs or objects we cannot read correctly, with the reason. */
function checkSupported(commonDir: string): void {
  const configPath = path.join(commonDir, 'config');
  const config = isFile(configPath) ? fs.readFileSync(configPath, 'utf8') : '';
  let section = '';
  for (const raw of config.split('\n')) {
    const line = raw.trim();
    const head = /^\[([^\]]+)\]/.exec(line);
    if (head) {
      section = head[1]!.trim().toLowerCase();
      continue;
    }
    if (section !== 'extensions') continue;
    const kv = /^(\w+)\s*=\s*(\S+)/.exec(line);
    if (!kv) continue;
    const key = kv[1]!.toLowerCase();
    const value = kv[2]!.toLowerCase();
    if (key === 'refstorage' && value === 'reftable') {
      throw new LockstepError('REFTABLE_UNSUPPORTED', `${commonDir} stores refs in reftable format; Lockstep needs the files backend (git refs migrate --ref-format=files)`);
    }
    if (key === 'objectformat' && value !== 'sha1') {
      throw new LockstepError('SHA256_UNSUPPORTED', `${commonDir} uses ${value} object ids; Lockstep supports sha1 repositories`);
    }
  }
  if (isDir(path.join(commonDir, 'reftable'))) {
    throw new LockstepError('REFTABLE_UNSUPPORTED', `${commonDir} has a reftable directory; Lockstep needs the files ref backend`);
  }
}

/** Find the repository containing `start`, walking up like git does. */
export function discoverRepo(start: string): GitRepo {
  let dir = path.resolve(start);
  if (!fs.existsSync(dir)) throw new LockstepError('NOT_A_GIT_REPO', `${dir} does not exist`);
  if (!isDir(dir)) throw new LockstepError('NOT_A_GIT_REPO', `${dir} is not a folder; give the repository's folder`);
  dir = fs.realpathSync(dir);
  for (;;) {
    const dotGit = path.join(dir, '.git');
    let gitDir: string | undefined;
    let workTree: string | null = null;
    if (isDir(dotGit) && looksLikeGitDir(dotGit)) {
      gitDir = dotGit;
      workTree = dir;
    } else if (isFile(dotGit)) {
      gitDir = readGitFile(dotGit);
      workTree = dir;
    } else if (looksLikeGitDir(dir)) {
      gitDir = dir; // bare repository, or started inside .git
    }
    if (gitDir) {
      if (!looksLikeGitDir(gitDir) && !isFile(path.join(gitDir, 'HEAD'))) {
        throw new LockstepError('NOT_A_GIT_REPO', `${gitDir} (from ${dotGit}) is not a git directory`);
      }
      const commonDir = commonDirOf(gitDir);
      checkSupported(commonDir);
      return { workTree, gitDir, commonDir };
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new LockstepError('NOT_A_GIT_REPO', `${start} is not inside a git repository; run \`git init\` first or pass --repo`);
    dir = parent;
  }
}
