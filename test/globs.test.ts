// Lease patterns: exact, symmetric overlap of plain paths (files and folders) and globs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGlob, patternCovers, patternsOverlap } from '../src/state/globs.js';

test('patterns overlap when some path is leased by both, in either order', () => {
  const cases: [string, string, boolean][] = [
    ['src/**', 'src/a.ts', true],
    ['src/*.ts', 'src/a.ts', true],
    ['src/*.ts', 'src/db/a.ts', false],
    ['src/**/a.ts', 'src/a.ts', true],
    ['src/**/a.ts', 'src/x/y/a.ts', true],
    ['src/**/a.ts', 'lib/a.ts', false],
    ['src', 'src/db/**', true],
    ['src/db/**', 'lib/**', false],
    ['*.md', 'docs/*.md', false],
    ['**/*.md', 'docs/*.md', true],
    ['src/*.ts', 'src/*.js', false],
    ['src/?.ts', 'src/ab.ts', false],
    ['src/?.ts', 'src/*', true],
    ['src', 'srcx', false],
    ['src/db', 'src', true],
    ['src/db/**', 'src/*', true], // src/* matches the folder src/db, and a folder lease covers what is below it
    ['a/*/c', 'a/b/*', true],
    ['a/*/c', 'a/b/d', false],
  ];
  for (const [a, b, want] of cases) {
    assert.equal(patternsOverlap(a, b), want, `${a} vs ${b}`);
    assert.equal(patternsOverlap(b, a), want, `${b} vs ${a}`);
  }
});

test('a pattern covers the files a commit touches', () => {
  assert.ok(isGlob('src/*.ts') && !isGlob('src/a.ts'));
  assert.ok(patternCovers('src/**', 'src/x/y.ts'));
  assert.ok(!patternCovers('src/*.ts', 'src/x/y.ts'));
  assert.ok(patternCovers('src', 'src/a.ts'));
  assert.ok(!patternCovers('src', 'srcx/a.ts'));
  assert.ok(patternCovers('docs/**/*.md', 'docs/a.md'));
  assert.ok(patternCovers('src/*', 'src/db/a.ts'), 'a glob matching a folder covers its files');
});
