// Activity bookkeeping the store adds to any commit: the acting agent's lastSeen (at most once a
// minute) and the lease of every issue whose tasks the commit changes (past half-life).
import { issueRenewal } from './issues.js';
import { paths } from './layout.js';
import { isoTime, type Change, type Ctx } from './op.js';
import type { Agent, Task } from './schema.js';
import type { State } from './state.js';

/** lastSeen is refreshed only when older than this, so most commits write no extra file. */
export const LAST_SEEN_EVERY_MS = 60_000;

export function activityChanges(state: State, ctx: Ctx, changes: readonly Change[]): Change[] {
  const out: Change[] = [];
  const written = new Set(changes.map((c) => c.path));
  const agentPath = paths.agent(ctx.actor);
  // From the listing, which skips a corrupt agent file instead of failing the agent's every op.
  const agent = written.has(agentPath) ? undefined : state.agents().items.find((a) => a.name === ctx.actor);
  if (agent && ctx.now - Date.parse(agent.lastSeen) >= LAST_SEEN_EVERY_MS) out.push({ path: agentPath, value: { ...agent, lastSeen: isoTime(ctx.now) } satisfies Agent });
  const issues = new Set<string>();
  for (const c of changes) if (c.path.startsWith('tasks/') && c.value && (c.value as Task).issue) issues.add((c.value as Task).issue!);
  for (const id of issues) {
    if (written.has(paths.issue(id))) continue;
    const renewal = issueRenewal(state, id, ctx);
    if (renewal) out.push(renewal);
  }
  return out;
}
