// Finding commands: each is one file, commands/<noun>/<verb>.ts (or commands/<noun>.ts), found by its
// path. Only the command asked for is loaded when running from the compiled files; the bundle
// (scripts/build.ts) holds them all and carries their list, since it has no commands/ folder to read.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Builtins, type Cli, type Command } from 'clipanion';
import { VERSION } from '../version.js';
import { LockstepCli } from './lockstep-cli.js';

/** Set by the bundler: every command's path under commands/, e.g. `task/list`. */
declare const LOCKSTEP_COMMANDS: string[] | undefined;

type CommandClass = Parameters<Cli['register']>[0];

/** Every command's path under commands/ (`task/list`, `server`). */
function commandPaths(): string[] {
  if (typeof LOCKSTEP_COMMANDS !== 'undefined') return LOCKSTEP_COMMANDS;
  const root = fileURLToPath(new URL('./commands/', import.meta.url));
  const walk = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : /\.(js|ts)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path.join(dir, e.name)] : []));
  return walk(root)
    .map((f) => path.relative(root, f).replace(/\.(js|ts)$/, '').split(path.sep).join('/'))
    .sort();
}

async function load(rel: string): Promise<CommandClass[]> {
  const mod = (await import(`./commands/${rel}.js`)) as Record<string, unknown>;
  return Object.values(mod).filter((v): v is CommandClass => typeof v === 'function' && (v as typeof Command).paths !== undefined);
}

/** The command argv names (`task claim` -> task/claim), if there is one. */
function commandFor(argv: string[], known: string[]): string | undefined {
  const words: string[] = [];
  for (const a of argv.slice(0, 2)) {
    if (!/^[a-z][a-z-]*$/.test(a)) break;
    words.push(a);
  }
  for (let n = words.length; n > 0; n--) {
    const rel = words.slice(0, n).join('/');
    if (known.includes(rel)) return rel;
  }
  return undefined;
}

/** The CLI with the command `argv` names registered, or every command when it names none. */
export async function buildCli(argv: string[]): Promise<Cli> {
  const colors = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const cli = new LockstepCli({ binaryLabel: 'Lockstep', binaryName: 'lockstep', binaryVersion: VERSION, enableColors: colors });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  cli.register(Builtins.DefinitionsCommand);
  const known = commandPaths();
  const one = commandFor(argv, known);
  for (const rel of one ? [one] : known) for (const c of await load(rel)) cli.register(c);
  return cli;
}
