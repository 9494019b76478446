#!/usr/bin/env node
// The `lockstep` (and `lockstep-mcp`) command line. Imported rather than run (the tests run commands
// in-process from a worker thread or a batch script), it only exports runCli.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { runCli } from './run.js';

export { runCli };

/** Run as the program (directly or through an npm bin link), not imported. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!isMainThread || script === undefined) return false;
  return fs.realpathSync(script) === fs.realpathSync(fileURLToPath(import.meta.url));
}

if (isEntryPoint()) {
  const argv = process.argv.slice(2);
  process.exitCode = await runCli(argv.length ? argv : ['--help'], { stdout: process.stdout, stderr: process.stderr });
}
