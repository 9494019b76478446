// events_wait: block until the state changes after a cursor (or, for a planner, the next signal).
import { useCases } from '../../app/use-cases.js';
import type { StateEvent } from '../../app/waits.js';
import type { Signal } from '../../state/signals.js';
import { EVERY_ROLE, tool } from '../tool.js';

export const eventLine = (e: StateEvent) => `${e.at} ${e.subject}`;

function signalText(s: Signal): string {
  const body = s.type === 'submission' ? (s.summary ?? s.notes ?? '') : (s.content ?? '');
  return `${s.type} on ${s.task} (${s.title}) from ${s.from}${s.messageId ? ` [${s.messageId}]` : ''}:\n${body}\nHandle it: ${s.next} (held for you until ${s.holdUntil})`;
}

export const eventsTools = [
  tool(useCases.eventsWait, {
    title: 'Wait for state events',
    description: 'State events after cursor; planner signals:true claims the next thing to handle. timedOut: call again.',
    roles: EVERY_ROLE,
    annotations: { readOnlyHint: true },
    text: (r, input) => {
      if (r.signal) return signalText(r.signal);
      if (input.signals) return `No signal within ${r.timeoutSec} s; call again`;
      if (r.timedOut || !r.events) return `No events within ${r.timeoutSec} s; call again with cursor ${r.cursor}`;
      return `${r.events.map(eventLine).join('\n')}\ncursor: ${r.cursor}`;
    },
  }),
];
