// The running dashboard of a repository: recorded in <git common dir>/lockstep/dashboard.json (0600,
// it holds the token) by the process serving it, found again by dashboard_open (which starts one
// when none answers) and by a second `lockstep dashboard`.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { LockstepError } from '../errors.js';
import type { GitRepo } from '../git/repo.js';
import { findProgram } from '../host/commands.js';
import { processState, spawnDetached } from '../host/processes.js';
import { cliEntry } from './setup.js';
import { useCase } from './use-case.js';

const DashboardRecord = z.object({
  pid: z.number().int().positive(),
  host: z.string().max(255),
  url: z.string().max(2_000),
  port: z.number().int().min(1).max(65_535),
  bind: z.string().max(255),
  token: z.string().regex(/^[A-Za-z0-9_-]{16,200}$/),
  startedAt: z.string().max(40),
});
export type DashboardRecord = z.infer<typeof DashboardRecord>;

/** How long dashboard_open waits for a dashboard it started to answer. */
const START_WAIT_MS = 10_000;

function recordPath(repo: GitRepo): string {
  return path.join(repo.commonDir, 'lockstep', 'dashboard.json');
}

export function writeDashboardRecord(repo: GitRepo, record: DashboardRecord): void {
  const file = recordPath(repo);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Remove the record if it is still this process's (a newer dashboard may have replaced it). */
export function removeDashboardRecord(repo: GitRepo, pid: number): void {
  if (readDashboardRecord(repo)?.pid === pid) fs.rmSync(recordPath(repo), { force: true });
}

/** The recorded dashboard, or undefined when there is none or the file is not one of ours. */
export function readDashboardRecord(repo: GitRepo): DashboardRecord | undefined {
  let text: string;
  try {
    text = fs.readFileSync(recordPath(repo), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined; // a half-written or foreign file: a fresh start replaces it
  }
  const r = DashboardRecord.safeParse(parsed);
  return r.success ? r.data : undefined;
}

/** Does the recorded dashboard answer, on this machine, with its token? */
function answers(r: DashboardRecord): Promise<boolean> {
  if (r.host !== os.hostname() || processState(r.pid, r.host) !== true) return Promise.resolve(false);
  const host = r.bind === '0.0.0.0' || r.bind === '::' ? '127.0.0.1' : r.bind;
  return new Promise((resolve) => {
    const req = http.get({ host, port: r.port, path: '/api/ping', headers: { 'X-Lockstep-Token': r.token, Host: `${host.includes(':') ? `[${host}]` : host}:${r.port}` }, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** The running dashboard of this repository, if one answers. */
export async function runningDashboard(repo: GitRepo): Promise<DashboardRecord | undefined> {
  const r = readDashboardRecord(repo);
  return r && (await answers(r)) ? r : undefined;
}

/** dashboard.open: the URL of this repository's dashboard, started (detached, loopback, a free port) if none runs. */
export const dashboardOpen = useCase({
  name: 'dashboard.open',
  input: z.object({}),
  async run(app) {
    const running = await runningDashboard(app.repo);
    if (running) return { url: running.url, started: false, pid: running.pid };
    const dir = app.repo.workTree ?? app.repo.commonDir;
    const log = path.join(app.repo.commonDir, 'lockstep', 'dashboard.log');
    fs.mkdirSync(path.dirname(log), { recursive: true });
    const pid = spawnDetached(fs.realpathSync(process.execPath), [cliEntry(), 'dashboard', '--port', '0', '--repo', dir], dir, log);
    const until = Date.now() + START_WAIT_MS;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      const r = readDashboardRecord(app.repo);
      if (r?.pid === pid && (await answers(r))) return { url: r.url, started: true, pid };
      if (pid > 0 && processState(pid, os.hostname()) === false) break;
    }
    throw new LockstepError('DASHBOARD_UNAVAILABLE', `the dashboard did not start within ${START_WAIT_MS / 1000} s; its errors are in ${log}, or run \`lockstep dashboard\` yourself`, { log });
  },
});

/** Open a URL in the person's browser (xdg-open, or open on macOS); false when there is none to run. */
export function openInBrowser(url: string, dir: string): boolean {
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
  if (findProgram(opener) === undefined) return false;
  spawnDetached(opener, [url], dir, os.devNull);
  return true;
}
