// Bench section `dash` (issue 16): the dashboard in real headless Chromium. First load of the board
// with 10,000 tasks (navigation to cards on screen), live update latency from an MCP commit in
// another process to the card on the page, and the dashboard process's memory.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { Lockstep } from '../src/app/lockstep.js';
import { AgentClient, CLI_PATH } from '../src/client/agent-client.js';
import { ops } from '../src/state/ops/index.js';

type Report = (metric: string, value: string, target?: string) => void;

const CHROMIUM = process.env.CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))]!;
}

const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;

/** Dashboards this section started: stopped at its end, even when a measurement failed. */
const started: ChildProcess[] = [];

function startDashboard(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [CLI_PATH, 'dashboard', '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('http://'));
      if (line) resolve({ url: line.trim(), child });
    });
    child.once('exit', (code) => reject(new Error(`dashboard exited ${code}`)));
  });
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Live latency: a task created through MCP until its card is on the page, `rounds` times. */
async function liveLatency(browser: Browser, url: string, dir: string, rounds: number): Promise<number[]> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${url}#board`);
  await page.waitForSelector('#board .card, #board', { timeout: 30_000 });
  const c = await AgentClient.start({ repo: dir, role: 'planner', agent: 'bench-live' });
  await c.call('coordination_init', { role: 'planner' });
  const out: number[] = [];
  // Runs in the page (a function, not a string: the page's CSP forbids eval); typed without the DOM library.
  const count = () => page.evaluate(() => Number.parseInt((globalThis as any).document.getElementById('board-counts').textContent, 10));
  await page.waitForFunction(() => /^\d+ tasks/.test((globalThis as any).document.getElementById('board-counts').textContent));
  let n = await count();
  for (let i = 0; i < rounds; i++) {
    const title = `live ${i}`;
    // The board re-rendered with one task more (on a big board the new card may be past a column's first 200).
    const onPage = (want: number) => Number.parseInt((globalThis as any).document.getElementById('board-counts').textContent, 10) === want;
    const seen = page.waitForFunction(onPage, ++n, { polling: 'raf', timeout: 30_000 });
    const s = performance.now();
    await c.call('task_create', { title });
    await seen;
    out.push(performance.now() - s);
  }
  await c.close();
  await page.close();
  return out;
}

export async function dashboardBench(report: Report, repo: () => string, quick: boolean): Promise<void> {
  if (!CHROMIUM) {
    report('(dash) dashboard in Chromium', 'skipped: no chromium (apt-get install chromium, or CHROMIUM=path)');
    return;
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'] });
  try {
    // A small repository: the latency of one commit reaching the page.
    const small = repo();
    const app0 = new Lockstep({ dir: small, gcEvery: 0 });
    for (let i = 0; i < 20; i++) await app0.run(ops.taskCreate, { title: `small ${i}` }, { agent: 'planner-1', role: 'planner' });
    app0.close();
    const d0 = await startDashboard(small);
    const live0 = await liveLatency(browser, d0.url, small, quick ? 10 : 30);
    report('(dash) live update, MCP commit -> card on the page, 20 tasks', `p50 ${ms(pct(live0, 50))}, p95 ${ms(pct(live0, 95))}`, 'p50 < 200 ms');
    d0.child.kill('SIGTERM');

    const n = quick ? 2000 : 10_000;
    const dir = repo();
    const app = new Lockstep({ dir, gcEvery: 0 });
    const issues: string[] = [];
    for (let i = 0; i < 20; i++) issues.push((await app.run(ops.issueCreate, { subject: `issue ${i}`, userDoc: { name: 'user', content: 'x' }, leadDoc: { name: 'lead', content: 'y' } }, { agent: 'planner-1', role: 'planner' })).issue.id);
    for (let i = 0; i < n; i++) await app.run(ops.taskCreate, { title: `task number ${i}`, description: 'A task of the 10k-task benchmark.', complexity: 'simple', issue: issues[i % issues.length] }, { agent: 'planner-1', role: 'planner' });
    app.close();
    const d = await startDashboard(dir);
    const idle = rssMiB(d.child.pid!);
    const loads: number[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const s = performance.now();
      await page.goto(`${d.url}#board`);
      await page.waitForSelector('#board .card', { timeout: 60_000 });
      loads.push(performance.now() - s);
      await page.close();
    }
    report(`(dash) first page load, board usable, ${n} tasks`, `${ms(loads[0]!)} cold, ${ms(pct(loads.slice(1), 50))} again`, '< 1 s');
    const live = await liveLatency(browser, d.url, dir, quick ? 5 : 15);
    report(`(dash) live update with ${n} tasks`, `p50 ${ms(pct(live, 50))}, p95 ${ms(pct(live, 95))}`, 'p50 < 200 ms');
    report(`(dash) dashboard process memory with ${n} tasks`, `${rssMiB(d.child.pid!).toFixed(0)} MiB RSS after serving (${idle.toFixed(0)} MiB at start)`);
    d.child.kill('SIGTERM');
  } finally {
    for (const c of started) if (c.exitCode === null) c.kill('SIGTERM');
    await browser.close();
  }
}
