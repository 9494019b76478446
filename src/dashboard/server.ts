// The dashboard adapter: one HTTP server on loopback serving the page (page/) and a JSON API over
// the app's dashboard use cases, a Server-Sent Events channel woken by the state ref moving, and
// the actions of app/dashboard.ts run as the person. Every request is checked (Host, token, and
// for writes and the live channel Origin) before anything is read. docs/dashboard.md is its contract.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dashboardAction } from '../app/dashboard.js';
import { removeDashboardRecord, writeDashboardRecord } from '../app/dashboard-process.js';
import { Lockstep } from '../app/lockstep.js';
import type { Caller, UseCase } from '../app/use-case.js';
import { useCases } from '../app/use-cases.js';
import { errorBody, LockstepError } from '../errors.js';

export interface DashboardOptions {
  /** Any directory inside the repository. */
  dir: string;
  /** 8787 by default; 0 picks a free port. */
  port?: number;
  /** 127.0.0.1 by default; anything else needs `token`. */
  host?: string;
  /** A fixed token (16+ URL-safe characters); otherwise a new one at every start. */
  token?: string;
  /** Who the actions are authored by (default "human"). */
  as?: string;
  /** Record the running dashboard for `dashboard_open` (default true). */
  record?: boolean;
}

export interface RunningDashboard {
  url: string;
  port: number;
  host: string;
  token: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const TOKEN = /^[A-Za-z0-9_-]{16,200}$/;
const BODY_MAX = 1024 * 1024;
/** The live channel sends a comment this often so proxies and browsers keep it open. */
const HEARTBEAT_MS = 15_000;
/** A view at the tip is reused for this long (many tabs, one read); a commit always makes a new one. */
const VIEW_TTL_MS = 500;

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const SECURITY_HEADERS = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

const ASSETS: Record<string, string> = { '/assets/app.js': 'text/javascript; charset=utf-8', '/assets/style.css': 'text/css; charset=utf-8', '/assets/icon.svg': 'image/svg+xml' };

function pageDir(): string {
  return fileURLToPath(new URL('../dashboard/page/', import.meta.url));
}

const forbidden = (why: string) => new LockstepError('DASHBOARD_FORBIDDEN', why);

function statusOf(code: string): number {
  if (code === 'DASHBOARD_FORBIDDEN') return 403;
  if (code === 'INVALID_INPUT' || code === 'INPUT_TOO_LARGE') return 400;
  if (code.endsWith('_NOT_FOUND') || code === 'CURSOR_UNKNOWN') return 404;
  if (code === 'INTERNAL') return 500;
  return 409;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

const cardJson = new WeakMap<object, string>();
/** The view as JSON, each task card's text reused while the card object is (the query reuses unchanged cards). */
function viewJson({ tasks, ...rest }: { tasks: object[] }): string {
  const cards = tasks.map((c) => {
    let j = cardJson.get(c);
    if (j === undefined) cardJson.set(c, (j = JSON.stringify(c)));
    return j;
  });
  return `${JSON.stringify(rest).slice(0, -1)},"tasks":[${cards.join(',')}]}`;
}

/** The Host values this server answers to: its loopback names, or the names it was bound to. */
function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set<string>();
  const add = (h: string) => names.add(`${h.includes(':') ? `[${h}]` : h}:${port}`);
  if (LOOPBACK.has(host)) for (const h of LOOPBACK) add(h);
  else if (host === '0.0.0.0' || host === '::') {
    for (const h of LOOPBACK) add(h);
    add(os.hostname());
    for (const list of Object.values(os.networkInterfaces())) for (const i of list ?? []) add(i.address);
  } else add(host);
  return names;
}

async function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_MAX) throw new LockstepError('INPUT_TOO_LARGE', `the request body is over ${BODY_MAX} bytes`, { limit: BODY_MAX });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new LockstepError('INVALID_INPUT', 'the request body is not JSON', { issues: [{ path: '', message: 'not JSON' }] });
  }
}

export async function startDashboard(opts: DashboardOptions): Promise<RunningDashboard> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host) && opts.token === undefined) {
    throw new LockstepError('DASHBOARD_UNAVAILABLE', `--host ${host} serves the dashboard beyond this machine; pass --token as well (16+ letters, digits, _ or -)`, { host });
  }
  if (opts.token !== undefined && !TOKEN.test(opts.token)) {
    throw new LockstepError('INVALID_INPUT', '--token must be 16 to 200 letters, digits, "_" or "-"', { issues: [{ path: 'token', message: 'bad token' }] });
  }
  const token = opts.token ?? crypto.randomBytes(24).toString('base64url');
  const app = new Lockstep({ dir: opts.dir });
  const person = { agent: opts.as ?? 'human', role: 'all' as const };
  const caller: Caller = { who: person, session: { ...person } };
  const index = fs.readFileSync(path.join(pageDir(), 'index.html'), 'utf8').replaceAll('{{token}}', token);
  const assets = new Map(Object.keys(ASSETS).map((route) => [route, fs.readFileSync(path.join(pageDir(), path.basename(route)))]));
  let hosts = new Set<string>();
  let origins = new Set<string>();
  const streams = new Set<http.ServerResponse>();
  let viewCache: { tip: string | null; at: number; body: string; keys: string } | undefined;

  const call = <U extends UseCase>(u: U, input: unknown) => app.call(u, input, caller);

  let building: Promise<{ body: string; keys: string }> | undefined;
  /** The view at the tip: cached briefly, and one build shared by every request that arrives meanwhile. */
  function tipView(): Promise<{ body: string; keys: string }> {
    const tip = app.tip();
    if (viewCache && viewCache.tip === tip && Date.now() - viewCache.at < VIEW_TTL_MS) return Promise.resolve(viewCache);
    building ??= (async () => {
      try {
        const view = await app.call(useCases.dashboardView, {}, caller);
        viewCache = { tip: view.at, at: Date.now(), body: viewJson(view), keys: view.needsYou.map((n) => n.key).join(' ') };
        return viewCache;
      } finally {
        building = undefined;
      }
    })();
    return building;
  }

  /** Host on every request; the token on every request; Origin on writes and on the live channel. */
  function check(req: http.IncomingMessage, url: URL, write: boolean, live: boolean): void {
    if (!hosts.has(req.headers.host ?? '')) throw forbidden(`Host ${JSON.stringify(req.headers.host ?? '').slice(0, 100)} is not this dashboard's`);
    const given = (req.headers['x-lockstep-token'] as string | undefined) ?? url.searchParams.get('token') ?? '';
    if (!safeEqual(given, token)) throw forbidden('no or a wrong token: open the URL that `lockstep dashboard` printed');
    const origin = req.headers.origin;
    if (write || live) {
      if (req.headers['sec-fetch-site'] === 'cross-site') throw forbidden('a request from another site');
      if (origin !== undefined && !origins.has(origin)) throw forbidden(`Origin ${JSON.stringify(origin).slice(0, 100)} is not this dashboard's`);
    }
    if (write) {
      if (origin === undefined) throw forbidden('a write without an Origin header');
      if (req.headers['x-lockstep-token'] === undefined) throw forbidden('a write carries the token in the X-Lockstep-Token header');
      if (!/^application\/json(;|$)/i.test(req.headers['content-type'] ?? '')) throw forbidden('a write is a JSON POST (Content-Type: application/json)');
    }
  }

  function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  const json = (res: http.ServerResponse, status: number, value: unknown) => send(res, status, 'application/json; charset=utf-8', typeof value === 'string' ? value : JSON.stringify(value));

  function openStream(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.write(`retry: 1000\nevent: tip\ndata: ${JSON.stringify({ tip: app.tip() })}\n\n`);
    streams.add(res);
    req.on('close', () => streams.delete(res));
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const p = url.pathname;
    const write = req.method === 'POST';
    if (!write && req.method !== 'GET' && req.method !== 'HEAD') {
      check(req, url, true, false);
      throw forbidden(`${req.method} is not served; writes are POST /api/action`);
    }
    check(req, url, write, p === '/api/events');
    if (write) {
      if (p !== '/api/action') throw new LockstepError('TASK_NOT_FOUND', `no write at ${p.slice(0, 100)}; writes are POST /api/action`);
      const body = (await readJsonBody(req)) as { action?: unknown; input?: unknown } | null;
      if (!body || typeof body !== 'object' || typeof body.action !== 'string') {
        throw new LockstepError('INVALID_INPUT', 'the body is {action, input}', { issues: [{ path: 'action', message: 'expected a string' }] });
      }
      const result = await call(dashboardAction(body.action), body.input ?? {});
      return json(res, 200, { result });
    }
    const q = (k: string) => url.searchParams.get(k) ?? undefined;
    const num = (k: string) => (q(k) === undefined ? undefined : Number(q(k)));
    switch (p) {
      case '/':
      case '/index.html':
        return send(res, 200, 'text/html; charset=utf-8', index);
      case '/api/events':
        return openStream(req, res);
      case '/api/ping':
        return json(res, 200, { lockstep: 'dashboard', pid: process.pid, repo: app.repo.workTree ?? app.repo.commonDir });
      case '/api/view':
        return json(res, 200, q('at') === undefined ? (await tipView()).body : await call(useCases.dashboardView, { at: q('at') }));
      case '/api/issue':
        return json(res, 200, await call(useCases.dashboardIssue, { id: q('id'), at: q('at') }));
      case '/api/history':
        return json(res, 200, await call(useCases.dashboardHistory, { limit: num('limit'), before: q('before') }));
      case '/api/diff':
        return json(res, 200, await call(useCases.dashboardDiff, { commit: q('commit') }));
      case '/api/forecast':
        return json(res, 200, await call(useCases.dashboardForecast, { target: q('target') }));
    }
    const asset = assets.get(p);
    if (asset) return send(res, 200, ASSETS[p]!, asset);
    throw new LockstepError('TASK_NOT_FOUND', `nothing at ${p.slice(0, 100)}`);
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const body = errorBody(err);
      if (body.code === 'INTERNAL') process.stderr.write(`lockstep dashboard: ${(err as Error).stack ?? String(err)}\n`);
      if (res.headersSent) return void res.end();
      json(res, statusOf(body.code), { error: body });
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new LockstepError('DASHBOARD_UNAVAILABLE', `port ${opts.port ?? 8787} on ${host} is taken; pass another --port (0 picks a free one)`, { port: opts.port ?? 8787 }) : err),
    );
    server.listen(opts.port ?? 8787, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  hosts = allowedHosts(host, port);
  origins = new Set([...hosts].map((h) => `http://${h}`));
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const url = `http://${shown}:${port}/?token=${token}`;

  // The live channel: one wait on the ref for all streams; each commit is pushed to every stream.
  const stop = new AbortController();
  // Between commits, what needs a person can still change (a claim runs out, an agent's process
  // dies): each quiet heartbeat re-derives the queue from the cached snapshot and announces a change.
  const queueKeys = async () => {
    try {
      return (await tipView()).keys;
    } catch (err) {
      // A state the view cannot read (corrupt, too new): the pages show the error when they fetch; keep the channel.
      process.stderr.write(`lockstep dashboard: ${(err as Error).message}\n`);
      return 'unreadable';
    }
  };
  void (async () => {
    let seen = app.tip();
    let keys: string | undefined;
    while (!stop.signal.aborted) {
      const tip = await app.waitForTip(seen, HEARTBEAT_MS, stop.signal);
      if (stop.signal.aborted) return;
      const moved = tip !== seen;
      seen = tip;
      // A commit is announced at once; the pages' fetches then share one view of it.
      if (moved) for (const s of streams) s.write(`event: tip\ndata: ${JSON.stringify({ tip })}\n\n`);
      if (!streams.size) continue;
      const now = await queueKeys();
      const byClock = !moved && keys !== undefined && now !== keys;
      keys = now;
      if (!moved) for (const s of streams) s.write(byClock ? `event: tip\ndata: ${JSON.stringify({ tip, clock: true })}\n\n` : ': keep-alive\n\n');
    }
  })().catch((err: unknown) => {
    process.stderr.write(`lockstep dashboard: the live channel stopped: ${(err as Error).message}\n`);
    for (const s of streams) s.end();
  });

  // Read the state once before the URL is given out, so the first page does not wait for a cold load.
  await queueKeys();
  if (opts.record !== false) writeDashboardRecord(app.repo, { pid: process.pid, host: os.hostname(), url, port, bind: host, token, startedAt: new Date().toISOString() });
  return {
    url,
    port,
    host,
    token,
    async close() {
      stop.abort();
      for (const s of streams) s.end();
      if (opts.record !== false) removeDashboardRecord(app.repo, process.pid);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      app.close();
    },
  };
}
