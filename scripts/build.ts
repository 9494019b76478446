// `npm run build`: tsc compiles src/ (and checks its types), then esbuild bundles the CLI into one
// file, dist/cli/main.js. One file starts about twice as fast as ~300 modules (every agent's server,
// every CLI call and every pre-commit hook pays that start). The command files are found by their
// path: the bundle carries their list (LOCKSTEP_COMMANDS), as it has no commands/ folder to read.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STAGE = path.join(ROOT, '.build');
const DIST = path.join(ROOT, 'dist');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

fs.rmSync(STAGE, { recursive: true, force: true });
fs.rmSync(DIST, { recursive: true, force: true });
// --ignore-type-errors (for scripts/mutants.ts, whose mutants may not type-check): tsc emits anyway.
const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', STAGE], { cwd: ROOT, stdio: 'inherit' });
if (tsc.status !== 0 && !process.argv.includes('--ignore-type-errors')) {
  fs.rmSync(STAGE, { recursive: true, force: true });
  process.exit(tsc.status ?? 1);
}
const commandsDir = path.join(STAGE, 'cli', 'commands');
const commands = files(commandsDir)
  .filter((f) => f.endsWith('.js'))
  .map((f) => path.relative(commandsDir, f).replace(/\.js$/, '').split(path.sep).join('/'))
  .sort();
await build({
  entryPoints: [path.join(STAGE, 'cli', 'main.js')],
  outfile: path.join(DIST, 'cli', 'main.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS packages (clipanion, isomorphic-git) call require; an ES module has none of its own.
  banner: { js: "import { createRequire as lockstepCreateRequire } from 'node:module';\nconst require = lockstepCreateRequire(import.meta.url);" },
  define: { LOCKSTEP_COMMANDS: JSON.stringify(commands) },
  logLevel: 'warning',
});
fs.chmodSync(path.join(DIST, 'cli', 'main.js'), 0o755);
// The dashboard's page is served from files beside the bundle (dist/dashboard/page, as src/dashboard/page).
fs.cpSync(path.join(ROOT, 'src', 'dashboard', 'page'), path.join(DIST, 'dashboard', 'page'), { recursive: true, filter: (f) => !f.endsWith('.ts') });
fs.rmSync(STAGE, { recursive: true, force: true });
