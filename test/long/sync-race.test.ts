// Many machines racing through one remote (issue 17): 4 clones x 2 server processes claim shared
// tasks and take exclusive leases on shared paths; exactly one winner each, proved by replaying
// the remote's history, nothing acknowledged missing, nothing published twice, fsck clean.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ToolError, type AgentClient } from '../../src/client/agent-client.js';
import { cli, fsckStrict, git, initAgent } from '../helpers.js';
import { history, one, world } from '../sync-helpers.js';

/** Machines racing (SYNC_RACE_MACHINES, 4 in `npm run test:long`); 4 tasks and 2 paths per machine. */
const MACHINES = Number(process.env.SYNC_RACE_MACHINES ?? 4);

test(`race: ${MACHINES} machines x 2 server processes claim ${MACHINES * 4} shared tasks and lease ${MACHINES * 2} shared paths through the remote: one winner each, proved on its history`, async () => {
  const w = world(MACHINES);
  const planner = await initAgent(w.machines[0]!, 'planner', 'lead');
  const ids: string[] = [];
  for (let i = 0; i < MACHINES * 4; i++) ids.push((await planner.call<{ task: { id: string } }>('task_create', { title: `shared ${i}` })).task.id);
  const files = Array.from({ length: MACHINES * 2 }, (_, i) => `src/shared-${i}.ts`);
  const agents: { name: string; c: AgentClient }[] = [];
  for (const [mi, m] of w.machines.entries()) {
    for (let p = 0; p < 2; p++) {
      const name = `impl-${mi}-${p}`;
      agents.push({ name, c: await initAgent(m, 'implementer', name) });
    }
  }
  const claimed = new Map<string, string[]>();
  const leased = new Map<string, { agent: string; lease: string }[]>();
  const started = performance.now();
  let attempts = 0;
  await Promise.all(
    agents.map(async ({ name, c }, k) => {
      // Each agent walks the tasks and paths in its own order, so the races spread.
      const order = ids.map((_, i) => (i + k * 5) % ids.length);
      for (const [n, i] of order.entries()) {
        attempts++;
        try {
          await c.call('task_claim', { id: ids[i]! });
          (claimed.get(ids[i]!) ?? claimed.set(ids[i]!, []).get(ids[i]!)!).push(name);
        } catch (err) {
          assert.ok(err instanceof ToolError, String(err));
          assert.equal(err.code, 'TASK_NOT_CLAIMABLE', `${name} claiming ${ids[i]}: ${err.message}`);
        }
        const file = files[(n + k) % files.length]!;
        attempts++;
        try {
          const r = await c.call<{ lease: { id: string } }>('lock_acquire', { paths: [file], ttlSec: 3600 });
          (leased.get(file) ?? leased.set(file, []).get(file)!).push({ agent: name, lease: r.lease.id });
        } catch (err) {
          assert.ok(err instanceof ToolError, String(err));
          assert.equal(err.code, 'LOCK_HELD', `${name} leasing ${file}: ${err.message}`);
        }
      }
    }),
  );
  const raceMs = performance.now() - started;
  // Acknowledged: exactly one winner per task and per path (an agent leasing its own path again extends it).
  for (const id of ids) assert.equal(claimed.get(id)?.length, 1, `one acknowledged claim of ${id}: ${claimed.get(id)}`);
  for (const f of files) assert.equal(new Set((leased.get(f) ?? []).map((l) => l.agent)).size, 1, `one holder of ${f}`);

  // Replay the remote's history: one claim commit per task, no two agents' exclusive leases on one path.
  const hist = history(w.bare);
  const claimsOf = new Map<string, string[]>();
  const holderOf = new Map<string, string>();
  for (const c of hist) {
    if (one(c, 'Lockstep-Op') === 'task.claim') {
      const id = c.trailers['Lockstep-Entity']![0]!;
      (claimsOf.get(id) ?? claimsOf.set(id, []).get(id)!).push(one(c, 'Lockstep-Actor')!);
    }
    if (one(c, 'Lockstep-Op') === 'lock.acquire') {
      const data = JSON.parse(one(c, 'Lockstep-Data')!) as { paths: string[] };
      for (const p of data.paths) {
        const held = holderOf.get(p);
        assert.ok(held === undefined || held === one(c, 'Lockstep-Actor'), `${p} leased by ${held} and ${one(c, 'Lockstep-Actor')}`);
        holderOf.set(p, one(c, 'Lockstep-Actor')!);
      }
    }
  }
  for (const id of ids) assert.deepEqual(claimsOf.get(id), claimed.get(id), `the remote's claims of ${id} are the acknowledged one`);
  for (const f of files) assert.equal(holderOf.get(f), leased.get(f)![0]!.agent, `the remote's holder of ${f} is the acknowledged one`);
  // No op published twice, and nothing acknowledged is missing from the remote's final state.
  const opIds = hist.map((c) => one(c, 'Lockstep-Op-Id'));
  assert.equal(new Set(opIds).size, opIds.length);
  const audit = path.join(w.root, 'audit');
  git(w.root, 'clone', '-q', w.bare, audit);
  assert.equal(cli(audit, 'sync', '--setup', 'origin').status, 0);
  const tasks = JSON.parse(cli(audit, 'task', 'list', '--json').stdout) as { tasks: { id: string; owner?: string }[] };
  for (const t of tasks.tasks) assert.equal(t.owner, claimed.get(t.id)![0]);
  const locks = JSON.parse(cli(audit, 'lock', 'list', '--json').stdout) as { leases: { id: string; owner: string }[] };
  for (const f of files) for (const l of leased.get(f)!) assert.ok(locks.leases.some((x) => x.id === l.lease && x.owner === l.agent), `lease ${l.lease} is on the remote`);
  for (const m of [...w.machines, w.bare]) fsckStrict(m);
  process.stderr.write(`sync.test: race of ${agents.length} servers on ${MACHINES} machines, ${attempts} ops through a file remote: ${raceMs.toFixed(0)} ms (${((attempts / raceMs) * 1000).toFixed(1)} ops/s)\n`);
});
