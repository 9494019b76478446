// `lockstep watch`: a live stream of state events, one line per commit, woken by the state ref changing.
import { Command, Option } from 'clipanion';
import { eventFilter, type StateEvent } from '../../app/waits.js';
import { LockstepError } from '../../errors.js';
import { BaseCommand } from '../base.js';
import { shortTime, styleFor, type Style } from '../format.js';

/** Each wait is capped so a long watch never holds one timer for hours; the loop simply waits again. */
const SLICE_MS = 60_000;
/** --once without --timeout-sec gives up after this long (a quiet repository must not hang a script). */
const ONCE_DEFAULT_SEC = 60;

export class WatchCommand extends BaseCommand {
  static override paths = [['watch']];
  static override usage = Command.Usage({
    description: 'Stream state events as they happen, one line per commit (Ctrl-C to stop)',
    details:
      'Starts at the current state (or after --cursor) and prints every later commit on refs/lockstep/state, from any agent or process. ' +
      `With --json each event is one JSON object per line. --once stops after the first batch of events (or after ${ONCE_DEFAULT_SEC} s without one, unless --timeout-sec says otherwise); --timeout-sec stops after N seconds.`,
    examples: [
      ['Everything, live', '$0 watch'],
      ['One task, as JSON lines', '$0 watch --entity T-7K2M --json'],
      ['Claims only, until the first one', '$0 watch --op task.claim --once'],
    ],
  });

  entity = Option.String('--entity', { description: 'Only commits touching this id' });
  op = Option.String('--op', { description: 'Only this op (task.claim), or a prefix ending in "." (task.)' });
  cursor = Option.String('--cursor', { description: 'Start after this state commit instead of now' });
  once = Option.Boolean('--once', false, { description: `Exit after the first batch of events (at most ${ONCE_DEFAULT_SEC} s by default)` });
  timeoutSec = Option.String('--timeout-sec', { description: 'Exit after N seconds (default: run until Ctrl-C)' });

  async run(): Promise<number> {
    const limitSec = this.timeoutSec === undefined ? (this.once ? ONCE_DEFAULT_SEC : Infinity) : Number(this.timeoutSec);
    const limitMs = limitSec * 1000;
    if (!(limitMs >= 0)) throw new LockstepError('INVALID_INPUT', `--timeout-sec must be a number of seconds, not "${this.timeoutSec}"`, { field: 'timeoutSec' });
    if (this.cursor !== undefined && !/^[0-9a-f]{40}$/.test(this.cursor)) {
      throw new LockstepError('INVALID_INPUT', 'a cursor is a 40-hex state commit id (from `lockstep log --json` or a previous watch --json)', { field: 'cursor' });
    }
    const app = this.openApp();
    const style = styleFor(this.context.stdout);
    const keep = eventFilter({ ops: this.op === undefined ? undefined : [this.op], entity: this.entity });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const start = Date.now();
      let cursor = this.cursor ?? app.tip();
      // On stderr, so stdout stays pure events (and tests know the watch has taken its starting point).
      const until = Number.isFinite(limitSec) ? `; stops after ${limitSec} s` : '; Ctrl-C to stop';
      this.context.stderr.write(`watching refs/lockstep/state from ${cursor ?? 'the beginning (no state yet)'}${until}\n`);
      for (;;) {
        const left = limitMs - (Date.now() - start);
        if (left <= 0 || stop.signal.aborted) {
          if (this.once && left <= 0) this.context.stderr.write(`no state change within ${limitSec} s\n`);
          return 0;
        }
        const r = await app.waitEvents({ cursor: cursor ?? undefined, timeoutMs: Math.min(left, SLICE_MS), limit: 500, keep, signal: stop.signal });
        // Oldest first on screen, like a log being written.
        for (const e of r.events) this.context.stdout.write(this.json ? `${JSON.stringify(e)}\n` : `${this.line(e, style)}\n`);
        cursor = r.cursor;
        if (this.once && r.events.length > 0 && !r.hasMore) return 0;
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }

  private line(e: StateEvent, style: Style): string {
    return `${style.dim(shortTime(e.at))}  ${style.cyan(e.actor)}  ${e.op}  ${e.subject}`;
  }
}
