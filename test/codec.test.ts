// The canonical YAML style: whatever emitCanonical writes, the `yaml` library reads back to the same
// value, and the fast parser is only trusted where re-emitting gives the same bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import YAML from 'yaml';
import { emitCanonical, parseCanonical } from '../src/state/core/canonical-yaml.js';

/** A seeded generator, so a failure is reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'a', 'Z', '0', '7', ' ', '  ', '\n', '\n\n', '\t', ':', ': ', '#', ' #', '-', '- ', '?', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>',
  "'", '"', '%', '@', '`', '\\', '<<', '~', '.', 'e', 'E', '+', 'x', '0x', '0o', '.inf', '.nan', 'null', 'true', 'No', 'yes', 'y',
  'ünï', '✓', '\u00a0', '\u0085', '\u2028', '\ufeff', '\u0000', '\u001b', '\r', '\r\n', '😀', '\ud800', 'T-7K2M', '2026-11-24T07:40:00.000Z',
  '1e3', '12', '-3', '.5', '3.', '1_000', 'http://x', 'key: value', '/', '(', ')', '=', ';',
];

function randomString(r: () => number): string {
  let s = '';
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(r() * PIECES.length)]!;
  return s;
}

function randomValue(r: () => number, depth: number): unknown {
  const k = r();
  if (depth > 3 || k < 0.45) {
    const t = r();
    if (t < 0.7) return randomString(r);
    if (t < 0.8) return Math.floor((r() - 0.5) * 1e6);
    if (t < 0.85) return (r() - 0.5) * 10 ** Math.floor(r() * 30 - 10);
    if (t < 0.92) return r() < 0.5;
    return null;
  }
  if (k < 0.7) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  return randomMap(r, depth + 1);
}

function randomMap(r: () => number, depth: number): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  const n = Math.floor(r() * 5);
  for (let i = 0; i < n; i++) m[r() < 0.7 ? `k${Math.floor(r() * 20)}` : randomString(r)] = randomValue(r, depth);
  return m;
}

/** Random documents per test: a sample in `npm test`, 20,000 in CI (CODEC_DOCS). */
const DOCS = Number(process.env.CODEC_DOCS ?? 4_000);

test('every canonical document reads back identically through the yaml library and the fast parser', () => {
  const r = rng(20261124);
  let emitted = 0;
  for (let i = 0; i < DOCS; i++) {
    const doc = randomMap(r, 0);
    const text = emitCanonical(doc);
    if (text === null) continue; // outside the style (e.g. nested lists): the yaml library writes it
    emitted++;
    assert.deepEqual(YAML.parse(text), doc, text);
    assert.deepEqual(parseCanonical(text), doc, text);
  }
  assert.ok(emitted > DOCS / 2, `most documents are in the canonical style (${emitted} of ${DOCS})`);
});

test('the fast parser never disagrees with the yaml library on text it accepts', () => {
  const r = rng(7);
  let checked = 0;
  for (let i = 0; i < DOCS; i++) {
    const base = emitCanonical(randomMap(r, 0));
    if (base === null) continue;
    // Damage the text the way a hand edit might: drop, duplicate or splice characters.
    const at = Math.floor(r() * base.length);
    const edits = [base.slice(0, at) + base.slice(at + 1), base.slice(0, at) + base[at] + base.slice(at), base.slice(0, at) + randomString(r) + base.slice(at)];
    for (const text of edits) {
      const fast = parseCanonical(text);
      if (fast === undefined || emitCanonical(fast) !== text) continue; // not trusted: the yaml library decides
      checked++;
      assert.deepEqual(YAML.parse(text), fast, text);
    }
  }
  assert.ok(checked > DOCS / 20, `${checked} damaged texts checked`);
});
