// File, artifact and command tools: thin adapters over src/workspace/ (paths, allowlist, limits live there).
import { z } from 'zod';
import { installTool, PACKAGE_MANAGERS, runCommand, type RunResult } from '../../workspace/commands.js';
import { MIB, readArtifact, readFile, writeArtifact, writeFile, type ReadResult } from '../../workspace/files.js';
import { defineTool, EVERY_ROLE, type ToolCtx, type ToolOutput } from '../tool.js';

/** Running commands report progress this often (keeps client timeouts alive when they reset on progress). */
const PROGRESS_EVERY_MS = 5_000;

// Field schemas stay terse: every role's tools/list has a token budget. Number ranges are checked
// in src/workspace/ (with messages naming the limit), so they are not repeated here.
const filePath = z.string().min(1).max(4096);
const artifactPath = z.string().min(1).max(1024).describe('Relative to .lockstep/artifacts');
const encoding = z.enum(['utf8', 'base64']).optional();

const readInput = (p: z.ZodString) =>
  z.object({
    path: p,
    encoding,
    maxBytes: z.number().optional(),
    binary: z.boolean().optional(),
  });

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

function readText(r: ReadResult): ToolOutput {
  return { structured: { ...r }, text: r.truncated ? `${r.content}\n[truncated: raise maxBytes to read more]` : r.content };
}

function runText(r: RunResult): string {
  const status = r.timedOut ? 'timed out (process group killed)' : r.exitCode === null ? `killed by ${r.signal}` : `exit ${r.exitCode}`;
  const cut = (t: boolean) => (t ? '\n[truncated]' : '');
  return `${status}\n--- stdout\n${r.stdout}${cut(r.stdoutTruncated)}\n--- stderr\n${r.stderr}${cut(r.stderrTruncated)}`;
}

/** Report progress while a command runs; stopped by the returned function. */
function ticker(ctx: ToolCtx, what: string): () => void {
  const start = Date.now();
  const t = setInterval(() => {
    const s = Math.round((Date.now() - start) / 1000);
    ctx.progress(s, `${what} running (${s} s)`).catch((err: unknown) => process.stderr.write(`lockstep: progress notification failed: ${String(err)}\n`));
  }, PROGRESS_EVERY_MS);
  return () => clearInterval(t);
}

export const fileRead = defineTool({
  name: 'file_read',
  title: 'Read a file',
  description: 'Read a file.',
  input: readInput(filePath),
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    return readText(readFile(ctx.workspace, args.path, args));
  },
});

export const fileWrite = defineTool({
  name: 'file_write',
  title: 'Write a file',
  description: 'Write or append to a file (not .git).',
  input: writeInput(filePath),
  roles: ['implementer'],
  annotations: { destructiveHint: true },
  async handler(args, ctx) {
    const r = writeFile(ctx.workspace, args.path, args.content, args);
    return { structured: { ...r }, text: `Wrote ${r.bytes} bytes to ${r.path}` };
  },
});

export const artifactRead = defineTool({
  name: 'artifact_read',
  title: 'Read an artifact',
  description: 'Read an artifact (.lockstep/artifacts).',
  input: readInput(artifactPath),
  roles: ['implementer', 'reviewer'],
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    return readText(readArtifact(ctx.workspace, args.path, args));
  },
});

export const artifactWrite = defineTool({
  name: 'artifact_write',
  title: 'Save an artifact',
  description: 'Save a report or log for other agents (not in git).',
  input: writeInput(artifactPath),
  roles: ['implementer', 'reviewer'],
  annotations: { destructiveHint: true },
  async handler(args, ctx) {
    const r = writeArtifact(ctx.workspace, args.path, args.content, args);
    return { structured: { ...r }, text: `Saved artifact ${r.path} (${r.bytes} bytes)` };
  },
});

export const commandRun = defineTool({
  name: 'command_run',
  title: 'Run a command',
  description: 'Run a program; returns output and exit code.',
  input: z.object({
    command: z.string().min(1).max(100_000).optional().describe('Command line, or give args'),
    args: argv.min(1).optional().describe('argv; never a shell'),
    ...limits,
  }),
  roles: ['implementer', 'reviewer'],
  annotations: { destructiveHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const stop = ticker(ctx, 'command');
    try {
      const r = await runCommand(ctx.workspace, args, ctx.signal);
      return { structured: { ...r }, text: runText(r) };
    } finally {
      stop();
    }
  },
});

export const toolInstall = defineTool({
  name: 'tool_install',
  title: 'Install a tool',
  description: 'Run a package manager; args are argv, no shell.',
  input: z.object({
    manager: z.enum(PACKAGE_MANAGERS),
    args: argv.describe('e.g. ["install","zod"]'),
    ...limits,
  }),
  roles: ['implementer'],
  annotations: { destructiveHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const stop = ticker(ctx, args.manager);
    try {
      const r = await installTool(ctx.workspace, args, ctx.signal);
      return { structured: { ...r }, text: runText(r) };
    } finally {
      stop();
    }
  },
});

export const fileCommandTools = [fileRead, fileWrite, artifactRead, artifactWrite, commandRun, toolInstall];
