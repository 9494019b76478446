// Syscalls per state commit: one MCP server under `strace -c -f` doing lease acquire+release
// cycles; the summary's counts divided by the commits it made (issue 18). Skipped without strace.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentClient } from '../src/client/agent-client.js';

export interface SyscallCount {
  commits: number;
  total: number;
  /** Per commit, the calls that touch the filesystem or take real time. */
  perCommit: Record<string, number>;
}

function hasStrace(): boolean {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const WATCHED = ['openat', 'rename', 'renameat', 'renameat2', 'link', 'linkat', 'unlink', 'unlinkat', 'write', 'pwrite64', 'read', 'pread64', 'statx', 'newfstatat', 'fstat', 'lstat', 'ftruncate', 'close', 'fsync', 'mkdir', 'mkdirat', 'utimensat', 'getdents64'];

/** Null when strace is not installed (the bench says so instead of a number). */
export async function syscallsPerCommit(repo: string, cycles: number): Promise<SyscallCount | null> {
  if (!hasStrace()) return null;
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-strace-')), 'summary');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
  const c = await AgentClient.start({ repo, role: 'implementer', agent: 'strace-1', extraArgs: ['--gc-every', '0'], wrapper: ['strace', '-c', '-f', '-o', out] });
  await c.call('lock_acquire', { path: 'src/warm.ts' });
  await c.call('lock_release', { path: 'src/warm.ts' });
  const before = Number(git('rev-list', '--count', 'refs/lockstep/state'));
  for (let i = 0; i < cycles; i++) {
    await c.call('lock_acquire', { path: 'src/a.ts' });
    await c.call('lock_release', { path: 'src/a.ts' });
  }
  await c.close();
  const commits = Number(git('rev-list', '--count', 'refs/lockstep/state')) - before;
  // strace writes its summary as the traced process exits.
  for (let i = 0; i < 100 && !fs.existsSync(out); i++) await new Promise((r) => setTimeout(r, 50));
  const text = fs.readFileSync(out, 'utf8');
  const perCommit: Record<string, number> = {};
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)(?:\s+\d+)?\s+(\w+)\s*$/.exec(line);
    if (!m) continue;
    const calls = Number(m[1]);
    total += calls;
    if (WATCHED.includes(m[2]!)) perCommit[m[2]!] = calls;
  }
  // Startup and the warm-up are in the counts too; enough cycles make them a rounding error.
  for (const k of Object.keys(perCommit)) perCommit[k] = Math.round((perCommit[k]! / commits) * 10) / 10;
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return { commits, total: Math.round((total / commits) * 10) / 10, perCommit };
}
