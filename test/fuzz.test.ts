// A quick pass of `npm run fuzz` (every 40th systematic input, one random one per tool): hostile
// inputs through MCP stdio are accepted or refused with a documented code, never INTERNAL, never a
// hang, never a write outside the roots or into .git. CI runs the full fuzz.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuzz } from '../scripts/fuzz.js';
import './helpers.js';

test('fuzz: hostile inputs to every tool are refused with a documented code or accepted, nothing written where it must not be', async () => {
  const report = await fuzz(1, 42, () => undefined, 40);
  assert.ok(report.tools >= 70, `tools/list gave ${report.tools} tools`);
  assert.ok(report.tried >= 300, `${report.tried} inputs tried`);
  assert.deepEqual(report.failures, []);
});
