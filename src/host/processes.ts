// Processes on this machine: whether an agent's recorded server process is still running, whether it
// is this one, and starting one that outlives us (the dashboard dashboard_open starts).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

/** Alive, dead, or unknown (no pid recorded, or a pid of another host). */
export function processState(pid: number | undefined, host: string | undefined): boolean | undefined {
  if (pid === undefined || host !== os.hostname()) return undefined;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The parent of `pid` (Linux /proc, else `ps`), or undefined when it cannot be told. */
function parentOf(pid: number): number | undefined {
  if (process.platform === 'linux') {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // it exited while we looked
      throw err;
    }
    // Field 4, after the command name in parentheses (which may itself hold spaces and parentheses).
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
  }
  const r = spawnSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' });
  const ppid = Number(r.stdout?.trim());
  return r.status === 0 && Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
}

/**
 * Is `pid` this process or one that started it? An agent launched by launch_implementer is
 * recorded with the agent's pid; the server that agent starts then registers as a child of it.
 */
export function isThisProcessOrAncestor(pid: number): boolean {
  let cur: number | undefined = process.pid;
  for (let hops = 0; cur !== undefined && cur > 1 && hops < 32; hops++) {
    if (cur === pid) return true;
    cur = cur === process.pid ? process.ppid : parentOf(cur);
  }
  return false;
}

/** Start a program in its own session with no terminal, not waited for; its stderr goes to `logFile`. Returns its pid. */
export function spawnDetached(command: string, args: string[], cwd: string, logFile: string): number {
  const log = fs.openSync(logFile, 'a', 0o600);
  try {
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', 'ignore', log] });
    // A failed start is reported by the caller, which waits for the program's sign of life.
    child.on('error', (err) => process.stderr.write(`lockstep: could not start ${command}: ${err.message}\n`));
    child.unref();
    return child.pid ?? 0;
  } finally {
    fs.closeSync(log);
  }
}
