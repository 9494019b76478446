// Event tools: long-poll for state changes (events_wait) and read recent history (state_log).
import { z } from 'zod';
import { DomainError } from '../../state/errors.js';
import { signalClaim } from '../../state/ops/signal-claim.js';
import { IssueId } from '../../state/schema.js';
import { pickSignal, type Signal } from '../../state/signals.js';
import type { StateEvent } from '../../store/events.js';
import { defineTool, EVERY_ROLE, type ToolCtx, type ToolOutput } from '../tool.js';
import { waitOptions } from '../wait.js';

const cursor = z.string().regex(/^[0-9a-f]{40}$/, 'a cursor is a 40-hex commit id from a previous call');


function matcher(filter: { ops?: string[]; entity?: string; actor?: string; excludeActor?: string }): (e: StateEvent) => boolean {
  return (e) =>
    (!filter.ops?.length || filter.ops.some((o) => e.op === o || (o.endsWith('.') && e.op.startsWith(o)))) &&
    (filter.entity === undefined || e.entities.includes(filter.entity)) &&
    (filter.actor === undefined || e.actor === filter.actor) &&
    (filter.excludeActor === undefined || e.actor !== filter.excludeActor);
}

function line(e: StateEvent): string {
  return `${e.at} ${e.subject}`;
}

export const eventsWait = defineTool({
  name: 'events_wait',
  title: 'Wait for state events',
  description: 'State events after cursor; planner signals:true claims the next thing to handle. timedOut: call again.',
  input: z.object({
    cursor: cursor.optional().describe('From your last call'),
    timeoutSec: z.number().min(0).max(3600).optional(),
    ops: z.array(z.string().max(100)).max(20).optional().describe('e.g. task.claim, or a prefix: task.'),
    entity: z.string().max(100).optional(),
    excludeSelf: z.boolean().default(false),
    limit: z.number().int().min(1).max(500).default(50),
    signals: z.boolean().default(false).describe('Planner: claim the next question/blocker/submission'),
    issue: IssueId.optional(),
  }),
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    if (args.signals) return waitSignal(args.issue, args.timeoutSec, ctx);
    const timeoutSec = Math.min(args.timeoutSec ?? ctx.waits.defaultSec, ctx.waits.maxSec);
    const r = await ctx.app.waitEvents({
      cursor: args.cursor,
      timeoutMs: timeoutSec * 1000,
      limit: args.limit,
      keep: matcher({ ops: args.ops, entity: args.entity, excludeActor: args.excludeSelf ? ctx.who.agent : undefined }),
      signal: ctx.signal,
      onProgress: (ms) => void ctx.progress(Math.round(ms / 1000), `waiting for state events (${Math.round(ms / 1000)} s)`),
    });
    const text = r.timedOut ? `No events within ${timeoutSec} s; call again with cursor ${r.cursor}` : `${r.events.map(line).join('\n')}\ncursor: ${r.cursor}`;
    return { structured: { ...r }, text };
  },
});

/**
 * events_wait {signals: true}: hold the next signal for this planner, waiting for one to appear.
 * A cheap read first, so idle planners do not take the state lock on every ref change.
 */
async function waitSignal(issue: string | undefined, timeoutSec: number | undefined, ctx: ToolCtx): Promise<ToolOutput> {
  if (ctx.who.role !== 'planner' && ctx.who.role !== 'all') throw new DomainError('ROLE_FORBIDDEN', 'only a planner takes signals; call events_wait without signals', { role: ctx.who.role });
  const wait = waitOptions(ctx, timeoutSec, 'a signal');
  const r = await ctx.app.waitUntil(async () => {
    const any = await ctx.app.read((state, rc) => pickSignal(state.signalCandidates(), ctx.who.agent, rc.now, issue) !== undefined);
    return any ? (await ctx.app.run(signalClaim, { issue }, ctx.who)).signal : undefined;
  }, wait);
  if (!r.value) return { structured: { timedOut: true, cursor: r.cursor }, text: `No signal within ${wait.timeoutSec} s; call again` };
  return { structured: { signal: r.value, timedOut: false, cursor: r.cursor }, text: signalText(r.value) };
}

function signalText(s: Signal): string {
  const body = s.type === 'submission' ? (s.summary ?? s.notes ?? '') : (s.content ?? '');
  return `${s.type} on ${s.task} (${s.title}) from ${s.from}${s.messageId ? ` [${s.messageId}]` : ''}:\n${body}\nHandle it: ${s.next} (held for you until ${s.holdUntil})`;
}

export const stateLog = defineTool({
  name: 'state_log',
  title: 'Recent state history',
  description: 'Latest state commits as events, newest first (git log lockstep/state).',
  input: z.object({
    limit: z.number().int().min(1).max(500).default(20),
    entity: z.string().max(100).optional(),
    op: z.string().max(100).optional().describe('Op, or a prefix ending in "."'),
    actor: z.string().max(64).optional(),
  }),
  // Not the planner's (tools/list budget): it has events_wait, and `lockstep log` for people.
  roles: ['implementer', 'reviewer'],
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const events = await ctx.app.history(args.limit, matcher({ ops: args.op ? [args.op] : undefined, entity: args.entity, actor: args.actor }));
    return { structured: { events }, text: events.map(line).join('\n') || 'no state history yet' };
  },
});

export const eventTools = [eventsWait, stateLog];
