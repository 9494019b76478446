// `lockstep install|uninstall`: register (or remove) our MCP server in Claude Code and Codex configs.
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'clipanion';
import { discoverRepo } from '../../git/repo.js';
import { parseRole } from '../../mcp/roles.js';
import { ALL_TOOLS } from '../../mcp/server.js';
import { DomainError } from '../../state/errors.js';
import {
  claudeProjectConfig,
  claudeUserConfig,
  codexConfig,
  installClaude,
  installCodex,
  uninstallClaude,
  uninstallCodex,
  type EditResult,
  type ServerEntry,
} from '../../workspace/install.js';
import { BaseCommand } from '../base.js';

export type Scope = 'project' | 'user';

/** One config we write: which agent, which scope, which file. */
export interface Target {
  agent: 'claude' | 'codex';
  scope: Scope;
  file: string;
}

/** This CLI's entry point as an absolute real path, so the installed command works from any directory. */
export function cliEntry(): string {
  const entry = fileURLToPath(new URL('../main.js', import.meta.url));
  if (!fs.existsSync(entry)) {
    throw new DomainError('INVALID_INPUT', `${entry} does not exist; build Lockstep (npm run build) and install from dist/cli/main.js`, { entry });
  }
  return fs.realpathSync(entry);
}

export function homeDir(): string {
  return os.homedir();
}

/** The repository root for the project-scope .mcp.json (a bare repository has none). */
export function repoRoot(dir: string): string {
  const repo = discoverRepo(dir);
  if (repo.workTree === null) throw new DomainError('INVALID_INPUT', `${repo.commonDir} is a bare repository with no work tree for .mcp.json; use --scope user`, { gitDir: repo.commonDir });
  return repo.workTree;
}

export function scopeOf(value: string | undefined): Scope {
  if (value === undefined || value === 'project' || value === 'user') return value ?? 'project';
  throw new DomainError('INVALID_INPUT', `--scope must be project or user, not "${value}"`, { flag: '--scope' });
}

export function nameOf(value: string | undefined): string {
  const name = value ?? 'lockstep';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new DomainError('INVALID_INPUT', `--name "${name}": use 1-64 letters, digits, - or _`, { flag: '--name' });
  return name;
}

/** Claude Code's file for the scope, Codex's one config (~/.codex/config.toml or $CODEX_HOME); --claude/--codex pick, default both. */
export function targetsFor(flags: { claude: boolean; codex: boolean; all: boolean }, scope: Scope, repoDir: string): Target[] {
  const both = flags.all || (!flags.claude && !flags.codex);
  const out: Target[] = [];
  const home = homeDir();
  if (both || flags.claude) out.push({ agent: 'claude', scope, file: scope === 'user' ? claudeUserConfig(home) : claudeProjectConfig(repoRoot(repoDir)) });
  if (both || flags.codex) out.push({ agent: 'codex', scope: 'user', file: codexConfig(home, process.env.CODEX_HOME) });
  return out;
}

function oneOf(flag: string, value: string | undefined, allowed: string[]): string | undefined {
  if (value !== undefined && !allowed.includes(value)) throw new DomainError('INVALID_INPUT', `${flag} must be ${allowed.join(' or ')}, not "${value}"`, { flag });
  return value;
}

const label = (t: Target) => (t.agent === 'claude' ? `Claude Code (${t.scope})` : 'Codex');

abstract class TargetCommand extends BaseCommand {
  claude = Option.Boolean('--claude', false, { description: 'Claude Code only' });
  codex = Option.Boolean('--codex', false, { description: 'Codex only' });
  all = Option.Boolean('--all', false, { description: 'Claude Code and Codex (the default)' });
  scope = Option.String('--scope', { description: 'Claude Code: project (./.mcp.json at the repository root, default) or user (~/.claude.json)' });
  name = Option.String('--name', { description: 'Server name in the configs (default lockstep)' });

  targets(): Target[] {
    return targetsFor({ claude: this.claude, codex: this.codex, all: this.all }, scopeOf(this.scope), this.repo ?? process.cwd());
  }
}

export class InstallCommand extends TargetCommand {
  static override paths = [['install']];
  static override usage = Command.Usage({
    description: 'Register the Lockstep MCP server in Claude Code and Codex',
    details:
      'Writes `mcpServers.<name>` to `.mcp.json` at the repository root (Claude Code, --scope project) or `~/.claude.json` (--scope user), and `[mcp_servers.<name>]` to `~/.codex/config.toml` ($CODEX_HOME/config.toml when set). ' +
      'The command is this node and this CLI by absolute path, so it works from any directory; server flags given here are appended to `lockstep server`. ' +
      'Only our entry changes: other servers, keys, tables and comments keep their bytes, and running it again changes nothing. Undo with `lockstep uninstall`.',
    examples: [
      ['Claude Code (this project) and Codex', '$0 install'],
      ['Claude Code for every project of this user', '$0 install --claude --scope user'],
      ['Codex, as a strict implementer', '$0 install --codex --role implementer --mode strict --roots src'],
    ],
  });

  role = Option.String('--role', { description: 'Server flag: planner, implementer, reviewer or all' });
  agent = Option.String('--agent', { description: 'Server flag: agent name' });
  mode = Option.String('--mode', { description: 'Server flag: open or strict' });
  roots = Option.String('--roots', { description: 'Server flag: strict mode roots, comma-separated' });
  commandMode = Option.String('--command-mode', { description: 'Server flag: open or allowlist' });
  commandAllow = Option.String('--command-allow', { description: 'Server flag: programs allowlist mode may run' });
  disableTools = Option.String('--disable-tools', { description: 'Server flag: tools to leave out, comma-separated' });
  waitDefault = Option.String('--wait-default-sec', { description: 'Server flag: default wait of blocking tools' });
  waitMax = Option.String('--wait-max-sec', { description: 'Server flag: longest wait of blocking tools' });

  /** `server` and the flags given, checked here so a typo fails now and not when the agent starts. */
  serverArgs(): string[] {
    const args = ['server'];
    const add = (flag: string, value: string | undefined) => {
      if (value !== undefined) args.push(flag, value);
    };
    add('--role', this.role === undefined ? undefined : parseRole(this.role));
    add('--agent', this.agent);
    add('--mode', oneOf('--mode', this.mode, ['open', 'strict']));
    if (this.roots !== undefined && this.mode !== 'strict') throw new DomainError('INVALID_INPUT', '--roots only applies to --mode strict; add --mode strict (or drop --roots)', { flag: '--roots' });
    add('--roots', this.roots);
    add('--command-mode', oneOf('--command-mode', this.commandMode, ['open', 'allowlist']));
    if (this.commandAllow !== undefined && this.commandMode !== 'allowlist') {
      throw new DomainError('INVALID_INPUT', '--command-allow only applies to --command-mode allowlist; add --command-mode allowlist (or drop --command-allow)', { flag: '--command-allow' });
    }
    add('--command-allow', this.commandAllow);
    if (this.disableTools !== undefined) {
      const known = new Set(ALL_TOOLS.map((t) => t.name));
      const unknown = this.disableTools.split(',').map((n) => n.trim()).filter((n) => n && !known.has(n));
      if (unknown.length) throw new DomainError('INVALID_INPUT', `--disable-tools names unknown tools: ${unknown.join(', ')}`, { unknown });
    }
    add('--disable-tools', this.disableTools);
    for (const [flag, v] of [['--wait-default-sec', this.waitDefault], ['--wait-max-sec', this.waitMax]] as const) {
      if (v !== undefined && !(Number(v) >= 0 && Number(v) <= 3600)) throw new DomainError('INVALID_INPUT', `${flag} must be 0-3600 seconds, not "${v}"`, { flag });
      add(flag, v);
    }
    return args;
  }

  async run(): Promise<number> {
    const name = nameOf(this.name);
    const entry: ServerEntry = { command: fs.realpathSync(process.execPath), args: [cliEntry(), ...this.serverArgs()] };
    const targets = this.targets();
    const results = targets.map((t) => ({ ...t, ...(t.agent === 'claude' ? installClaude(t.file, name, entry) : installCodex(t.file, name, entry)) }));
    const said: Record<string, string> = { created: 'added to', updated: 'updated in', unchanged: 'already up to date in' };
    const lines = results.map((r) => `${label(r)}: ${name} ${said[r.action] ?? r.action} ${r.file}`);
    lines.push(`command: ${[entry.command, ...entry.args].map(shellWord).join(' ')}`);
    lines.push('next: `lockstep init` in a repository adds the coordination block to CLAUDE.md (or AGENTS.md) and creates the state ref');
    this.print({ name, ...entry, results: results.map(report) }, lines.join('\n'));
    return 0;
  }
}

export class UninstallCommand extends TargetCommand {
  static override paths = [['uninstall']];
  static override usage = Command.Usage({
    description: 'Remove the Lockstep MCP server from Claude Code and Codex configs',
    details:
      'Removes exactly `mcpServers.<name>` / `[mcp_servers.<name>]` and nothing else; other servers, keys, tables and comments keep their bytes. ' +
      'A project `.mcp.json` or a `config.toml` left with nothing in it is deleted; `~/.claude.json` always stays.',
    examples: [
      ['Everywhere install writes by default', '$0 uninstall'],
      ['Claude Code user scope only', '$0 uninstall --claude --scope user'],
    ],
  });

  async run(): Promise<number> {
    const name = nameOf(this.name);
    const results = this.targets().map((t) => ({
      ...t,
      ...(t.agent === 'claude' ? uninstallClaude(t.file, name, t.scope === 'project') : uninstallCodex(t.file, name, true)),
    }));
    const lines = results.map((r) =>
      r.action === 'removed' ? `${label(r)}: ${name} removed from ${r.file}${r.deletedFile ? ' (the file held nothing else and was deleted)' : ''}` : `${label(r)}: ${name} not found in ${r.file}`,
    );
    this.print({ name, results: results.map(report) }, lines.join('\n'));
    return 0;
  }
}

function report(r: Target & EditResult) {
  return { agent: r.agent, scope: r.scope, file: r.file, action: r.action, ...(r.deletedFile ? { deletedFile: true } : {}) };
}

/** A word as a POSIX shell would need it, for the printed command line only. */
function shellWord(w: string): string {
  return /^[A-Za-z0-9_./:=,@+-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}
