// Query behind the dashboard's live page: the board (every task as a card, effective status), the
// leases, the agents, and "needs you": everything waiting on a person or the planner, oldest first,
// each with the action that clears it.
import { claimExpired } from '../claims.js';
import type { Agent, Task } from '../core/schema.js';
import type { State } from '../core/state.js';
import { isPending } from '../deliveries.js';
import { effectiveIssue } from '../issues.js';
import { isActive } from '../leases.js';
import { submittedAt, taskSignalCandidates } from '../signals.js';
import { IDLE_AFTER_MS, type ProcessProbe } from './implementer-list.js';

export interface NeedsYouAction {
  label: string;
  /** A dashboard action (a use case name), or `view.issue` / `view.task` to open that page. */
  action: string;
  input: Record<string, unknown>;
}

export interface NeedsYouItem {
  key: string;
  kind: 'question' | 'blocker' | 'review' | 'delivery' | 'expired_claim' | 'stale_lease' | 'dead_agent';
  title: string;
  detail: string;
  by?: string;
  task?: string;
  issue?: string;
  leaseId?: string;
  agent?: string;
  messageId?: string;
  delivery?: string;
  /** Since when it waits, and its newest activity. */
  since: string;
  latest: string;
  action: NeedsYouAction;
  /** Other ways to clear it (request changes beside approve, ...). */
  more: NeedsYouAction[];
}

const clip = (s: string | undefined, n = 300) => (s === undefined ? '' : s.length > n ? `${s.slice(0, n - 1)}…` : s);
const iso = (ms: number) => new Date(ms).toISOString();

/** An agent whose process is gone (or, with no process to ask, silent for long) while still marked active. */
function agentDead(a: Agent, now: number, probe: ProcessProbe): boolean {
  if (a.status !== 'active') return false;
  const running = probe(a);
  return running === false || (running === undefined && now - Date.parse(a.lastSeen) >= IDLE_AFTER_MS);
}

export function needsYou(state: State, now: number, probe: ProcessProbe): NeedsYouItem[] {
  const out: NeedsYouItem[] = [];
  const tasks = state.tasks().items;
  for (const t of tasks) {
    if (claimExpired(t, now)) {
      out.push({
        key: `claim:${t.id}`, kind: 'expired_claim', title: t.title, detail: `${t.owner ?? t.claim?.by}'s claim ran out at ${t.claim?.expiresAt}`,
        by: t.owner ?? t.claim?.by, task: t.id, issue: t.issue, since: t.claim!.expiresAt!, latest: t.updatedAt,
        action: { label: 'Reset to todo', action: 'task.reset', input: { task: t.id, reason: 'claim expired' } }, more: [],
      });
      continue;
    }
    for (const c of taskSignalCandidates(t)) {
      if (c.type === 'submission') {
        out.push({
          key: `review:${t.id}`, kind: 'review', title: t.title, detail: clip(t.submission?.summary ?? t.review?.notes ?? 'submitted for review'),
          by: t.owner, task: t.id, issue: t.issue, since: submittedAt(t), latest: t.updatedAt,
          action: { label: 'Approve', action: 'task.approve', input: { id: t.id } },
          more: [{ label: 'Request changes', action: 'task.request_changes', input: { id: t.id } }],
        });
      } else {
        const m = t.messages.find((x) => x.id === c.messageId)!;
        out.push({
          key: `message:${t.id}:${m.id}`, kind: c.type, title: t.title, detail: clip(m.content), by: m.from, task: t.id, issue: t.issue, messageId: m.id,
          since: m.at, latest: t.updatedAt, action: { label: 'Answer', action: 'task.reply', input: { task: t.id, messageId: m.id } }, more: [],
        });
      }
    }
  }
  for (const d of state.deliveries().items) {
    if (!isPending(d)) continue;
    out.push({
      key: `delivery:${d.id}`, kind: 'delivery', title: `delivery ${d.id} of ${d.issue}`, detail: clip(d.summary), by: d.deliveredBy, issue: d.issue, delivery: d.id,
      since: d.deliveredAt, latest: d.updatedAt ?? d.deliveredAt, action: { label: 'Open issue', action: 'view.issue', input: { id: d.issue } }, more: [],
    });
  }
  const agents = new Map(state.agents().items.map((a) => [a.name, a]));
  const dead = new Set([...agents.values()].filter((a) => agentDead(a, now, probe)).map((a) => a.name));
  for (const l of state.leases().items) {
    const expired = !isActive(l, now);
    if (!expired && !dead.has(l.owner)) continue;
    out.push({
      key: `lease:${l.id}`, kind: 'stale_lease', title: l.paths.join(', '), detail: expired ? `expired at ${l.expiresAt}` : `${l.owner} looks gone (its process is not running)`,
      by: l.owner, task: l.task, leaseId: l.id, since: expired ? l.expiresAt : l.heartbeatAt, latest: l.heartbeatAt,
      action: { label: 'Release', action: 'lock.force_release', input: { leaseId: l.id, reason: expired ? 'lease expired' : `${l.owner} is gone` } }, more: [],
    });
  }
  for (const name of dead) {
    const a = agents.get(name)!;
    if (a.role !== 'implementer') continue;
    out.push({
      key: `agent:${name}`, kind: 'dead_agent', title: name, detail: a.pid ? `pid ${a.pid}${a.host ? ` on ${a.host}` : ''} is not running` : `silent since ${a.lastSeen}`,
      agent: name, since: a.lastSeen, latest: a.lastSeen, action: { label: 'Stop', action: 'implementer.stop', input: { name, reason: 'its process is gone' } }, more: [],
    });
  }
  return out.sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : a.key < b.key ? -1 : 1));
}

const NO_LEASES: TaskCard['leases'] = [];

export interface TaskCard {
  id: string;
  title: string;
  status: Task['status'];
  complexity: Task['complexity'];
  issue?: string;
  owner?: string;
  dependsOn: string[];
  claim?: { by: string; expiresAt?: string; expired: boolean };
  leases: { id: string; paths: string[]; expiresAt: string }[];
  openQuestions: number;
  updatedAt: string;
}

/** A task's card, kept while the task object (unchanged file) and what else the card shows are the same. */
const cards = new WeakMap<Task, { sig: string; card: TaskCard }>();

function cardOf(t: Task, expired: boolean, leases: TaskCard['leases'], openQuestions: number): TaskCard {
  const sig = `${expired}|${openQuestions}|${leases.map((l) => `${l.id}@${l.expiresAt}`).join(',')}`;
  const hit = cards.get(t);
  if (hit?.sig === sig) return hit.card;
  const card: TaskCard = {
    id: t.id, title: t.title, status: expired ? 'todo' : t.status, complexity: t.complexity, issue: t.issue, owner: expired ? undefined : t.owner, dependsOn: t.dependsOn,
    claim: t.claim ? { by: t.claim.by, expiresAt: t.claim.expiresAt, expired } : undefined, leases, openQuestions, updatedAt: t.updatedAt,
  };
  cards.set(t, { sig, card });
  return card;
}

export function dashboardView(state: State, now: number, probe: ProcessProbe) {
  const tasks = state.tasks().items;
  const leases = state.leases().items;
  const leasesByTask = new Map<string, { id: string; paths: string[]; expiresAt: string }[]>();
  for (const l of leases) {
    if (!l.task || !isActive(l, now)) continue;
    const list = leasesByTask.get(l.task) ?? [];
    list.push({ id: l.id, paths: l.paths, expiresAt: l.expiresAt });
    leasesByTask.set(l.task, list);
  }
  const counts = { todo: 0, in_progress: 0, blocked: 0, review: 0, done: 0, canceled: 0 };
  const board: TaskCard[] = tasks.map((t) => {
    const expired = claimExpired(t, now);
    counts[expired ? 'todo' : t.status]++;
    const questions = t.status === 'in_progress' || t.status === 'blocked' ? taskSignalCandidates(t).length : 0;
    return cardOf(t, expired, leasesByTask.get(t.id) ?? NO_LEASES, questions);
  });
  const perIssue = new Map<string, number>();
  for (const t of tasks) if (t.issue) perIssue.set(t.issue, (perIssue.get(t.issue) ?? 0) + 1);
  const meta = state.meta();
  const queue = needsYou(state, now, probe);
  // The soonest a claim or lease runs out: the view changes then with no commit to announce it.
  const future = [...tasks.map((t) => t.claim?.expiresAt), ...leases.map((l) => l.expiresAt)].map((t) => (t === undefined ? NaN : Date.parse(t))).filter((t) => t > now);
  const working = new Map<string, string>();
  for (const c of board) if (c.owner && (c.status === 'in_progress' || c.status === 'blocked')) working.set(c.owner, c.id);
  return {
    now: iso(now),
    nextChangeAt: future.length ? iso(Math.min(...future)) : undefined,
    project: { status: meta.projectStatus, description: meta.project ? clip(meta.project.description, 2_000) : undefined },
    counts: { needsYou: queue.length, ...counts },
    needsYou: queue,
    tasks: board,
    issues: state.issues().items.map((i) => {
      const e = effectiveIssue(state, i, now);
      return { id: i.id, subject: i.subject, status: e.status, expired: e.expired, tasks: perIssue.get(i.id) ?? 0 };
    }),
    leases: leases.map((l) => ({ id: l.id, owner: l.owner, paths: l.paths, exclusive: l.exclusive, task: l.task, reason: l.reason, acquiredAt: l.acquiredAt, expiresAt: l.expiresAt, expired: !isActive(l, now) })),
    agents: state.agents().items.map((a) => ({
      name: a.name, role: a.role, status: a.status, pid: a.pid, host: a.host, alive: a.status === 'active' ? (probe(a) ?? null) : false,
      currentTask: working.get(a.name), worktree: a.worktree, branch: a.branch, lastSeen: a.lastSeen,
    })),
    corrupt: state.corruptFiles(),
  };
}
