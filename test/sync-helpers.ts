// What the multi-machine tests share (issue 17): a bare repository and clones of it as machines,
// set up with `lockstep sync --setup origin`, and the state history read back with its trailers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { cli, git } from './helpers.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});

export function tmp(prefix: string): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  dirs.push(d);
  return d;
}

export interface World {
  root: string;
  bare: string;
  machines: string[];
}

/** A bare repository with one commit on main, and `n` clones of it ("machines"), set up with `lockstep sync --setup origin`. */
export function world(n: number, url?: (bare: string) => string): World {
  const root = tmp('lockstep-sync-');
  const bare = path.join(root, 'remote.git');
  git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  const seed = path.join(root, 'seed');
  git(root, 'init', '-q', '-b', 'main', seed);
  git(seed, 'config', 'user.email', 'seed@example.com');
  git(seed, 'config', 'user.name', 'Seed');
  fs.writeFileSync(path.join(seed, 'README.md'), '# shared\n');
  git(seed, 'add', '.');
  git(seed, 'commit', '-q', '-m', 'initial');
  git(seed, 'push', '-q', bare, 'main');
  const machines: string[] = [];
  for (let i = 0; i < n; i++) {
    const m = path.join(root, `m${i}`);
    git(root, 'clone', '-q', url ? url(bare) : bare, m);
    git(m, 'config', 'user.email', `m${i}@example.com`);
    git(m, 'config', 'user.name', `Machine ${i}`);
    const r = cli(m, 'sync', '--setup', 'origin', '--json');
    assert.equal(r.status, 0, r.stderr);
    machines.push(m);
  }
  return { root, bare, machines };
}

export interface Commit {
  oid: string;
  subject: string;
  trailers: Record<string, string[]>;
}

/** The state history of a repository, oldest first, with its Lockstep-* trailers. */
export function history(repo: string, ref = 'refs/lockstep/state'): Commit[] {
  const out = git(repo, 'log', '--reverse', '--first-parent', '--format=%H%x00%B%x01', ref);
  return out
    .split('\x01')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((block) => {
      const [oid, body] = block.split('\x00') as [string, string];
      const trailers: Record<string, string[]> = {};
      for (const line of body.split('\n')) {
        const m = /^(Lockstep-[A-Za-z-]+): (.*)$/.exec(line);
        if (m) (trailers[m[1]!] ??= []).push(m[2]!);
      }
      return { oid, subject: body.split('\n')[0]!, trailers };
    });
}

export const one = (c: Commit, k: string) => c.trailers[k]?.[0];

