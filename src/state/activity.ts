// Activity bookkeeping the store adds to any commit: the acting agent's lastSeen, refreshed at most once a minute.
import { paths } from './layout.js';
import { isoTime, type Change, type Ctx } from './op.js';
import type { Agent } from './schema.js';
import type { State } from './state.js';

/** lastSeen is refreshed only when older than this, so most commits write no extra file. */
export const LAST_SEEN_EVERY_MS = 60_000;

export function activityChanges(state: State, ctx: Ctx, changes: readonly Change[]): Change[] {
  const path = paths.agent(ctx.actor);
  if (changes.some((c) => c.path === path)) return [];
  // From the listing, which skips a corrupt agent file instead of failing the agent's every op.
  const d = state.agents().items.find((a) => a.name === ctx.actor);
  if (!d || ctx.now - Date.parse(d.lastSeen) < LAST_SEEN_EVERY_MS) return [];
  return [{ path, value: { ...d, lastSeen: isoTime(ctx.now) } satisfies Agent }];
}
