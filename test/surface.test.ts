// The public surface, as a snapshot: every tool each role lists with its argument names (* = required),
// every CLI command path with its options. A change shows in review as a diff of surface.snapshot.txt,
// never by accident. After a deliberate change: UPDATE_SURFACE=1 node --import tsx --test test/surface.test.ts
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { buildCli } from '../src/cli/load.js';
import { listTools } from '../src/mcp/list.js';

const SNAPSHOT = new URL('./surface.snapshot.txt', import.meta.url);

async function surface(): Promise<string> {
  const lines: string[] = [];
  for (const role of ['planner', 'implementer', 'reviewer', 'all'] as const) {
    lines.push(`## tools for ${role}`);
    for (const t of listTools(role)) {
      const required = new Set(t.inputSchema.required ?? []);
      const args = Object.keys(t.inputSchema.properties ?? {}).map((a) => (required.has(a) ? `${a}*` : a));
      lines.push(`${t.name}(${args.join(', ')})`);
    }
  }
  lines.push('## commands');
  const cli = await buildCli([]);
  const defs = cli.definitions().filter((d) => !d.path.startsWith('lockstep -'));
  for (const d of defs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const options = d.options.map((o) => `${o.definition}${o.required ? '*' : ''}`).join(' ');
    lines.push(`${d.path}${options ? `  ${options}` : ''}`);
  }
  return lines.join('\n') + '\n';
}

test('the public surface (tools per role with their arguments, CLI commands with their options) matches test/surface.snapshot.txt', async () => {
  const now = await surface();
  if (process.env.UPDATE_SURFACE === '1') fs.writeFileSync(SNAPSHOT, now);
  const recorded = fs.existsSync(SNAPSHOT) ? fs.readFileSync(SNAPSHOT, 'utf8') : '';
  assert.equal(now, recorded, 'the public surface changed: review the diff, then UPDATE_SURFACE=1 node --import tsx --test test/surface.test.ts');
});
