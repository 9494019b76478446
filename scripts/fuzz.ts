// `npm run fuzz`: every tool's input schema (from tools/list) fed random and hostile values through
// MCP stdio: huge, deep, wrong types, unicode, NUL, path escapes, unknown fields. A tool may accept or
// refuse with a documented code; INTERNAL, an unknown code, a hang past the call's bound, a dead
// server, a write outside the roots or into .git all fail the run. Prints the counts.
// Each hostile value in each field once, then FUZZ_PER_TOOL (default 40) random combinations per
// tool; FUZZ_SEED for a repeatable run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { AgentClient } from '../src/client/agent-client.js';
import { ERRORS } from '../src/errors.js';

/** Blocking tools wait at most this long (the server flag), so a hang stands out from a wait. */
const WAIT_MAX_SEC = 0.2;
const CALL_BOUND_MS = 15_000;

export interface FuzzReport {
  tools: number;
  tried: number;
  accepted: number;
  refused: number;
  codes: Record<string, number>;
  failures: string[];
}

/** A small seeded PRNG (mulberry32), so a failing run can be repeated with FUZZ_SEED. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function deep(levels: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { k: v };
  return v;
}

const HOSTILE: (() => unknown)[] = [
  () => '',
  () => ' ',
  () => 'x'.repeat(1_100_000),
  () => 'a\u0000b',
  () => '../../etc/passwd',
  () => '/etc/passwd',
  () => '.git/config',
  () => '.git/hooks/pre-commit',
  () => '~/.ssh/id_rsa',
  () => 'src\\..\\..\\x',
  () => 'C:/Windows/win.ini',
  () => '\u202e\u0644\u0639\ud83d\ude00',
  () => '\ud800',
  () => '*'.repeat(300),
  () => '**/../**',
  () => 'T-0000',
  () => 'I-ZZZZ',
  () => 'L-AAAA',
  () => -1,
  () => 0,
  () => 1e308,
  () => 0.5,
  () => 2 ** 53 + 1,
  () => true,
  () => null,
  () => [],
  () => Array.from({ length: 10_000 }, (_, i) => `p${i}`),
  () => ({}),
  () => ({ __proto__: { polluted: true }, constructor: { prototype: { x: 1 } } }),
  () => deep(3_000),
  () => deep(40),
  () => Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])),
];

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  anyOf?: JsonSchema[];
}

/** A plausible value for a schema (so that hostile values in one field meet valid others). */
function plausible(s: JsonSchema, r: () => number, name: string): unknown {
  if (s.enum) return s.enum[Math.floor(r() * s.enum.length)];
  if (s.anyOf?.length) return plausible(s.anyOf[0]!, r, name);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === 'string') {
    if (/path|file|glob/i.test(name)) return ['src/a.ts', 'README.md', 'src', 'docs/x.md'][Math.floor(r() * 4)];
    if (/^id$|taskId|task$/i.test(name)) return 'T-0001';
    return 'fuzz text';
  }
  if (type === 'number' || type === 'integer') return Math.max(s.minimum ?? 0, Math.min(s.maximum ?? 10, 1));
  if (type === 'boolean') return r() < 0.5;
  if (type === 'array') return s.items ? [plausible(s.items, r, name)] : [];
  if (type === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s.properties ?? {})) if (s.required?.includes(k) || r() < 0.3) out[k] = plausible(v, r, k);
    return out;
  }
  return 'x';
}

/** One input: plausible required fields, then one to three fields replaced by hostile values (or an unknown field added). */
function input(schema: JsonSchema, r: () => number): Record<string, unknown> {
  const args = plausible({ ...schema, type: 'object' }, r, '') as Record<string, unknown>;
  const keys = Object.keys(schema.properties ?? {});
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    if (keys.length === 0 || r() < 0.1) args[`unknown_${i}`] = HOSTILE[Math.floor(r() * HOSTILE.length)]!();
    else args[keys[Math.floor(r() * keys.length)]!] = HOSTILE[Math.floor(r() * HOSTILE.length)]!();
  }
  return args;
}

/** Every file under `dir` with its size and mtime (what must not change). */
function listing(dir: string, skip: (rel: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p);
      if (skip(rel)) continue;
      if (e.isDirectory()) walk(p);
      else {
        const st = fs.lstatSync(p);
        out.set(rel, `${st.size}:${st.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out;
}

function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of after) if (before.get(k) !== v) out.push(k);
  for (const k of before.keys()) if (!after.has(k)) out.push(`${k} (removed)`);
  return out;
}

/** `stride` > 1 keeps every stride-th systematic input (the test suite's quick pass). */
export async function fuzz(perTool: number, seed: number, log: (line: string) => void = () => undefined, stride = 1): Promise<FuzzReport> {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-fuzz-')));
  const repo = path.join(base, 'repo');
  const home = path.join(base, 'home');
  const outside = path.join(base, 'outside');
  for (const d of [repo, home, outside]) fs.mkdirSync(d);
  fs.writeFileSync(path.join(outside, 'keep.txt'), 'outside the roots\n');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'fuzz@example.com');
  git('config', 'user.name', 'Fuzz');
  fs.mkdirSync(path.join(repo, 'src'));
  fs.writeFileSync(path.join(repo, 'src', 'a.ts'), 'export const a = 1;\n');
  git('add', '.');
  git('commit', '-q', '-m', 'initial');
  // What the tools may never touch: git's own files (Lockstep's objects and refs aside), HOME, outside.
  // (worktree_create makes branches lockstep/<name> and linked worktrees: its job.)
  const gitSkip = (rel: string) => rel === 'objects' || rel.startsWith('objects/') || rel.startsWith('refs/lockstep') || rel.startsWith('refs/heads/lockstep/') || rel === 'logs' || rel.startsWith('logs/') || rel === 'info' || rel.startsWith('info/') || rel === 'index' || rel.endsWith('.lock') || rel === 'packed-refs' || rel === 'lockstep' || rel.startsWith('lockstep/') || rel === 'worktrees' || rel.startsWith('worktrees/') || rel === 'FETCH_HEAD' || rel === 'ORIG_HEAD';
  const before = { git: listing(path.join(repo, '.git'), gitSkip), home: listing(home), outside: listing(outside) };

  const start = () =>
    AgentClient.start({
      repo,
      role: 'all',
      agent: 'fuzzer',
      stderr: 'ignore',
      env: { HOME: home, USERPROFILE: home },
      extraArgs: ['--mode', 'strict', '--command-mode', 'allowlist', '--command-allow', 'true', '--wait-max-sec', String(WAIT_MAX_SEC), '--wait-default-sec', String(WAIT_MAX_SEC)],
    });
  let client = await start();
  const { tools } = await client.client.listTools();
  const r = rng(seed);
  const report: FuzzReport = { tools: tools.length, tried: 0, accepted: 0, refused: 0, codes: {}, failures: [] };
  for (const tool of tools) {
    // These start processes that outlive the run (terminals, a dashboard); their refusals are tested in launch.test.ts and dashboard.test.ts.
    if (tool.name === 'launch_implementer' || tool.name === 'dashboard_open') continue;
    const schema = tool.inputSchema as JsonSchema;
    // Every hostile value in every field once (the others plausible), then random combinations.
    const systematic = Object.keys(schema.properties ?? {}).flatMap((k) => HOSTILE.map((h) => ({ ...(plausible({ ...schema, type: 'object' }, r, '') as Record<string, unknown>), [k]: h() })));
    const inputs = [plausible({ ...schema, type: 'object' }, r, '') as Record<string, unknown>, ...systematic.filter((_, i) => i % stride === 0), ...Array.from({ length: perTool }, () => input(schema, r))];
    for (const args of inputs) {
      report.tried++;
      const shown = Object.entries(args)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : Array.isArray(v) ? `[${v.length}]` : typeof v === 'object' && v !== null ? '{...}' : String(v)}`)
        .join(' ');
      try {
        const res = await Promise.race([
          client.raw(tool.name, args, CALL_BOUND_MS),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${CALL_BOUND_MS} ms`)), CALL_BOUND_MS + 1_000).unref()),
        ]);
        if (!res.isError) {
          report.accepted++;
          continue;
        }
        const code = ((res.structuredContent as { error?: { code?: string } } | undefined)?.error?.code ?? 'NONE') as string;
        report.codes[code] = (report.codes[code] ?? 0) + 1;
        if (code === 'INTERNAL' || !(code in ERRORS)) report.failures.push(`${tool.name} ${shown}: ${code} ${JSON.stringify(res.content).slice(0, 300)}`);
        else report.refused++;
      } catch (err) {
        report.failures.push(`${tool.name} ${shown}: ${(err as Error).message.slice(0, 300)}`);
        // The server may be gone or wedged: a fresh one for the rest.
        await client.close().catch((closeErr: unknown) => log(`close failed: ${String(closeErr)}`));
        client = await start();
      }
    }
    log(`${tool.name}: ${report.tried} tried so far`);
  }
  await client.close();
  const after = { git: listing(path.join(repo, '.git'), gitSkip), home: listing(home), outside: listing(outside) };
  for (const where of ['git', 'home', 'outside'] as const) {
    for (const c of changed(before[where], after[where])) report.failures.push(`written ${where === 'git' ? '.git/' : `${where}/`}${c}`);
  }
  fs.rmSync(base, { recursive: true, force: true });
  return report;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const perTool = Number(process.env.FUZZ_PER_TOOL ?? 40);
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
  const started = Date.now();
  const report = await fuzz(perTool, seed, (l) => process.stderr.write(`${l}\n`));
  console.log(`fuzz (seed ${seed}): ${report.tools} tools, ${report.tried} inputs tried, ${report.accepted} accepted, ${report.refused} refused with a documented code, ${report.failures.length} failures, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`refusals by code: ${Object.entries(report.codes).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ')}`);
  for (const f of report.failures.slice(0, 50)) console.log(`FAIL ${f}`);
  process.exitCode = report.failures.length ? 1 : 0;
}
