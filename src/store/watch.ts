// Waking blocked calls when the state ref moves: fs.watch on the ref's directory and on the common
// dir (packed-refs), with a slow poll as the fallback for filesystems where watching is unreliable.
// Watchers exist only while someone waits, so an idle server holds no inotify handles.
import fs from 'node:fs';

interface Waiter {
  since: string | null;
  resolve: (tip: string | null) => void;
  timer: NodeJS.Timeout;
}

export class RefWatcher {
  private readonly waiters = new Set<Waiter>();
  private watchers: fs.FSWatcher[] = [];
  private poll: NodeJS.Timeout | undefined;

  constructor(
    private readonly refDir: string,
    private readonly commonDir: string,
    private readonly readTip: () => string | null,
    private readonly pollMs = 500,
  ) {}

  /** Resolve with the new tip once it differs from `since`, or with `since` after `timeoutMs`. */
  wait(since: string | null, timeoutMs: number, signal?: AbortSignal): Promise<string | null> {
    const now = this.readTip();
    if (now !== since) return Promise.resolve(now);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        since,
        resolve: (tip) => {
          clearTimeout(waiter.timer);
          this.waiters.delete(waiter);
          signal?.removeEventListener('abort', onAbort);
          if (this.waiters.size === 0) this.stop();
          resolve(tip);
        },
        timer: setTimeout(() => waiter.resolve(since), timeoutMs),
      };
      const onAbort = () => waiter.resolve(since);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      this.start();
    });
  }

  private check = (): boolean => {
    if (this.waiters.size === 0) return false;
    const tip = this.readTip();
    let woke = false;
    for (const w of [...this.waiters]) {
      if (w.since !== tip) {
        w.resolve(tip);
        woke = true;
      }
    }
    return woke;
  };

  /** The poll only finds a change the watchers missed, e.g. after git pruned the watched dir: re-watch. */
  private pollCheck = (): void => {
    if (this.check() && this.waiters.size > 0) {
      this.closeWatchers();
      this.openWatchers();
    }
  };

  private watch(dir: string, filter: (name: string) => boolean): void {
    try {
      const w = fs.watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || filter(String(name))) this.check();
      });
      // The dir can vanish (git pack-refs prunes empty ref dirs); the poll covers us until we re-watch.
      w.on('error', () => this.rewatchSoon());
      this.watchers.push(w);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.rewatchSoon();
    }
  }

  private rewatchPending = false;
  private rewatchSoon(): void {
    if (this.rewatchPending) return;
    this.rewatchPending = true;
    setTimeout(() => {
      this.rewatchPending = false;
      if (this.waiters.size === 0) return;
      this.closeWatchers();
      this.openWatchers();
      this.check();
    }, this.pollMs).unref();
  }

  private openWatchers(): void {
    fs.mkdirSync(this.refDir, { recursive: true });
    this.watch(this.refDir, (name) => !name.endsWith('.lock'));
    this.watch(this.commonDir, (name) => name === 'packed-refs');
  }

  private closeWatchers(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  private start(): void {
    if (this.poll) return;
    this.openWatchers();
    this.poll = setInterval(this.pollCheck, this.pollMs);
    this.poll.unref();
  }

  private stop(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
    this.closeWatchers();
  }

  close(): void {
    for (const w of [...this.waiters]) w.resolve(w.since);
    this.stop();
  }
}
