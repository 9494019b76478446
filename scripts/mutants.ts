// `npm run mutants`: break the product on purpose, one promise at a time, in a scratch copy of this
// checkout, and report which tests catch each break. A mutant that no test catches is a hole in the
// suite (issue 19). Exits 1 if any mutant survives or no longer applies.
//   node --import tsx scripts/mutants.ts [--only id,id] [--list] [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface Mutant {
  id: string;
  /** The promise this breaks, in one line. */
  breaks: string;
  file: string;
  find: string;
  replace: string;
  /** The test files expected to catch it (run for this mutant). */
  tests: string[];
}

export const MUTANTS: Mutant[] = [
  {
    id: 'merge-no-cas',
    breaks: 'worktree_merge moves the target branch by a plain write instead of compare-and-swap',
    file: 'src/git/merge.ts',
    find: 'const moved = await compareAndSwapRef(repo, intoRef, ours, next, async () => {',
    replace:
      'const moved = await (async (_r: unknown, _ref: string, _old: string, oid: string, before: () => Promise<void>) => { await before(); fs.writeFileSync(path.join(repo.commonDir, intoRef), `${oid}\\n`); return true; })(repo, intoRef, ours, next, async () => {',
    tests: ['test/worktree-merge.test.ts'],
  },
  {
    id: 'stale-tree',
    breaks: 'a commit builds its tree from the snapshot read before the lock (parent still right): acknowledged writes of others are lost',
    file: 'src/store/store.ts',
    find: 'const snap = await this.snapshotAt(tip);',
    replace: 'const snap = this.current ?? (await this.snapshotAt(tip));',
    tests: ['test/swarm-bugs.test.ts', 'test/git-interop.test.ts'],
  },
  {
    id: 'stale-read',
    breaks: 'the writer uses the tip it read before taking the ref lock',
    file: 'src/store/store.ts',
    find: 'const tip = lock.current();',
    replace: 'const tip = this.current ? this.current.tip : lock.current();',
    tests: ['test/git-interop.test.ts', 'test/swarm-bugs.test.ts'],
  },
  {
    id: 'lock-not-exclusive',
    breaks: 'the ref lock is taken even while someone holds it, so two writers (or git) can hold it at once',
    file: 'src/git/refs.ts',
    find: 'fs.linkSync(tmp, lockPath);',
    replace: 'fs.rmSync(lockPath, { force: true });\n    fs.linkSync(tmp, lockPath);',
    tests: ['test/git-interop.test.ts'],
  },
  {
    id: 'push-forced',
    breaks: 'the state ref is force-pushed without a lease: the last machine to push wins and the others\' acknowledged claims vanish from the remote',
    file: 'src/git/remote.ts',
    find: "`--force-with-lease=${dst}:${expected ?? ''}`, remote, `${force ? '+' : ''}${oid}:${dst}`",
    replace: 'remote, `+${oid}:${dst}`',
    tests: ['test/long/sync-race.test.ts'],
  },
  {
    id: 'replay-keeps-failures',
    breaks: 'an op that fails when re-run on the remote tip is dropped without its error reaching its caller',
    file: 'src/store/sync.ts',
    find: 'if (applied?.commit) snap = applied.snapshot;',
    replace: 'if (applied?.commit) snap = applied.snapshot;\n        if (!outcome.ok) outcome.ok = true as never;',
    tests: ['test/sync.test.ts'],
  },
  {
    id: 'glob-overlap-off',
    breaks: 'glob leases never overlap anything (in the server, which the stress checker no longer shares)',
    file: 'src/state/globs.ts',
    find: 'return expand(a).some((x) => expand(b).some((y) => intersects(x, y)));',
    replace: 'return false;',
    tests: ['test/stress.test.ts'],
  },
  {
    id: 'live-lease-taken',
    breaks: 'lock_acquire takes over overlapping leases that have not expired (shared ones pass the conflict check)',
    file: 'src/state/ops/lock-acquire.ts',
    find: 'if (isActive(l, ctx.now) || !l.paths.some((q) => fresh.some((p) => patternsOverlap(q, p)))) continue;',
    replace: 'if (!l.paths.some((q) => fresh.some((p) => patternsOverlap(q, p)))) continue;',
    tests: ['test/stress.test.ts'],
  },
  {
    id: 'commits-dropped',
    breaks: 'now and then a commit is written without its parent, dropping the history before it',
    file: 'src/store/commit.ts',
    find: 'parents: snap.tip ? [snap.tip] : [],',
    replace: 'parents: snap.tip && Math.random() > 0.05 ? [snap.tip] : [],',
    tests: ['test/stress.test.ts'],
  },
  {
    id: 'corrupt-code-renamed',
    breaks: 'a corrupt state file is reported with another code and without its path',
    file: 'src/state/state.ts',
    find: "return new LockstepError('STATE_CORRUPT', `${d.path} is corrupt (${d.reason}); fix or restore it with git (git log -p lockstep/state -- ${d.path})`, {\n    path: d.path,\n",
    replace: "return new LockstepError('INVALID_INPUT', `${d.path} is corrupt (${d.reason}); fix or restore it with git (git log -p lockstep/state -- ${d.path})`, {\n",
    tests: ['test/corrupt.test.ts'],
  },
  {
    id: 'lease-conflicts-off',
    breaks: 'lock_acquire sees no conflicting leases at all',
    file: 'src/state/leases.ts',
    find: 'const others = state.leases().items.filter(',
    replace: 'const others = ([] as Lease[]).filter(',
    tests: ['test/lockstep-bugs.test.ts'],
  },
  {
    id: 'evidence-field-optional',
    breaks: 'delivery_submit stops requiring testEvidence.scriptPassed; a later evidence check refuses the call with another code',
    file: 'src/state/ops/delivery-submit.ts',
    find: '    scriptPassed: z.boolean(),\n    scriptResult:',
    replace: '    scriptPassed: z.boolean().optional(),\n    scriptResult:',
    tests: ['test/deliveries.test.ts'],
  },
  {
    id: 'guard-crashes',
    breaks: 'the pre-commit hook crashes (instead of refusing with LOCK_HELD) when a person with no agent name commits a leased path',
    file: 'src/cli/commands/guard/check.ts',
    find: "if (this.json) this.print({ agent, staged, blocks }, '');",
    replace: "if (this.json) this.print({ agent, staged, blocks }, '');\n    else if (agent === 'human' && blocks.length) throw new Error('report failed');",
    tests: ['test/guard.test.ts'],
  },
  {
    id: 'claim-steals',
    breaks: 'task_claim takes tasks that are already in progress',
    file: 'src/state/tasks.ts',
    find: "if (task.status !== 'todo' && !claimExpired(task, now)) {",
    replace: "if (task.status === 'done' && !claimExpired(task, now)) {",
    tests: ['test/lockstep-bugs.test.ts', 'test/race.test.ts'],
  },
  {
    id: 'adapter-reaches-store',
    breaks: 'an adapter (mcp/) imports store/ directly instead of going through app/',
    file: 'src/mcp/server.ts',
    find: "import { VERSION } from '../version.js';",
    replace: "import { VERSION } from '../version.js';\nimport { STATE_REF as _STATE_REF } from '../store/store.js';",
    tests: ['test/architecture.test.ts'],
  },
  {
    id: 'import-circle',
    breaks: 'an entity rule imports a query that imports it back (an import circle)',
    file: 'src/state/tasks.ts',
    find: "import { isPlanner } from './roles.js';",
    replace: "import { isPlanner } from './roles.js';\nimport type { TaskGetResult as _TaskGetResult } from './queries/task-get.js';",
    tests: ['test/architecture.test.ts'],
  },
];

const ROOT = path.resolve(import.meta.dirname, '..');

function arg(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A scratch copy of this checkout as it is now (tracked and new files, not ignored ones), sharing node_modules. */
function scratchCopy(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-mutants-')));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    // Regular files only: deleted ones, a symlinked node_modules and the like stay behind.
    if (!fs.lstatSync(path.join(ROOT, f), { throwIfNoEntry: false })?.isFile()) continue;
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

function build(dir: string): void {
  // Type errors in a mutant do not matter: the tests judge the behaviour.
  spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, 'scripts', 'build.ts'), '--ignore-type-errors'], { cwd: dir, stdio: 'ignore' });
}

/** Names of the failing tests, from the TAP stream of `node --test`. */
function failingTests(dir: string, tests: string[]): { failed: string[]; passed: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', ...tests], { cwd: dir, encoding: 'utf8', timeout: 600_000, maxBuffer: 2 ** 28 });
  const failed = new Set<string>();
  let passed = 0;
  for (const line of (r.stdout ?? '').split('\n')) {
    const m = /^ {0,4}(not ok|ok) \d+ - (.+?)(?: # .*)?$/.exec(line);
    if (!m) continue;
    if (m[1] === 'not ok') failed.add(m[2]!);
    else passed++;
  }
  if (r.status !== 0 && failed.size === 0) failed.add(`(the test run failed without a test result: exit ${r.status}, ${r.signal ?? 'no signal'})`);
  return { failed: [...failed], passed };
}

function main(): void {
  if (process.argv.includes('--list')) {
    for (const m of MUTANTS) console.log(`${m.id.padEnd(24)} ${m.breaks}`);
    return;
  }
  const only = arg('--only')?.split(',');
  const chosen = only ? MUTANTS.filter((m) => only.includes(m.id)) : MUTANTS;
  const unknown = (only ?? []).filter((id) => !MUTANTS.some((m) => m.id === id));
  if (unknown.length) throw new Error(`unknown mutant(s) ${unknown.join(', ')}; --list shows them`);
  const dir = scratchCopy();
  console.log(`mutants: ${chosen.length} in ${dir}`);
  let bad = 0;
  try {
    for (const m of chosen) {
      const file = path.join(dir, m.file);
      const original = fs.readFileSync(file, 'utf8');
      const hits = original.split(m.find).length - 1;
      if (hits !== 1) {
        bad++;
        console.log(`\nNO LONGER APPLIES  ${m.id}: "${m.find.slice(0, 60)}" found ${hits} times in ${m.file}; update the mutant`);
        continue;
      }
      const started = Date.now();
      fs.writeFileSync(file, original.replace(m.find, () => m.replace));
      try {
        build(dir);
        const { failed, passed } = failingTests(dir, m.tests);
        const secs = ((Date.now() - started) / 1000).toFixed(0);
        if (failed.length === 0) {
          bad++;
          console.log(`\nSURVIVED  ${m.id} (${secs} s): ${m.breaks}\n  ${passed} tests passed in ${m.tests.join(' ')}`);
        } else {
          console.log(`\ncaught    ${m.id} (${secs} s): ${m.breaks}\n${failed.map((t) => `  by ${t}`).join('\n')}`);
        }
      } finally {
        fs.writeFileSync(file, original);
      }
    }
  } finally {
    if (!process.argv.includes('--keep')) fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${chosen.length - bad} of ${chosen.length} mutants caught`);
  if (bad) process.exitCode = 1;
}

main();
