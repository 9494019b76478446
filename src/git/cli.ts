// The git CLI, when present: an optional faster path and a way to show users plain git output.
import { spawnSync } from 'node:child_process';

export interface GitRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Run git synchronously; null when there is no git CLI on this machine. `env` replaces the environment. */
export function runGit(args: string[], cwd: string, env?: NodeJS.ProcessEnv): GitRun | null {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env });
  if (r.error) {
    if ((r.error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw r.error;
  }
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}
