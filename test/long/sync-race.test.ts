// Many machines racing through one remote (issue 17): 4 clones x 2 server processes make 500+
// claims of shared tasks and 500+ exclusive lease attempts on shared paths (leases change hands:
// a winner releases at its next step). Exactly one winner each, proved by replaying the remote's
// history file by file; nothing acknowledged missing, nothing published twice, nothing left
// unpublished, fsck clean everywhere.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { ToolError, type AgentClient } from '../../src/client/agent-client.js';
import { cli, fsckStrict, git, initAgent } from '../helpers.js';
import { history, one, world } from '../sync-helpers.js';

/** Machines racing (SYNC_RACE_MACHINES, 4 in `npm run test:long`), two server processes each. */
const MACHINES = Number(process.env.SYNC_RACE_MACHINES ?? 4);
const PER_MACHINE = 2;
/** At least this many claim attempts, and as many lease attempts (SYNC_RACE_ATTEMPTS; the issue asks for 500 each). */
const ATTEMPTS = Number(process.env.SYNC_RACE_ATTEMPTS ?? 500);
const AGENTS = MACHINES * PER_MACHINE;
/** Every agent tries every task once, so this many tasks make ATTEMPTS claim attempts. */
const TASKS = Math.ceil(ATTEMPTS / AGENTS);
/** Few paths, so lease attempts collide often. */
const PATHS = 4;

interface LeaseFile {
  owner: string;
  paths: string[];
  exclusive?: boolean;
}

/**
 * Replay the state history of `repo` file by file: after every commit, the live leases (leases/*.yaml)
 * and task owners (tasks/**.yaml). Fails on two agents' exclusive leases sharing a path, and on a
 * task whose owner changes from one agent to another. Returns how many commits it replayed.
 */
function replayState(repo: string): number {
  const raw = git(repo, 'log', '--first-parent', '--reverse', '--format=%x01%H', '--raw', '--no-abbrev', '--no-renames', 'refs/lockstep/state', '--', 'leases', 'tasks');
  const commits = raw
    .split('\x01')
    .filter(Boolean)
    .map((block) => {
      const [oid, ...lines] = block.trim().split('\n');
      const changes = lines
        .filter((l) => l.startsWith(':'))
        .map((l) => {
          const [meta, file] = l.split('\t') as [string, string];
          const f = meta.split(' ');
          return { blob: f[3]!, status: f[4]!, file };
        });
      return { oid: oid!, changes };
    });
  // Every blob the history adds, read in one git process.
  const blobs = [...new Set(commits.flatMap((c) => c.changes.filter((x) => x.status !== 'D').map((x) => x.blob)))];
  const out = execFileSync('git', ['cat-file', '--batch'], { cwd: repo, input: blobs.join('\n') + '\n', maxBuffer: 256 * 1024 * 1024 });
  const content = new Map<string, string>();
  for (let at = 0, i = 0; i < blobs.length; i++) {
    const nl = out.indexOf(0x0a, at);
    const [oid, , size] = out.toString('latin1', at, nl).split(' ');
    content.set(oid!, out.toString('utf8', nl + 1, nl + 1 + Number(size)));
    at = nl + 1 + Number(size) + 1;
  }
  const leases = new Map<string, LeaseFile>();
  const owners = new Map<string, string>();
  for (const c of commits) {
    for (const x of c.changes) {
      if (x.file.startsWith('leases/')) {
        if (x.status === 'D') leases.delete(x.file);
        else leases.set(x.file, parse(content.get(x.blob)!) as LeaseFile);
      } else if (x.status !== 'D') {
        const t = parse(content.get(x.blob)!) as { id: string; owner?: string };
        const before = owners.get(t.id);
        if (t.owner !== undefined) {
          assert.ok(before === undefined || before === t.owner, `commit ${c.oid}: task ${t.id} went from ${before} to ${t.owner}`);
          owners.set(t.id, t.owner);
        }
      }
    }
    const holder = new Map<string, string>();
    for (const [file, l] of leases) {
      if (l.exclusive === false) continue;
      for (const p of l.paths) {
        const h = holder.get(p);
        assert.ok(h === undefined || h === l.owner, `commit ${c.oid}: ${p} held exclusively by ${h} and ${l.owner} (${file})`);
        holder.set(p, l.owner);
      }
    }
  }
  return commits.length;
}

test(`race: ${MACHINES} machines x ${PER_MACHINE} server processes make ${AGENTS * TASKS} claims of ${TASKS} shared tasks and ${AGENTS * TASKS} exclusive lease attempts on ${PATHS} shared paths through the remote: one winner each, proved by replaying its history`, async () => {
  const w = world(MACHINES);
  const planner = await initAgent(w.machines[0]!, 'planner', 'lead');
  const ids: string[] = [];
  for (let i = 0; i < TASKS; i++) ids.push((await planner.call<{ task: { id: string } }>('task_create', { title: `shared ${i}` })).task.id);
  const files = Array.from({ length: PATHS }, (_, i) => `src/shared-${i}.ts`);
  const agents: { name: string; c: AgentClient }[] = [];
  for (const [mi, m] of w.machines.entries()) {
    for (let p = 0; p < PER_MACHINE; p++) {
      const name = `impl-${mi}-${p}`;
      agents.push({ name, c: await initAgent(m, 'implementer', name) });
    }
  }
  const claimed = new Map<string, string[]>();
  /** Acknowledged leases, and whether their release was acknowledged. */
  const leases: { agent: string; id: string; file: string; released: boolean }[] = [];
  const tally = { claimAttempts: 0, claimWins: 0, claimRefusals: 0, leaseAttempts: 0, leaseWins: 0, leaseRefusals: 0, releases: 0 };
  const started = performance.now();
  await Promise.all(
    agents.map(async ({ name, c }, k) => {
      // Each agent walks the tasks in its own order and the paths from its own offset, so the races spread.
      const order = ids.map((_, i) => (i + k * 5) % ids.length);
      let held: (typeof leases)[number] | undefined;
      for (const [n, i] of order.entries()) {
        tally.claimAttempts++;
        try {
          await c.call('task_claim', { id: ids[i]! });
          (claimed.get(ids[i]!) ?? claimed.set(ids[i]!, []).get(ids[i]!)!).push(name);
          tally.claimWins++;
        } catch (err) {
          assert.ok(err instanceof ToolError, String(err));
          assert.equal(err.code, 'TASK_NOT_CLAIMABLE', `${name} claiming ${ids[i]}: ${err.message}`);
          tally.claimRefusals++;
        }
        // The lease won at the last step is given back now, so paths change hands during the race.
        if (held) {
          await c.call('lock_release', { leaseId: held.id });
          held.released = true;
          tally.releases++;
          held = undefined;
        }
        const file = files[(n + k) % files.length]!;
        tally.leaseAttempts++;
        try {
          const r = await c.call<{ lease: { id: string } }>('lock_acquire', { paths: [file], ttlSec: 3600 });
          held = { agent: name, id: r.lease.id, file, released: false };
          leases.push(held);
          tally.leaseWins++;
        } catch (err) {
          assert.ok(err instanceof ToolError, String(err));
          assert.equal(err.code, 'LOCK_HELD', `${name} leasing ${file}: ${err.message}`);
          tally.leaseRefusals++;
        }
      }
    }),
  );
  const raceMs = performance.now() - started;
  // The size the issue asks for, and a race that really raced (refusals on both sides, leases that changed hands).
  assert.ok(tally.claimAttempts >= ATTEMPTS && tally.leaseAttempts >= ATTEMPTS, JSON.stringify(tally));
  assert.equal(tally.claimAttempts, AGENTS * TASKS);
  assert.equal(tally.leaseAttempts, AGENTS * TASKS);
  assert.equal(tally.claimWins, TASKS, 'one acknowledged claim per task');
  assert.ok(tally.claimRefusals > 0 && tally.leaseRefusals > 0 && tally.leaseWins > PATHS, JSON.stringify(tally));
  for (const id of ids) assert.equal(claimed.get(id)?.length, 1, `one acknowledged claim of ${id}: ${claimed.get(id)}`);

  // The remote's history, replayed file by file: never two exclusive holders of a path, never a task taken from its owner.
  const replayed = replayState(w.bare);
  // Its trailers: one claim commit per task, by the acknowledged claimer; every acknowledged lease and release there.
  const hist = history(w.bare);
  const claimsOf = new Map<string, string[]>();
  for (const c of hist) {
    if (one(c, 'Lockstep-Op') !== 'task.claim') continue;
    const id = c.trailers['Lockstep-Entity']![0]!;
    (claimsOf.get(id) ?? claimsOf.set(id, []).get(id)!).push(one(c, 'Lockstep-Actor')!);
  }
  for (const id of ids) assert.deepEqual(claimsOf.get(id), claimed.get(id), `the remote's claims of ${id} are the acknowledged one`);
  const opsOn = (op: string, lease: string) => hist.filter((c) => one(c, 'Lockstep-Op') === op && (c.trailers['Lockstep-Entity'] ?? []).includes(lease));
  for (const l of leases) {
    assert.deepEqual(opsOn('lock.acquire', l.id).map((c) => one(c, 'Lockstep-Actor')), [l.agent], `lease ${l.id} acquired on the remote, once, by ${l.agent}`);
    assert.equal(opsOn('lock.release', l.id).length, l.released ? 1 : 0, `release of ${l.id} on the remote iff acknowledged`);
  }
  // No op published twice.
  const opIds = hist.map((c) => one(c, 'Lockstep-Op-Id'));
  assert.equal(new Set(opIds).size, opIds.length);
  // Nothing acknowledged is left only on a machine: every machine's tip is in the remote's history.
  const remoteTip = git(w.bare, 'rev-parse', 'refs/lockstep/state');
  for (const m of w.machines) {
    const tip = git(m, 'rev-parse', 'refs/lockstep/state');
    assert.equal(git(w.bare, 'merge-base', '--is-ancestor', tip, remoteTip), '', `${m}'s state is published`);
  }
  // The remote's final state, read by a fresh clone: the acknowledged owners and exactly the unreleased leases.
  const audit = path.join(w.root, 'audit');
  git(w.root, 'clone', '-q', w.bare, audit);
  assert.equal(cli(audit, 'sync', '--setup', 'origin').status, 0);
  const tasks = JSON.parse(cli(audit, 'task', 'list', '--json', '--limit', String(TASKS + 10)).stdout) as { tasks: { id: string; owner?: string }[] };
  assert.equal(tasks.tasks.length, TASKS);
  for (const t of tasks.tasks) assert.equal(t.owner, claimed.get(t.id)![0]);
  const locks = JSON.parse(cli(audit, 'lock', 'list', '--json').stdout) as { leases: { id: string; owner: string }[] };
  assert.deepEqual(locks.leases.map((l) => `${l.id} ${l.owner}`).sort(), leases.filter((l) => !l.released).map((l) => `${l.id} ${l.agent}`).sort());
  for (const m of [...w.machines, w.bare]) fsckStrict(m);
  const ops = tally.claimAttempts + tally.leaseAttempts + tally.releases;
  process.stderr.write(
    `sync.test: race of ${agents.length} servers on ${MACHINES} machines through a file remote: ${tally.claimAttempts} claim attempts (${tally.claimWins} won), ${tally.leaseAttempts} exclusive lease attempts (${tally.leaseWins} won, ${tally.releases} released), ${ops} ops in ${(raceMs / 1000).toFixed(1)} s (${((ops / raceMs) * 1000).toFixed(1)} ops/s); ${replayed} remote commits replayed\n`,
  );
});
