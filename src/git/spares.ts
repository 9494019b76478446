// Files a process makes before it needs them (lock files, object files), named by host and pid so
// the spares of a process that died are found and removed by the next one.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Says whose pid a spare's name carries (pids of other hosts say nothing here). */
export const HOST_TAG = crypto.createHash('sha1').update(os.hostname()).digest('hex').slice(0, 8);

/** A spare's name starts `<host hash>-<pid>-`. */
export function sparePrefix(pid: number): string {
  return `${HOST_TAG}-${pid}-`;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove the spares of this host's dead processes in `dir` (killed before they used them). */
export function sweepDeadSpares(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    const m = /^([0-9a-f]{8})-(\d+)-/.exec(name);
    if (m && m[1] === HOST_TAG && !processAlive(Number(m[2]))) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/** Background work on spares reports a failure on stderr (never stdout) and goes on: the next use makes its own. */
export function warnSpare(what: string, err: NodeJS.ErrnoException | null): void {
  if (err && err.code !== 'ENOENT') process.stderr.write(`lockstep: ${what}: ${err.message}\n`);
}

/**
 * Create the spare `file` in the background (libuv's threads), write `content` into it, and hand
 * its fd to `take` (null when that failed). A file `take` refuses (its pool closed meanwhile) is
 * removed again.
 */
export function makeSpare(file: string, what: string, content: string, mode: number, take: (fd: number | null) => boolean): void {
  fs.open(file, 'wx', mode, (err, fd) => {
    if (err) {
      take(null);
      return warnSpare(`making ${what} ${file}`, err); // the next use makes its own
    }
    const hand = (werr: NodeJS.ErrnoException | null) => {
      if (!werr && take(fd)) return;
      if (werr) {
        take(null);
        warnSpare(`writing ${what} ${file}`, werr);
      }
      fs.close(fd, (cerr) => warnSpare(`closing ${file}`, cerr));
      fs.unlink(file, (uerr) => warnSpare(`removing ${file}`, uerr));
    };
    if (content) fs.write(fd, content, hand);
    else hand(null);
  });
}
