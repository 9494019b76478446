// The layer rules (DESIGN 2), read from the table in docs/architecture.md and checked on the import
// statements of every source file; no import circles; a name leads to its file in one hop.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { useCases } from '../src/app/use-cases.js';
import { ALL_TOOLS } from '../src/mcp/tools/index.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SRC = path.join(ROOT, 'src');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** The layer of a source file: its first path segment under src/ (errors.ts -> errors). */
function layerOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length === 1 ? rel[0]!.replace(/\.ts$/, '') : rel[0]!;
}

interface Rule {
  /** Our layers (or single files, as `mcp/server`) it may import; `types` ones only with `import type`. */
  layers: Map<string, 'all' | 'types'>;
  packages: RegExp;
}

/** The table under "## Layers" in docs/architecture.md: | layer | may import (ours) | packages |. */
function rulesFromDocs(): Record<string, Rule> {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'architecture.md'), 'utf8');
  const rows = doc.split('\n').filter((l) => /^\|\s*`?[a-z]+`?\s*\|/.test(l) && !/^\|\s*layer\s*\|/.test(l));
  const rules: Record<string, Rule> = {};
  for (const row of rows) {
    const [layer, ours, pkgs] = row.split('|').slice(1, 4).map((c) => c.trim().replace(/`/g, ''));
    if (!layer || ours === undefined || pkgs === undefined) continue;
    const layers = new Map<string, 'all' | 'types'>([[layer, 'all']]);
    for (const item of ours.split(',').map((s) => s.trim()).filter((s) => s && s !== '-')) {
      const name = item.replace(/\s*\(.*\)$/, '');
      layers.set(name, /\(types only\)/.test(item) ? 'types' : 'all');
    }
    const globs = pkgs.split(',').map((s) => s.trim()).filter((s) => s && s !== '-');
    const re = globs.map((g) => g.replace(/[.+?^${}()|[\]\\/@]/g, '\\$&').replace(/\*/g, '.*')).join('|');
    rules[layer] = { layers, packages: new RegExp(`^(${re || '(?!)'})$`) };
  }
  return rules;
}

interface Import {
  spec: string;
  typeOnly: boolean;
}

function imports(file: string): Import[] {
  const text = fs.readFileSync(file, 'utf8');
  const re = /^\s*(import|export)\s+(type\s+)?([^'"]*?)\s*from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  return [...text.matchAll(re)].map((m) => {
    const spec = m[4] ?? m[5] ?? m[6]!;
    const names = m[3] ?? '';
    // `import { type A, type B }` is type-only as well.
    const allTyped = /^\{[^}]*\}$/.test(names) && names.slice(1, -1).split(',').every((n) => !n.trim() || /^type\s/.test(n.trim()));
    return { spec, typeOnly: Boolean(m[2]) || (m[1] === 'import' && allTyped && names !== '{}') };
  });
}

function resolveSpec(file: string, spec: string): string {
  return path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'));
}

test('every import follows the layer table of docs/architecture.md', () => {
  const rules = rulesFromDocs();
  for (const layer of ['errors', 'state', 'git', 'store', 'host', 'setup', 'client', 'app', 'mcp', 'cli']) assert.ok(rules[layer], `the table has a row for ${layer}`);
  const violations: string[] = [];
  for (const file of files(SRC)) {
    const layer = layerOf(file);
    const rule = rules[layer];
    assert.ok(rule, `no row for layer ${layer} (${path.relative(SRC, file)}) in docs/architecture.md`);
    for (const imp of imports(file)) {
      if (imp.spec.startsWith('.')) {
        const target = resolveSpec(file, imp.spec);
        const rel = path.relative(SRC, target).replace(/\.ts$/, '');
        const access = rule.layers.get(rel) ?? rule.layers.get(layerOf(target));
        if (access === undefined || (access === 'types' && !imp.typeOnly)) violations.push(`${path.relative(SRC, file)} imports ${imp.spec}${access === 'types' ? ' (types only)' : ''}`);
      } else if (!rule.packages.test(imp.spec)) {
        violations.push(`${path.relative(SRC, file)} imports package ${imp.spec}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

test('the layer check fails for an adapter reaching store/ or git/ (the rule is not vacuous)', () => {
  const rules = rulesFromDocs();
  for (const adapter of ['mcp', 'cli']) {
    for (const below of ['store', 'git', 'host', 'setup']) assert.equal(rules[adapter]!.layers.get(below), undefined, `${adapter} may not import ${below}`);
    assert.equal(rules[adapter]!.layers.get('state'), 'types', `${adapter} imports state/ types only`);
  }
});

test('no import circle anywhere (type imports included)', () => {
  const graph = new Map<string, string[]>();
  for (const file of files(SRC)) graph.set(file, imports(file).filter((i) => i.spec.startsWith('.')).map((i) => resolveSpec(file, i.spec)));
  const state = new Map<string, 'open' | 'done'>();
  const circles: string[] = [];
  const visit = (f: string, trail: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      circles.push([...trail.slice(trail.indexOf(f)), f].map((x) => path.relative(SRC, x)).join(' -> '));
      return;
    }
    state.set(f, 'open');
    for (const g of graph.get(f) ?? []) if (graph.has(g)) visit(g, [...trail, f]);
    state.set(f, 'done');
  };
  for (const f of graph.keys()) visit(f, []);
  assert.deepEqual(circles, []);
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
  for (const dir of ['state', 'git', 'store', 'host', 'app', 'mcp']) {
    for (const file of files(path.join(SRC, dir))) {
      const text = fs.readFileSync(file, 'utf8');
      assert.doesNotMatch(text, /process\.stdout\.write|console\.(log|info|debug)\(/, path.relative(SRC, file));
    }
  }
});

test('a name leads to its file in one hop: tool task_claim in mcp/tools/task.ts, command `task claim` in cli/commands/task/claim.ts', () => {
  const declaredIn = new Map<string, string>();
  for (const file of files(path.join(SRC, 'mcp', 'tools'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/tool\(useCases\.(\w+),/g)) declaredIn.set(m[1]!, path.basename(file, '.ts'));
  }
  for (const t of ALL_TOOLS) {
    const key = Object.entries(useCasesByName()).find(([, name]) => name === t.useCase.name)?.[0];
    assert.ok(key, `${t.name}: its use case is in app/use-cases.ts`);
    assert.equal(declaredIn.get(key), t.name.split('_')[0], `${t.name} is declared in mcp/tools/${t.name.split('_')[0]}.ts`);
  }
  for (const file of files(path.join(SRC, 'cli', 'commands'))) {
    const text = fs.readFileSync(file, 'utf8');
    const classes = [...text.matchAll(/^export class (\w+) extends/gm)];
    assert.equal(classes.length, 1, `${path.relative(SRC, file)} holds one command class`);
    const paths = /static override paths = \[\[([^\]]*)\]\]/.exec(text);
    assert.ok(paths, `${path.relative(SRC, file)} has its path`);
    const words = paths[1]!.split(',').map((w) => w.trim().replace(/'/g, ''));
    assert.equal(path.relative(path.join(SRC, 'cli', 'commands'), file).replace(/\.ts$/, ''), words.join('/'), `\`lockstep ${words.join(' ')}\` is in cli/commands/${words.join('/')}.ts`);
  }
});

/** Use case key -> its dotted name, from app/use-cases.ts. */
function useCasesByName(): Record<string, string> {
  return Object.fromEntries(Object.entries(useCases).map(([k, u]) => [k, u.name]));
}
