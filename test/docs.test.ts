// Docs that match the code: the README's error table is the list in src/errors.ts, and every code
// the source throws is in that list.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { README, withErrorTable } from '../scripts/docs.js';
import { ERRORS } from '../src/errors.js';

test('the README error table is the list of codes in src/errors.ts (npm run docs rewrites it)', () => {
  const readme = fs.readFileSync(README, 'utf8');
  assert.equal(withErrorTable(readme), readme, 'README.md is out of date: run npm run docs');
});

test('every code the source throws is listed with what it means and what to do', () => {
  const src = path.resolve(import.meta.dirname, '..', 'src');
  const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  const thrown = new Set<string>();
  for (const f of walk(src)) for (const m of fs.readFileSync(f, 'utf8').matchAll(/LockstepError\(\s*'([A-Z_]+)'/g)) thrown.add(m[1]!);
  const listed = new Set(Object.keys(ERRORS));
  assert.deepEqual([...thrown].filter((c) => !listed.has(c)), []);
  for (const [code, e] of Object.entries(ERRORS)) assert.ok(e.means && e.fix, `${code} has a meaning and a fix`);
});
