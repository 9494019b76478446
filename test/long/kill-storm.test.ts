// A kill -9 storm: MCP servers writing to one repository are killed at random moments (holding
// the lock, half-way through an object, between the objects and the ref) and replaced. Afterwards
// every acknowledged op is in the history exactly once, git fsck --strict is clean, and no lock,
// spare lock or object file, or half-written object of the dead is left behind.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { AgentClient } from '../../src/client/agent-client.js';
import { agent, cli, fsckStrict, git, makeRepo } from '../helpers.js';

const SECONDS = Number(process.env.KILL_STORM_SEC ?? 15);

test(`kill -9 storm: 3 writers killed and replaced at random for ${SECONDS} s; nothing acknowledged is lost, fsck --strict clean`, async (t) => {
  const repo = makeRepo();
  const acknowledged: string[] = [];
  const live = new Map<number, AgentClient>();
  let next = 0;
  let kills = 0;
  const until = Date.now() + SECONDS * 1000;
  const writer = async (slot: number) => {
    while (Date.now() < until) {
      const name = `w${slot}-${next++}`;
      const c = await agent(repo, 'implementer', name, { stderr: 'ignore' });
      try {
        for (let i = 0; Date.now() < until; i++) {
          const text = `${name} note ${i}`;
          await c.call('note_append', { text });
          acknowledged.push(text);
          live.set(slot, c); // killed only once it is writing, not while it starts
          await c.call('lock_acquire', { path: `src/${name}.ts` });
          await c.call('lock_release', { path: `src/${name}.ts` });
        }
      } catch (err) {
        // Killed under the call: what it was doing is not acknowledged, so it may or may not be there.
        if (!/Connection closed|EPIPE|not connected/i.test(String(err))) throw err;
      }
      live.delete(slot);
      await c.close();
    }
  };
  const killer = (async () => {
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 60 + Math.random() * 140));
      const victims = [...live.values()];
      const c = victims[Math.floor(Math.random() * victims.length)];
      if (c?.pid) {
        live.delete([...live].find(([, v]) => v === c)![0]);
        process.kill(c.pid, 'SIGKILL');
        kills++;
      }
    }
  })();
  await Promise.all([0, 1, 2].map(writer));
  await killer;
  assert.ok(kills >= 10, `only ${kills} kills`);
  const recovered = git(repo, 'log', '--format=%(trailers:key=Lockstep-Recovered-Lock,valueonly)', 'refs/lockstep/state').split('\n').filter(Boolean).length;
  t.diagnostic(`${kills} kills, ${acknowledged.length} acknowledged notes, ${recovered} locks recovered from the dead`);

  // The next writer recovers whatever the last victim held.
  const after = cli(repo, 'note', 'add', 'after the storm');
  assert.equal(after.status, 0, after.stderr);
  const notes = git(repo, 'log', '-p', '--format=', 'refs/lockstep/state', '--', 'notes');
  // Whole lines only: "w0-2 note 1" is a prefix of "w0-2 note 10".
  const added = notes.split('\n').filter((l) => l.startsWith('+'));
  for (const text of acknowledged) {
    const line = new RegExp(`^\\+\\s*text: ["']?${text}["']?$`);
    assert.equal(added.filter((l) => line.test(l)).length, 1, `${text} written exactly once`);
  }
  fsckStrict(repo);
  assert.ok(!fs.existsSync(path.join(repo, '.git', 'refs', 'lockstep', 'state.lock')), 'no lock left');
  assert.deepEqual(fs.readdirSync(path.join(repo, '.git', 'refs', 'lockstep')), ['state']);
  // Spare lock files of dead writers are swept by the next process that takes a lock.
  const spares = fs.readdirSync(path.join(repo, '.git', 'lockstep', 'locks'));
  assert.deepEqual(spares, [], `left: ${spares.join(', ')}`);
  // And their object files made ahead, by the next process that writes an object.
  const objectSpares = fs.readdirSync(path.join(repo, '.git', 'lockstep', 'spares'));
  assert.deepEqual(objectSpares, [], `left: ${objectSpares.join(', ')}`);
});
