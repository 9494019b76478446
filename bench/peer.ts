// Side by side with the SQLite reference server (lockstep-mcp, built by ../shared/peers/build.sh)
// in the same run, through the same MCP client (issue 18): one agent cold and warm, 8 processes on
// one repository, and a planner with 4 implementers doing what their prompts say. Without the peer
// built, the same sections run for Lockstep alone and say so.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CLI_PATH } from '../src/client/agent-client.js';

type Report = (metric: string, value: string, target?: string) => void;

/** The built peer: `--peer DIR`, LOCKSTEP_PEER_DIR, or where build.sh puts it. */
export function findPeer(argv: string[]): { dir: string | null; why: string } {
  const flag = argv.find((a) => a.startsWith('--peer='))?.slice(7) ?? (argv.includes('--peer') ? argv[argv.indexOf('--peer') + 1] : undefined);
  const dir = flag ?? process.env.LOCKSTEP_PEER_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'lockstep-peer', 'lockstep-mcp');
  if (fs.existsSync(path.join(dir, 'dist', 'cli.js'))) return { dir, why: '' };
  return { dir: null, why: `the SQLite reference server is not built at ${dir} (run ../shared/peers/build.sh, or pass --peer DIR); absolute numbers only` };
}

class CallFailed extends Error {}

/** One MCP server process and the SDK client talking to it: the same harness for both servers. */
class Agent {
  private constructor(
    private readonly client: Client,
    readonly name: string,
    private readonly peer: boolean,
  ) {}

  static async start(command: string[], name: string, peer: boolean, cwd?: string): Promise<Agent> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('LOCKSTEP_')) env[k] = v;
    const transport = new StdioClientTransport({ command: command[0]!, args: command.slice(1), env, cwd, stderr: 'ignore' });
    const client = new Client({ name: `bench-${name}`, version: '1.0.0' });
    await client.connect(transport);
    return new Agent(client, name, peer);
  }

  /** The result as JSON (structuredContent, or the peer's JSON text); CallFailed on a tool error. */
  async call(tool: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    // The peer takes the caller's name as an argument where Lockstep knows it from its server.
    const withOwner = this.peer && ['task_claim', 'task_submit_for_review', 'lock_acquire', 'lock_release'].includes(tool) ? { ...args, owner: this.name } : args;
    const res = (await this.client.callTool({ name: tool, arguments: withOwner }, undefined, { timeout: 120_000 })) as CallToolResult;
    const text = (res.content?.[0] as { text?: string } | undefined)?.text ?? '';
    if (res.isError) throw new CallFailed(`${tool}: ${text.slice(0, 200)}`);
    if (res.structuredContent) return res.structuredContent as Record<string, unknown>;
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return { text };
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

interface Server {
  label: string;
  /** A fresh place for one measurement (a git repository, or the peer's data directory). */
  fresh(): string;
  start(place: string, name: string, role: string): Promise<Agent>;
  /** Lockstep only: the ops on the state ref's history, `op actor paths` each, to prove nothing was lost. */
  history?(place: string): string[];
}

function servers(peerDir: string | null, tmp: () => string): Server[] {
  const ours: Server = {
    label: 'Lockstep',
    fresh() {
      const dir = tmp();
      execFileSync('git', ['init', '-q', '-b', 'main', dir]);
      return dir;
    },
    start: (dir, name, role) => Agent.start([process.execPath, CLI_PATH, 'server', '--repo', dir, '--role', role, '--agent', name, '--gc-every', '0'], name, false),
    history: (dir) =>
      execFileSync('git', ['log', '--format=%(trailers:key=Lockstep-Op,valueonly,separator=) %(trailers:key=Lockstep-Actor,valueonly,separator=) %(trailers:key=Lockstep-Data,valueonly,separator=)', 'refs/lockstep/state'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 })
        .split('\n')
        .filter(Boolean),
  };
  if (!peerDir) return [ours];
  const peer: Server = {
    label: 'lockstep-mcp (SQLite)',
    fresh: tmp,
    start: (dir, name) => Agent.start([process.execPath, path.join(peerDir, 'dist', 'cli.js'), 'server', '--db-path', path.join(dir, 'db.sqlite'), '--data-dir', dir, '--log-dir', dir], name, true, dir),
  };
  return [ours, peer];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
const rate = (x: number) => `${Math.round(x)} calls/s`;

function ratioText(ours: number, peer: number | undefined, higherIsBetter = true): string {
  if (peer === undefined) return '';
  const r = higherIsBetter ? ours / peer : peer / ours;
  return `; ${r.toFixed(2)}x the SQLite server`;
}

/**
 * One agent, lock_acquire + lock_release, a new path each cycle (the SQLite server keeps a released
 * path's row, so it refuses to lease that path again: UNIQUE constraint failed): the first `cycles` of a new process (cold),
 * then as many again (warm); each round a new process per server, alternating; median of the rounds.
 */
async function oneAgent(list: Server[], report: Report, cycles: number, rounds: number, settle: () => void): Promise<void> {
  const cold = new Map<string, number[]>();
  const warm = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    for (const s of round % 2 ? [...list].reverse() : list) {
      settle();
      const a = await s.start(s.fresh(), 'impl-1', 'implementer');
      let n = 0;
      const run = async () => {
        const t = performance.now();
        for (let i = 0; i < cycles; i++, n++) {
          await a.call('lock_acquire', { path: `src/f${n}.ts` });
          await a.call('lock_release', { path: `src/f${n}.ts` });
        }
        return (2 * cycles) / ((performance.now() - t) / 1000);
      };
      (cold.get(s.label) ?? cold.set(s.label, []).get(s.label)!).push(await run());
      (warm.get(s.label) ?? warm.set(s.label, []).get(s.label)!).push(await run());
      await a.close();
    }
  }
  for (const [kind, m] of [['cold: the first', cold], ['warm: the next', warm]] as const) {
    const ours = median(m.get('Lockstep')!);
    const peerRates = list[1] ? m.get(list[1].label) : undefined;
    const peer = peerRates ? median(peerRates) : undefined;
    const rounds = (xs: number[]) => `${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))}`;
    report(
      `(p) one agent, lock_acquire+lock_release via MCP stdio, ${kind} ${cycles} cycles of a new process (median of ${m.get('Lockstep')!.length})`,
      `${rate(ours)} (${(1000 / ours).toFixed(2)} ms a call; rounds ${rounds(m.get('Lockstep')!)})${peer === undefined ? '' : `; SQLite server ${rate(peer)} (rounds ${rounds(peerRates!)})`}${ratioText(ours, peer)}`,
      '>= 1.0x',
    );
  }
}

/** 8 agent processes at once, each its own paths, on one repository (the peer: one database). */
async function eightProcesses(list: Server[], report: Report, cycles: number, settle: () => void): Promise<void> {
  const results = new Map<string, { rate: number; finished: number; p99: number }>();
  for (const s of list) {
    settle();
    const place = s.fresh();
    const agents = await Promise.all(Array.from({ length: 8 }, (_, i) => s.start(place, `impl-${i + 1}`, 'implementer')));
    const latencies: number[] = [];
    const acknowledged: string[] = [];
    let finished = 0;
    const failures: string[] = [];
    const t0 = performance.now();
    await Promise.all(
      agents.map(async (a, i) => {
        try {
          for (let c = 0; c < cycles; c++) {
            for (const tool of ['lock_acquire', 'lock_release']) {
              const t = performance.now();
              const file = `src/agent-${i + 1}/f${c}.ts`;
              await a.call(tool, { path: file });
              latencies.push(performance.now() - t);
              acknowledged.push(`${tool.replace('_', '.')} ${a.name} {"paths":["${file}"]}`);
            }
          }
          finished++;
        } catch (err) {
          failures.push(`${a.name}: ${(err as Error).message}`);
        }
      }),
    );
    const sec = (performance.now() - t0) / 1000;
    await Promise.all(agents.map((a) => a.close()));
    if (s.history) {
      // Nothing lost or doubled: every acknowledged call is exactly one commit on the ref's history.
      const made = new Map<string, number>();
      for (const line of s.history(place)) if (line.startsWith('lock.')) made.set(line, (made.get(line) ?? 0) + 1);
      const missing = acknowledged.filter((k) => made.get(k) !== 1);
      if (missing.length || made.size !== acknowledged.length) throw new Error(`8 processes: ${missing.length} acknowledged calls not exactly once in the history (first: ${missing[0]}); ${made.size} lease commits for ${acknowledged.length} calls`);
      execFileSync('git', ['fsck', '--strict', '--no-progress'], { cwd: place, stdio: 'ignore' });
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    results.set(s.label, { rate: latencies.length / sec, finished, p99: sorted.length ? pct(sorted, 99) : NaN });
    if (failures.length) process.stderr.write(`    ${s.label}: ${failures.length} agent(s) failed, first: ${failures[0]}\n`);
  }
  const ours = results.get('Lockstep')!;
  const peer = list[1] ? results.get(list[1].label) : undefined;
  report(
    `(p) 8 agent processes x ${cycles} lock_acquire+lock_release cycles, own paths, one repository`,
    `${rate(ours.rate)} overall, ${ours.finished}/8 finished, p99 ${ours.p99.toFixed(1)} ms, 0 lost (the history replayed: each call one commit; fsck clean)` +
      (peer ? `; SQLite server ${rate(peer.rate)}, ${peer.finished}/8 finished${peer.finished ? `, p99 ${peer.p99.toFixed(1)} ms` : ''}` : ''),
    '>= 400 calls/s, 8/8, p99 < 100 ms',
  );
}

interface Mixed {
  sec: number;
  calls: number;
  p50: number;
  p99: number;
  /** Tasks two implementers were both told they had claimed. */
  doubles: number;
  refused: number;
}

/**
 * What the prompts tell agents to do, with the calls both servers have: a planner creates tasks
 * and approves what is submitted; 4 implementers list, claim, lease, note, submit and release.
 */
async function mixed(list: Server[], report: Report, tasks: number, settle: () => void): Promise<void> {
  const results = new Map<string, Mixed>();
  for (const s of list) {
    settle();
    const place = s.fresh();
    const planner = await s.start(place, 'lead', 'planner');
    const workers = await Promise.all(Array.from({ length: 4 }, (_, i) => s.start(place, `impl-${i + 1}`, 'implementer')));
    const latencies: number[] = [];
    const timed = async (a: Agent, tool: string, args: Record<string, unknown> = {}) => {
      const t = performance.now();
      try {
        return await a.call(tool, args);
      } finally {
        latencies.push(performance.now() - t);
      }
    };
    const t0 = performance.now();
    await timed(planner, 'coordination_init', { role: 'planner' });
    for (const w of workers) await timed(w, 'coordination_init', { role: 'implementer' });
    for (let i = 0; i < tasks; i++) await timed(planner, 'task_create', { title: `mixed task ${i}`, description: 'Change one file and say how it was tested.', complexity: 'complex' });
    let working = true;
    const claims = new Map<string, number>();
    let refused = 0;
    const plannerLoop = (async () => {
      for (;;) {
        const last = !working;
        const r = await timed(planner, 'task_list', { status: 'review' });
        const inReview = (r.tasks as { id: string }[] | undefined) ?? [];
        for (const t of inReview) await timed(planner, 'task_approve', { id: t.id, feedback: 'ok' });
        if (last && inReview.length === 0) return;
        if (inReview.length === 0) await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await Promise.all(
      workers.map(async (w) => {
        for (;;) {
          const r = await timed(w, 'task_list', { status: 'todo', limit: 5 });
          const todo = (r.tasks as { id: string }[] | undefined) ?? [];
          if (todo.length === 0) return;
          const pick = todo[Math.floor(Math.random() * todo.length)]!;
          const file = `src/${pick.id}.ts`;
          try {
            await timed(w, 'task_claim', { id: pick.id });
            claims.set(pick.id, (claims.get(pick.id) ?? 0) + 1);
            await timed(w, 'lock_acquire', { path: file });
            await timed(w, 'note_append', { text: `${w.name} working on ${pick.id}` });
            await timed(w, 'task_submit_for_review', { id: pick.id, reviewNotes: `changed ${file}; tests pass` });
            await timed(w, 'lock_release', { path: file });
          } catch (err) {
            // Another implementer got the task first (or, on a server that let both claim it, took it over).
            if (!(err instanceof CallFailed)) throw err;
            refused++;
          }
        }
      }),
    );
    working = false;
    await plannerLoop;
    const sec = (performance.now() - t0) / 1000;
    await Promise.all([planner, ...workers].map((a) => a.close()));
    const sorted = [...latencies].sort((a, b) => a - b);
    const doubles = [...claims.values()].filter((n) => n > 1).length;
    results.set(s.label, { sec, calls: latencies.length, p50: pct(sorted, 50), p99: pct(sorted, 99), doubles, refused });
  }
  const ours = results.get('Lockstep')!;
  const peer = list[1] ? results.get(list[1].label) : undefined;
  const words = (r: Mixed) => `${r.sec.toFixed(2)} s, ${r.calls} calls, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.doubles} tasks claimed twice`;
  report(
    `(p) mixed: a planner and 4 implementers, ${tasks} complex tasks created, claimed, leased, noted, submitted, approved`,
    `${words(ours)}${peer ? `; SQLite server ${words(peer)}${ratioText(ours.sec, peer.sec, false)}` : ''}`,
    '>= 1.0x',
  );
}

export async function peerBench(report: Report, opts: { quick: boolean; argv: string[]; settle: () => void; cleanups: string[] }): Promise<void> {
  const { dir, why } = findPeer(opts.argv);
  if (!dir) process.stderr.write(`  (p) ${why}\n`);
  else process.stderr.write(`  (p) SQLite reference server: ${dir}\n`);
  const tmp = () => {
    const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-p-')));
    opts.cleanups.push(d);
    return d;
  };
  const list = servers(dir, tmp);
  if (!dir) report('(p) SQLite reference server', why);
  await oneAgent(list, report, opts.quick ? 300 : 1500, opts.quick ? 3 : 5, opts.settle);
  await eightProcesses(list, report, opts.quick ? 50 : 200, opts.settle);
  await mixed(list, report, opts.quick ? 20 : 60, opts.settle);
}
