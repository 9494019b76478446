// command_run: run a program with a timeout and output caps (no shell in allowlist mode).
import { useCases } from '../../app/use-cases.js';
import type { RunResult } from '../../app/host.js';
import { tool } from '../tool.js';

export function runText(r: RunResult): string {
  const status = r.timedOut ? 'timed out (process group killed)' : r.exitCode === null ? `killed by ${r.signal}` : `exit ${r.exitCode}`;
  const cut = (t: boolean, all: number) => (t ? `\n[truncated: ${all} bytes in all; redirect the output to a file and file_read it with offset]` : '');
  return `${status}\n--- stdout\n${r.stdout}${cut(r.stdoutTruncated, r.stdoutBytes)}\n--- stderr\n${r.stderr}${cut(r.stderrTruncated, r.stderrBytes)}`;
}

export const commandTools = [
  tool(useCases.commandRun, {
    title: 'Run a command',
    description: 'Run a program; returns output and exit code.',
    roles: ['implementer', 'reviewer'],
    annotations: { destructiveHint: true, openWorldHint: true },
    text: runText,
  }),
];
