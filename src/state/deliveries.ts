// Delivery helpers shared by the delivery ops and queries: lookup, the reviewer's hold, evidence checks, compact rows.
import { z } from 'zod';
import { LockstepError } from '../errors.js';
import { DeliveryId, type Delivery } from './core/schema.js';
import type { State } from './core/state.js';

export const deliveryField = {
  id: DeliveryId,
  /** One command of the test-steps doc and what running it gave. */
  commandResult: z.object({
    command: z.string().max(2_000),
    passed: z.boolean(),
    exitCode: z.number().int().optional(),
    output: z.string().max(100_000),
  }),
};

export function getDelivery(state: State, id: string): Delivery {
  const d = state.delivery(id);
  if (!d) throw new LockstepError('DELIVERY_NOT_FOUND', `delivery ${id} does not exist; delivery_list shows the ids`, { id });
  return d;
}

/** Waiting for a verdict: open, or in review. */
export function isPending(d: Delivery): boolean {
  return d.status === 'open' || d.status === 'in_review';
}

/** In review, but the reviewer's hold ran out: anyone may claim it again (lazy, like task claims). */
export function holdExpired(d: Delivery, now: number): boolean {
  return d.status === 'in_review' && (!d.hold || Date.parse(d.hold.until) <= now);
}

/** Held right now by `actor`. */
export function heldBy(d: Delivery, actor: string, now: number): boolean {
  return d.status === 'in_review' && d.hold?.by === actor && !holdExpired(d, now);
}

/** The delivery as readers should see it: an in_review one whose hold expired shows status open. */
export function effectiveDelivery(d: Delivery, now: number): Delivery & { holdExpired?: true } {
  return holdExpired(d, now) ? { ...d, status: 'open', holdExpired: true } : d;
}

/** Oldest first (FIFO), id breaking ties, so every reviewer sees the same order. */
export function byDeliveredAt(a: Delivery, b: Delivery): number {
  if (a.deliveredAt !== b.deliveredAt) return a.deliveredAt < b.deliveredAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}


function evidenceError(field: string, message: string, data: Record<string, unknown> = {}): LockstepError {
  return new LockstepError('EVIDENCE_INVALID', `${field}: ${message}`, { field, ...data });
}

/** A required text field that must say something. */
export function requireText(value: string, field: string): void {
  if (value.trim() === '') throw evidenceError(field, 'must not be blank');
}

/** A required list that must have entries, none of them blank. */
export function requireList(values: readonly string[], field: string): void {
  if (values.length === 0) throw evidenceError(field, 'must list at least one entry');
  values.forEach((v, i) => requireText(v, `${field}[${i}]`));
}

export interface CommandResultInput {
  command: string;
  passed: boolean;
  output: string;
}

/**
 * Results must answer the commands one by one, in order, by command text (S22: a matching count
 * is not enough). Every result needs its output.
 */
export function requireAligned(commands: readonly string[], results: readonly CommandResultInput[], field: string): void {
  for (let i = 0; i < Math.max(commands.length, results.length); i++) {
    const want = commands[i]?.trim();
    const got = results[i]?.command.trim();
    if (want === undefined) throw evidenceError(`${field}[${i}]`, `has no matching command (there are ${commands.length}); remove the extra result "${got}"`, { extra: got });
    if (got === undefined) throw evidenceError(field, `has no result for command ${i + 1} "${want}"; run it and add its result`, { missing: want, index: i });
    if (got !== want) throw evidenceError(`${field}[${i}].command`, `is "${got}" but command ${i + 1} is "${want}"; give one result per command, in order`, { expected: want, got, index: i });
    requireText(results[i]!.output, `${field}[${i}].output`);
  }
}

/** The first failed check among passed flags and results, as a field name, or undefined when all passed. */
export function firstFailure(checks: { scriptPassed: boolean; docPassed: boolean; docResults: readonly CommandResultInput[] }, prefix: string): string | undefined {
  if (!checks.scriptPassed) return `${prefix}.scriptPassed`;
  if (!checks.docPassed) return `${prefix}.docPassed`;
  const i = checks.docResults.findIndex((r) => !r.passed);
  return i >= 0 ? `${prefix}.docResults[${i}].passed` : undefined;
}

export function failedEvidence(field: string, message: string): LockstepError {
  return evidenceError(field, message);
}

/**
 * A changed file compared by name (S22): repo-relative, `./` and empty segments dropped, `\` as `/`.
 * An absolute path inside the caller's working tree becomes relative to it.
 */
export function fileName(path: string, workTree: string | null): string {
  let p = path.trim().replace(/\\/g, '/');
  const root = workTree?.replace(/\\/g, '/').replace(/\/+$/, '');
  if (root && p.startsWith(root + '/')) p = p.slice(root.length + 1);
  const rel = p
    .split('/')
    .filter((seg) => seg !== '' && seg !== '.')
    .join('/');
  return p.startsWith('/') ? `/${rel}` : rel;
}

/** A listing row: no test output, evidence or verification (delivery_get has them). */
export interface DeliveryRow {
  id: string;
  issue: string;
  status: Delivery['status'];
  summary: string;
  testResult: Delivery['artifacts']['testResult'];
  deliveredBy: string;
  deliveredAt: string;
  hold?: Delivery['hold'];
  holdExpired?: true;
  reviewedBy?: string;
  reviewedAt?: string;
  updatedAt: string;
}

const SUMMARY_IN_ROW = 300;

export function deliveryRow(d: Delivery, now: number): DeliveryRow {
  const e = effectiveDelivery(d, now);
  return {
    id: e.id,
    issue: e.issue,
    status: e.status,
    summary: e.summary.length <= SUMMARY_IN_ROW ? e.summary : `${e.summary.slice(0, SUMMARY_IN_ROW - 3)}...`,
    testResult: e.artifacts.testResult,
    deliveredBy: e.deliveredBy,
    deliveredAt: e.deliveredAt,
    hold: e.hold,
    holdExpired: e.holdExpired,
    reviewedBy: e.reviewedBy,
    reviewedAt: e.reviewedAt,
    updatedAt: e.updatedAt,
  };
}
