// Activity bookkeeping the store adds to any commit: the acting agent's lastSeen (at most once a
// minute), the lease of every issue whose tasks the commit changes (past half-life), the file
// leases of tasks the commit makes done or canceled (released), and the actor's own live file
// leases past half-life (renewed: agents following the prompts never call lock_heartbeat).
import { issueRenewal } from './issues.js';
import { isActive } from './leases.js';
import { paths } from './core/layout.js';
import type { Change } from './core/op.js';
import { type Ctx, isoTime } from './core/ctx.js';
import type { Agent, Lease, Task } from './core/schema.js';
import type { State } from './core/state.js';

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
  out.push(...fileLeaseActivity(state, ctx, changes, written));
  return out;
}

/** Leases of finished tasks go; the actor's other live leases with less than half their TTL left are renewed. */
function fileLeaseActivity(state: State, ctx: Ctx, changes: readonly Change[], written: ReadonlySet<string>): Change[] {
  const finished = new Set<string>();
  for (const c of changes) {
    if (!c.path.startsWith('tasks/') || !c.value) continue;
    const t = c.value as Task;
    if (t.status === 'done' || t.status === 'canceled') finished.add(t.id);
  }
  const out: Change[] = [];
  for (const lease of state.leases().items) {
    const path = paths.lease(lease.id);
    if (written.has(path)) continue;
    if (lease.task !== undefined && finished.has(lease.task)) out.push({ path, value: null });
    else if (lease.owner === ctx.actor && isActive(lease, ctx.now) && Date.parse(lease.expiresAt) - ctx.now < (lease.ttlSec * 1000) / 2) {
      out.push({ path, value: { ...lease, heartbeatAt: isoTime(ctx.now), expiresAt: isoTime(ctx.now + lease.ttlSec * 1000) } satisfies Lease });
    }
  }
  return out;
}
