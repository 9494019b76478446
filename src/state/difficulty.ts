// The difficulty policy (swarm's next-step choice): a worker's tier from its review history, and the
// next task to reserve for it. Everything is derived from the tasks' review records, never from
// stored counters, so a retried approval cannot inflate a worker's points (S8).
import type { ReviewRecord } from './review.js';
import type { Complexity, Task } from './core/schema.js';
import type { State } from './core/state.js';
import { readyTasks } from './tasks.js';

export const TIERS = ['easy', 'medium', 'focus'] as const;
export type Tier = (typeof TIERS)[number];

export const TIER_COMPLEXITIES: Record<Tier, readonly Complexity[]> = {
  easy: ['simple'],
  medium: ['medium'],
  focus: ['complex', 'critical'],
};

export interface WorkerStats {
  /** Points of the worker's approved tasks. */
  workerPoints: number;
  /** Trailing score-1 verdicts; any other verdict (scored higher, or unscored) ends the run. */
  consecutiveLowScores: number;
}

export function workerStats(records: readonly ReviewRecord[], worker: string): WorkerStats {
  const mine = records.filter((r) => r.worker === worker).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  let workerPoints = 0;
  for (const r of mine) if (r.verdict === 'approved') workerPoints += r.points;
  let consecutiveLowScores = 0;
  for (let i = mine.length - 1; i >= 0 && mine[i]!.score === 1; i--) consecutiveLowScores++;
  return { workerPoints, consecutiveLowScores };
}

/** Low scores a worker may collect before being moved down a tier. */
export function allowedFailures(points: number): number {
  return points >= 100 ? 2 : points >= 50 ? 1 : 0;
}

export function tierFor(stats: WorkerStats): Tier {
  const base = stats.workerPoints >= 30 ? 2 : stats.workerPoints >= 10 ? 1 : 0;
  const downgrades = Math.max(0, stats.consecutiveLowScores - allowedFailures(stats.workerPoints));
  return TIERS[Math.max(0, base - downgrades)]!;
}

/** The tier itself, then easier tiers, then harder ones. */
export function tierOrder(tier: Tier): Tier[] {
  const i = TIERS.indexOf(tier);
  return [...TIERS.slice(0, i + 1).reverse(), ...TIERS.slice(i + 1)];
}

/**
 * From ready candidates: the first tier (in tierOrder) that has any, sorted by points desc then id;
 * a strong worker (>= 100 points) gets the biggest, 30..49 the smallest, everyone else the middle one.
 */
export function pickNext(candidates: readonly Task[], tier: Tier, workerPoints: number): Task | undefined {
  for (const t of tierOrder(tier)) {
    const pool = candidates
      .filter((c) => TIER_COMPLEXITIES[t].includes(c.complexity))
      .sort((a, b) => (b.points ?? 0) - (a.points ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (pool.length === 0) continue;
    if (workerPoints >= 100) return pool[0];
    if (workerPoints >= 30 && workerPoints < 50) return pool[pool.length - 1];
    return pool[Math.floor(pool.length / 2)];
  }
  return undefined;
}

/** Review records in the reviewed task's scope (its issue, or all project tasks), with `reviewed` as about to be written. */
export function scopeRecords(state: State, reviewed: Task): ReviewRecord[] {
  const tasks = reviewed.issue !== undefined ? state.issueTasks(reviewed.issue) : state.tasks().items.filter((t) => t.issue === undefined);
  const out: ReviewRecord[] = [];
  for (const t of tasks) if (t.id !== reviewed.id) out.push(...t.reviews);
  out.push(...reviewed.reviews);
  return out;
}

export interface NextChoice extends WorkerStats {
  tier: Tier;
  task: Task | undefined;
}

/** The task to reserve for `worker` after `reviewed` (its new version, record included) was approved. */
export function chooseNext(state: State, worker: string, reviewed: Task, now: number): NextChoice {
  const stats = workerStats(scopeRecords(state, reviewed), worker);
  const tier = tierFor(stats);
  // The approval that calls this makes `reviewed` done in the same commit: its dependents count as ready.
  const candidates = readyTasks(state, worker, now, reviewed.issue, reviewed.id).filter((t) => t.id !== reviewed.id && t.issue === reviewed.issue);
  return { ...stats, tier, task: pickNext(candidates, tier, stats.workerPoints) };
}
