// Finding commands: each is one file, commands/<noun>/<verb>.ts (or commands/<noun>.ts), found by its
// path. Only the command asked for is loaded, so a command starts without importing the rest (all
// of them are loaded for help and for unknown commands).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Builtins, Cli, Command } from 'clipanion';
import { VERSION } from '../version.js';

const COMMANDS = fileURLToPath(new URL('./commands/', import.meta.url));
const EXT = path.extname(fileURLToPath(import.meta.url)); // .js when built, .ts from source

type CommandClass = Parameters<Cli['register']>[0];

async function load(file: string): Promise<CommandClass[]> {
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  return Object.values(mod).filter((v): v is CommandClass => typeof v === 'function' && (v as typeof Command).paths !== undefined);
}

function commandFiles(dir = COMMANDS): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? commandFiles(path.join(dir, e.name)) : e.name.endsWith(EXT) ? [path.join(dir, e.name)] : []));
}

/** The file of the command argv names (`task claim` -> commands/task/claim), if there is one. */
function fileFor(argv: string[]): string | undefined {
  const words: string[] = [];
  for (const a of argv.slice(0, 2)) {
    if (!/^[a-z][a-z-]*$/.test(a)) break;
    words.push(a);
  }
  for (let n = words.length; n > 0; n--) {
    const file = path.join(COMMANDS, ...words.slice(0, n)) + EXT;
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

/** The CLI with the command `argv` names registered, or every command when it names none. */
export async function buildCli(argv: string[]): Promise<Cli> {
  const colors = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const cli = new Cli({ binaryLabel: 'Lockstep', binaryName: 'lockstep', binaryVersion: VERSION, enableColors: colors });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  cli.register(Builtins.DefinitionsCommand);
  const one = fileFor(argv);
  for (const file of one ? [one] : commandFiles()) for (const c of await load(file)) cli.register(c);
  return cli;
}

