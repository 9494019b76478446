// The layer rules of DESIGN 2, checked on the import statements of every source file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const SRC = path.resolve(import.meta.dirname, '..', 'src');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** The layer of a source file or a resolved import: its first path segment under src/ (app.ts -> app). */
function layerOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length === 1 ? rel[0]!.replace(/\.ts$/, '') : rel[0]!;
}

/** Which of our layers, and which packages, each layer may import. */
const RULES: Record<string, { layers: string[]; packages: RegExp }> = {
  state: { layers: ['state'], packages: /^(zod|yaml)$/ },
  git: { layers: ['git'], packages: /^(node:.*|isomorphic-git)$/ },
  store: { layers: ['store', 'state', 'git'], packages: /^(node:.*|zod)$/ },
  app: { layers: ['state', 'git', 'store'], packages: /^(node:.*|zod)$/ },
  version: { layers: [], packages: /^node:/ },
  workspace: { layers: ['workspace', 'state'], packages: /^(node:.*|smol-toml)$/ },
  mcp: { layers: ['mcp', 'app', 'state', 'store', 'version', 'git/errors', 'workspace'], packages: /^(node:.*|zod|@modelcontextprotocol\/sdk\/.*)$/ },
  cli: { layers: ['cli', 'app', 'state', 'store', 'mcp', 'version', 'git', 'workspace'], packages: /^(node:.*|zod|clipanion|typanion)$/ },
};

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

test('every import follows the layer table (docs/architecture.md)', () => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    const layer = layerOf(file);
    const rule = RULES[layer];
    assert.ok(rule, `no rule for layer ${layer} (${file})`);
    for (const spec of imports(file)) {
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'));
        const tl = layerOf(target);
        const ok = rule.layers.includes(tl) || rule.layers.some((l) => l.includes('/') && path.relative(SRC, target).replace(/\.ts$/, '') === l);
        if (!ok) violations.push(`${path.relative(SRC, file)} imports ${spec} (${tl})`);
      } else if (!rule.packages.test(spec)) {
        violations.push(`${path.relative(SRC, file)} imports package ${spec}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

test('only store/ takes the state ref lock, and only git/ reaches isomorphic-git or the git CLI', () => {
  for (const file of files(SRC)) {
    const rel = path.relative(SRC, file);
    const text = fs.readFileSync(file, 'utf8');
    if (/\blockRef\b/.test(text)) assert.ok(rel.startsWith('store/') || rel === path.join('git', 'refs.ts'), `${rel} uses lockRef`);
    if (/spawn(Sync)?\(\s*'git'/.test(text)) assert.ok(rel.startsWith('git/'), `${rel} runs the git CLI`);
  }
});

test('the pure layer has no clock, randomness or environment', () => {
  for (const file of files(path.join(SRC, 'state'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const banned of [/Date\.now\(/, /new Date\(\)/, /Math\.random\(/, /process\./, /crypto\./]) {
      assert.doesNotMatch(text, banned, `${path.relative(SRC, file)} uses ${banned}`);
    }
  }
});

test('nothing on the server path writes to stdout (it carries the MCP protocol)', () => {
  for (const dir of ['state', 'git', 'store', 'mcp', 'workspace']) {
    for (const file of files(path.join(SRC, dir))) {
      const text = fs.readFileSync(file, 'utf8');
      assert.doesNotMatch(text, /process\.stdout\.write|console\.(log|info|debug)\(/, path.relative(SRC, file));
    }
  }
});
