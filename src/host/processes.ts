// Processes on this machine: whether an agent's recorded server process is still running.
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
