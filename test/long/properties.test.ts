// Property: random interleavings of several agents' calls against the real store (a real repository,
// one Lockstep per agent, a shared fake clock) keep every promise after every step: at most one
// owner per claim, no two overlapping live exclusive leases of different owners (checked with our
// own overlap rule on concrete paths), every acknowledged op in the git history, every state file
// readable, every reply under the reply limit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Lockstep } from '../../src/app/lockstep.js';
import type { Caller } from '../../src/app/use-case.js';
import { useCases } from '../../src/app/use-cases.js';
import { isLockstepError } from '../../src/errors.js';
import type { Role } from '../../src/state/core/schema.js';
import { makeRepo } from '../helpers.js';

const REPLY_LIMIT = 1024 * 1024;
/** The concrete paths leases are judged on (our own rule, not the server's overlap function). */
const UNIVERSE = ['src/a.ts', 'src/b.ts', 'src/x/c.ts', 'docs/r.md', 'README.md'];
const PATTERNS = ['src/a.ts', 'src/b.ts', 'src', 'src/*', 'src/**', 'src/x', 'docs/**', '*.md', 'README.md', 'src/x/*.ts'];
const AGENTS = ['impl-1', 'impl-2', 'impl-3'] as const;

function globRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Which universe paths a lease pattern takes: a glob by matching, a file or folder by prefix. */
function covered(pattern: string): Set<string> {
  if (/[*?[]/.test(pattern)) return new Set(UNIVERSE.filter((p) => globRegex(pattern).test(p)));
  return new Set(UNIVERSE.filter((p) => p === pattern || p.startsWith(`${pattern}/`)));
}

type Action =
  | { kind: 'create'; title: string }
  | { kind: 'claim'; agent: number; task: number }
  | { kind: 'lock'; agent: number; patterns: string[]; exclusive: boolean; ttlSec: number }
  | { kind: 'release'; agent: number; pattern: string }
  | { kind: 'note'; agent: number; text: string }
  | { kind: 'list'; agent: number }
  | { kind: 'tick'; ms: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), title: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== '') }),
  fc.record({ kind: fc.constant('claim' as const), agent: fc.nat(AGENTS.length - 1), task: fc.nat(7) }),
  fc.record({ kind: fc.constant('lock' as const), agent: fc.nat(AGENTS.length - 1), patterns: fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 3 }), exclusive: fc.boolean(), ttlSec: fc.integer({ min: 5, max: 120 }) }),
  fc.record({ kind: fc.constant('release' as const), agent: fc.nat(AGENTS.length - 1), pattern: fc.constantFrom(...PATTERNS) }),
  fc.record({ kind: fc.constant('note' as const), agent: fc.nat(AGENTS.length - 1), text: fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim() !== '') }),
  fc.record({ kind: fc.constant('list' as const), agent: fc.nat(AGENTS.length - 1) }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 90_000 }) }),
);

/** Refusals a careful caller may get; anything else (INTERNAL above all) fails the property. */
const EXPECTED_REFUSALS = new Set(['TASK_NOT_FOUND', 'TASK_NOT_CLAIMABLE', 'LOCK_HELD', 'LOCK_NOT_FOUND', 'NOT_OWNER', 'ALREADY_CLAIMED', 'TASK_ALREADY_CLAIMED', 'DEPENDENCY_NOT_DONE', 'CLAIM_LIMIT']);

test('random interleavings of agents keep every promise after every step (fast-check)', async () => {
  let runs = 0;
  let steps = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(action, { minLength: 1, maxLength: 3 }), { minLength: 5, maxLength: 18 }), async (rounds) => {
      runs++;
      const repo = makeRepo();
      let now = Date.parse('2026-12-01T10:00:00Z');
      const clock = () => now;
      const apps = new Map<string, Lockstep>();
      const caller = (agent: string, role: Role): Caller => ({ who: { agent, role }, session: { agent, role } });
      const appOf = (agent: string) => {
        let a = apps.get(agent);
        if (!a) apps.set(agent, (a = new Lockstep({ dir: repo, clock })));
        return a;
      };
      const planner = appOf('lead');
      await planner.call(useCases.coordinationInit, { role: 'planner', name: 'lead' }, caller('lead', 'planner'));
      for (const a of AGENTS) await appOf(a).call(useCases.coordinationInit, { role: 'implementer', name: a }, caller(a, 'implementer'));
      const tasks: string[] = [];
      const acknowledged: { op: string; entity: string }[] = [];

      for (const round of rounds) {
        // One round's calls run at once, each agent through its own Lockstep (its own store and lock).
        await Promise.all(
          round.map(async (act) => {
            steps++;
            try {
              let reply: unknown;
              if (act.kind === 'tick') {
                now += act.ms;
                return;
              } else if (act.kind === 'create') {
                const r = await planner.call(useCases.taskCreate, { title: act.title }, caller('lead', 'planner'));
                tasks.push(r.task.id);
                acknowledged.push({ op: 'task.create', entity: r.task.id });
                reply = r;
              } else if (act.kind === 'claim') {
                const id = tasks[act.task % Math.max(tasks.length, 1)];
                if (id === undefined) return;
                const agent = AGENTS[act.agent]!;
                reply = await appOf(agent).call(useCases.taskClaim, { id }, caller(agent, 'implementer'));
                acknowledged.push({ op: 'task.claim', entity: id });
              } else if (act.kind === 'lock') {
                const agent = AGENTS[act.agent]!;
                const r = await appOf(agent).call(useCases.lockAcquire, { paths: act.patterns, exclusive: act.exclusive, ttlSec: act.ttlSec }, caller(agent, 'implementer'));
                if (r.created) acknowledged.push({ op: 'lock.acquire', entity: r.lease.id });
                reply = r;
              } else if (act.kind === 'release') {
                const agent = AGENTS[act.agent]!;
                reply = await appOf(agent).call(useCases.lockRelease, { path: act.pattern }, caller(agent, 'implementer'));
              } else if (act.kind === 'note') {
                const agent = AGENTS[act.agent]!;
                const r = await appOf(agent).call(useCases.noteAppend, { text: act.text }, caller(agent, 'implementer'));
                acknowledged.push({ op: 'note.append', entity: r.note.id });
                reply = r;
              } else {
                const agent = AGENTS[act.agent]!;
                reply = await appOf(agent).call(useCases.taskList, {}, caller(agent, 'implementer'));
              }
              assert.ok(JSON.stringify(reply).length < REPLY_LIMIT, `${act.kind} reply under ${REPLY_LIMIT} bytes`);
            } catch (err) {
              if (!isLockstepError(err) || !EXPECTED_REFUSALS.has(err.code)) throw err;
              refused++;
            }
          }),
        );

        // The invariants, read by a fresh Lockstep (nothing cached from the writers).
        const fresh = new Lockstep({ dir: repo, clock });
        await fresh.read((state) => {
          assert.deepEqual(state.corruptFiles(), [], 'every state file reads');
          for (const t of state.tasks().items) {
            if (t.claim) assert.ok((AGENTS as readonly string[]).includes(t.claim.by), `${t.id} claimed by a known agent`);
            if (t.status === 'in_progress') assert.ok(t.claim || t.owner, `${t.id} in progress has an owner`);
          }
          const live = state.leases().items.filter((l) => l.exclusive && Date.parse(l.expiresAt) > now);
          for (const a of live) {
            for (const b of live) {
              if (a.id >= b.id || a.owner === b.owner) continue;
              const ca = new Set(a.paths.flatMap((p) => [...covered(p)]));
              const both = b.paths.flatMap((p) => [...covered(p)]).filter((p) => ca.has(p));
              assert.deepEqual(both, [], `live exclusive leases ${a.id} (${a.owner}: ${a.paths}) and ${b.id} (${b.owner}: ${b.paths}) overlap`);
            }
          }
          for (const id of tasks) assert.ok(state.task(id), `acknowledged task ${id} is in the state`);
        });
        const history = await fresh.history(10_000, () => true);
        for (const ack of acknowledged) {
          assert.ok(history.some((e) => e.op === ack.op && e.entities.includes(ack.entity)), `acknowledged ${ack.op} ${ack.entity} is in the history`);
        }
      }
    }),
    { numRuns: Number(process.env.PROPERTY_RUNS ?? 12), seed: process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : undefined },
  );
  process.stderr.write(`property: ${runs} runs, ${steps} calls, ${refused} refused as expected\n`);
});
