// The lease stress run through real processes (CI): 8 MCP servers contend for overlapping leases;
// the replayed history has no conflicting holders, no thefts, nothing missing, and nothing deadlocks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runStress, stressFailures, stressSummary } from '../../bench/stress.js';

const SECONDS = Number(process.env.STRESS_SEC ?? 10);

test('stress: 8 server processes contend for overlapping leases; the replayed history has no conflicting holders and nothing deadlocks', async () => {
  const seconds = SECONDS;
  const report = await runStress({ processes: 8, seconds });
  const failures = stressFailures(report);
  assert.deepEqual(failures, [], stressSummary(report));
  assert.deepEqual([report.replay.violations.length, report.replay.thefts.length, report.replay.missing.length], [0, 0, 0]);
  assert.ok(report.acquisitions > 0);
  assert.ok(report.refusals > 0, 'the processes really contended');
  assert.ok(report.replay.commits >= report.acquisitions, 'every acquisition is a commit');
  assert.deepEqual(report.unfinished, []);
});
