// Running the CLI: clipanion parses, and every way a command line can be wrong becomes one line
// `error[USAGE]: ...` on stderr (a JSON error object with --json) with the command's usage, never
// clipanion's own dump on stdout. Exit status: 0 done, 1 a coded failure, 2 a usage error.
import { Cli, type BaseContext } from 'clipanion';
import type { CliContext } from './base.js';
import { buildCli } from './load.js';

export const EXIT_USAGE = 2;

interface Definition {
  path: string;
  usage: string;
  options: { definition: string; required: boolean }[];
}

/** A usage line's words, keeping `<--title <text>>` whole (spaces inside brackets do not split). */
function usageWords(usage: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let word = '';
  for (const c of usage) {
    if (c === ' ' && depth === 0) {
      if (word) out.push(word);
      word = '';
      continue;
    }
    if (c === '<' || c === '[') depth++;
    if (c === '>' || c === ']') depth--;
    word += c;
  }
  if (word) out.push(word);
  return out;
}

/** One line with every option: clipanion's usage inlines only the options without a description. */
function fullUsage(d: Definition): string {
  const described = d.options.map((o) => (o.required ? `<${o.definition}>` : `[${o.definition}]`));
  const words = usageWords(d.usage);
  const start = words.findIndex((w) => /^[<[.]/.test(w));
  const head = (start < 0 ? words : words.slice(0, start)).join(' ');
  const rest = start < 0 ? [] : words.slice(start);
  const positional = rest.filter((r) => !r.startsWith('<--') && !r.startsWith('[--'));
  const inline = rest.filter((r) => r.startsWith('<--') || r.startsWith('[--'));
  return [head, ...described, ...inline, ...positional].join(' ');
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length]![b.length]!;
}

/** The command whose path the words start with (the longest one), if any. */
function commandOf(defs: Definition[], words: string[]): Definition | undefined {
  let best: Definition | undefined;
  for (const d of defs) {
    const path = d.path.split(' ').slice(1);
    if (path.length && path.every((w, i) => words[i] === w) && (!best || path.length > best.path.split(' ').length - 1)) best = d;
  }
  return best;
}

/** Why this command line does not parse, said for a person, with what to run instead. */
function usageProblem(defs: Definition[], argv: string[], clipanionReason: string): { message: string; usage?: string } {
  const words = argv.filter((a) => !a.startsWith('-'));
  const cmd = commandOf(defs, argv);
  if (!cmd) {
    const typed = words.slice(0, 2).join(' ');
    const ranked = defs
      .filter((d) => !d.path.startsWith('lockstep -'))
      .map((d) => ({ d, score: Math.min(distance(typed, d.path.slice('lockstep '.length)), distance(words[0] ?? '', d.path.split(' ')[1] ?? '') + 1) }))
      .sort((a, b) => a.score - b.score)
      .slice(0, 3)
      .map((r) => `lockstep ${r.d.path.slice('lockstep '.length)}`);
    return { message: `unknown command "${typed || argv.join(' ')}"; did you mean ${ranked.join(', ')}? (lockstep --help lists every command)` };
  }
  const name = cmd.path.slice('lockstep '.length);
  const usage = fullUsage(cmd);
  const given = new Set(argv.map((a) => a.split('=')[0]));
  const required = [...usage.matchAll(/<(--[a-z][a-z-]*(?: <[^>]+>)*)>/g)].map((m) => m[1]!);
  const missing = required.filter((def) => !def.split(' ')[0]!.split(',').some((n) => given.has(n)));
  if (missing.length) return { message: `${name} needs ${missing.join(' and ')}`, usage };
  const reason = clipanionReason.split('\n')[0]!.replace(/^Command not found.*$/, '').trim();
  if (/^Not enough arguments to option (--[a-z-]+)/.test(reason)) {
    const option = /^Not enough arguments to option (--[a-z-]+)/.exec(reason)![1]!;
    return { message: `${name}: ${option} needs a value (a value starting with - goes after =, as in ${option}=-1)`, usage };
  }
  if (/^Not enough positional arguments/.test(reason)) return { message: `${name} needs ${usageWords(cmd.usage).filter((w) => /^<[a-z]/.test(w)).join(' ')}`, usage };
  if (/^Unsupported option name/.test(reason)) return { message: `${name}: ${reason.replace(/^Unsupported option name \("(.*)"\)\.?$/, 'there is no option $1')}`, usage };
  return { message: `${name}: ${reason || 'these arguments do not fit the command'}`, usage };
}

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Where the command runs (default: the process's working directory). */
  cwd?: string;
}

/** Run the command line; the exit status. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const cli = await buildCli(argv);
  const json = argv.includes('--json');
  const context: CliContext = { ...Cli.defaultContext, stdout: io.stdout as BaseContext['stdout'], stderr: io.stderr as BaseContext['stderr'], cwd: io.cwd };
  let command;
  try {
    command = cli.process(argv, context);
  } catch (err) {
    const definitions = cli.definitions() as Definition[];
    const problem = usageProblem(definitions, argv, (err as Error).message ?? '');
    if (json) io.stderr.write(`${JSON.stringify({ error: { code: 'USAGE', message: problem.message, usage: problem.usage } })}\n`);
    else io.stderr.write(`error[USAGE]: ${problem.message}\n${problem.usage ? `usage: ${problem.usage}\n` : ''}`);
    return EXIT_USAGE;
  }
  return cli.run(command, context);
}
