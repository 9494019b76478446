// The servers and the CLI that tests spawn run from dist/cli/main.js (one bundled file). A test file
// run on its own (`node --import tsx --test test/x.test.ts`) must not go green on an old build:
// rebuild first when any source file is newer than the bundle. Parallel test files take turns
// through a lock.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const SRC = path.join(ROOT, 'src');
const DIST = path.join(ROOT, 'dist');
const LOCK = path.join(ROOT, 'dist.build-lock');
const BUNDLE = path.join(DIST, 'cli', 'main.js');

function sources(dir: string): string[] {
  // The dashboard's page files (.html, .js, .css, .svg) are copied into dist/ by the build too.
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : /\.(ts|html|js|css|svg)$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

/** A source file newer than the bundle (or the bundle missing), or null when dist/ is current. */
export function staleSource(): string | null {
  const built = fs.statSync(BUNDLE, { throwIfNoEntry: false });
  if (!built) return path.relative(ROOT, BUNDLE);
  for (const src of [...sources(SRC), path.join(ROOT, 'scripts', 'build.ts')]) {
    if (built.mtimeMs < fs.statSync(src).mtimeMs) return path.relative(ROOT, src);
  }
  return null;
}

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Build dist/ if a source changed since the last build (at most one build at a time). */
export function ensureBuilt(): void {
  const deadline = Date.now() + 120_000;
  while (staleSource() !== null) {
    try {
      fs.mkdirSync(LOCK);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // Another test file is building; a lock older than the deadline belongs to a dead build.
      const st = fs.statSync(LOCK, { throwIfNoEntry: false });
      if (st && Date.now() - st.mtimeMs > 120_000) fs.rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`dist/ is stale and ${LOCK} stayed for 2 minutes; remove it and run npm run build`);
      pause(200);
      continue;
    }
    try {
      const stale = staleSource();
      if (stale === null) return;
      process.stderr.write(`test: dist/ is older than ${stale}; building\n`);
      execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'build.ts')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
      const still = staleSource();
      if (still !== null) throw new Error(`the build left ${still} newer than dist/cli/main.js`);
      return;
    } finally {
      fs.rmSync(LOCK, { recursive: true, force: true });
    }
  }
}
