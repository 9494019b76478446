// File, artifact and command use cases: the agent's work on this machine, within the server's
// --mode/--roots and --command-mode (the paths, allowlist and limits are enforced in host/).
import { z } from 'zod';
import { installTool as install, PACKAGE_MANAGERS, runCommand, type RunResult } from '../host/commands.js';
import { MIB, readArtifact, readFile, writeArtifact, writeFile, type ReadResult } from '../host/files.js';

export type { ReadResult, RunResult };
import { useCase, type Caller } from './use-case.js';

/** Running commands report progress this often (keeps client timeouts alive when they reset on progress). */
const PROGRESS_EVERY_MS = 5_000;

// Field schemas stay terse: every role's tools/list has a token budget. Number ranges are checked
// in host/ (with messages naming the limit), so they are not repeated here.
const filePath = z.string().min(1).max(4096);
const artifactPath = z.string().min(1).max(1024).describe('Relative to .lockstep/artifacts');
const encoding = z.enum(['utf8', 'base64']).optional();

const readInput = (p: z.ZodString) => z.object({ path: p, encoding, maxBytes: z.number().optional(), offset: z.number().optional(), binary: z.boolean().optional() });

const writeInput = (p: z.ZodString) =>
  z.object({
    path: p,
    content: z.string().max(16 * MIB),
    encoding,
    mode: z.enum(['overwrite', 'append']).optional(),
    createDirs: z.boolean().optional(),
  });

const limits = {
  cwd: z.string().min(1).max(4096).optional().describe('Default: repo root'),
  timeoutMs: z.number().optional().describe('Default 120000'),
  maxOutputBytes: z.number().optional(),
  env: z.record(z.string(), z.string()).optional(),
};
const argv = z.array(z.string().max(100_000)).max(1000);

export const fileRead = useCase({ name: 'file.read', input: readInput(filePath), run: async (app, input) => readFile(app.host, input.path, input) });

export const fileWrite = useCase({ name: 'file.write', input: writeInput(filePath), run: async (app, input) => writeFile(app.host, input.path, input.content, input) });

export const artifactRead = useCase({ name: 'artifact.read', input: readInput(artifactPath), run: async (app, input) => readArtifact(app.host, input.path, input) });

export const artifactWrite = useCase({ name: 'artifact.write', input: writeInput(artifactPath), run: async (app, input) => writeArtifact(app.host, input.path, input.content, input) });

/** Report how long `what` has run while `work` runs. */
async function withProgress(caller: Caller, what: string, work: () => Promise<RunResult>): Promise<RunResult> {
  const start = Date.now();
  const t = setInterval(() => {
    const s = Math.round((Date.now() - start) / 1000);
    caller.progress?.(s, `${what} running (${s} s)`);
  }, PROGRESS_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(t);
  }
}

export const commandRun = useCase({
  name: 'command.run',
  input: z.object({
    command: z.string().min(1).max(100_000).optional().describe('Command line, or give args'),
    args: argv.min(1).optional().describe('argv; never a shell'),
    ...limits,
  }),
  run: (app, input, caller) => withProgress(caller, 'command', () => runCommand(app.host, input, caller.signal)),
});

export const toolInstall = useCase({
  name: 'tool.install',
  input: z.object({ manager: z.enum(PACKAGE_MANAGERS), args: argv.describe('e.g. ["install","zod"]'), ...limits }),
  run: (app, input, caller) => withProgress(caller, input.manager, () => install(app.host, input, caller.signal)),
});
