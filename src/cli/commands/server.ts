// `lockstep server`: one stdio MCP server for one agent.
import { Command, Option } from 'clipanion';
import { z } from 'zod';
import { Lockstep, parseInput } from '../../app/lockstep.js';
import { checkToolNames } from '../../app/setup.js';
import { readRoleCodes, sessionOf } from '../../app/session.js';
import { serveStdio, toolNames } from '../../mcp/server.js';
import { BaseCommand } from '../base.js';

const Seconds = z.number().min(0).max(3600);

export class ServerCommand extends BaseCommand {
  static override paths = [['server']];
  static override usage = Command.Usage({
    description: 'Run the stdio MCP server for one agent',
    details:
      'Each agent (Claude Code, Codex, ...) starts its own server; they coordinate through refs/lockstep/state. Identity comes from --role/--agent, LOCKSTEP_ROLE/LOCKSTEP_AGENT, or the first coordination_init call. stdout is the MCP protocol; logs go to stderr.\n\n' +
      'Role codes: when LOCKSTEP_ROLE_CODE_<ROLE> is set (PLANNER, IMPLEMENTER, REVIEWER, ALL; or LEAD, WORKER, ACCEPTOR), every tool of that role requires a role_code argument equal to it; role all then needs LOCKSTEP_ROLE_CODE_ALL. Commands agents run never see these, nor the variables named in LOCKSTEP_SECRET_ENV.\n\n' +
      'File and command tools: relative paths start at the repository root. --mode strict limits file paths and command cwd to --roots (default: the repository; comma-separated, `~` expanded, relative to the repository root), checked on real paths so symlinks cannot escape. Nothing under .git is ever written. --command-mode allowlist runs commands without a shell and only programs named in --command-allow (an entry like `git status` allows only that subcommand; env that makes a program run others, such as GIT_CONFIG_* or LD_PRELOAD, is refused); in open mode a command string runs through /bin/sh -c.',
    examples: [
      ['Serve an implementer', '$0 server --role implementer --agent impl-1'],
      ['Let the agent name itself via coordination_init', '$0 server'],
      ['Use the git remote as the referee between machines', '$0 server --role implementer --remote origin'],
      ['Confine files to src and docs, and run only npm and git', '$0 server --role implementer --mode strict --roots src,docs --command-mode allowlist --command-allow npm,git'],
    ],
  });

  role = Option.String('--role', { description: 'planner (lead), implementer (worker), reviewer (acceptor) or all' });
  agent = Option.String('--agent', { description: 'Agent name, e.g. impl-1' });
  waitDefault = Option.String('--wait-default-sec', { description: 'Default wait for blocking tools (25)' });
  waitMax = Option.String('--wait-max-sec', { description: 'Longest wait a blocking tool may take (50)' });
  fsync = Option.Boolean('--fsync', { description: 'fsync the state ref on every write (default: as core.fsync says for refs)' });
  mode = Option.String('--mode', { description: 'File access: open (any path, default) or strict (only --roots)' });
  roots = Option.String('--roots', { description: 'Strict mode roots, comma-separated (default: the repository)' });
  commandMode = Option.String('--command-mode', { description: 'open (default; strings run via /bin/sh -c) or allowlist (no shell)' });
  commandAllow = Option.String('--command-allow', { description: "Programs allowlist mode may run, e.g. npm,git or 'git status,npm test'" });
  disableTools = Option.String('--disable-tools', { description: 'Tools this server neither lists nor serves, comma-separated (trims tools/list)' });
  remote = Option.String('--remote', { description: 'Referee mode: publish every state commit to this git remote before answering (default: git config lockstep.remote)' });
  remoteMode = Option.String('--remote-mode', { description: 'referee (default: answer only once on the remote) or offline (commit here while it is unreachable, publish later)' });
  remoteTimeout = Option.String('--remote-timeout-sec', { description: 'A push or fetch slower than this is REMOTE_UNREACHABLE (10)' });
  gcEvery = Option.String('--gc-every', { description: 'Start `git gc --auto` after this many commits of this server (1000; 0 = never)' });

  async run(): Promise<number> {
    const session = sessionOf(this.role ?? process.env.LOCKSTEP_ROLE, this.agent ?? process.env.LOCKSTEP_AGENT);
    const disabledTools = checkToolNames(this.disableTools, toolNames());
    const seconds = (v: string | undefined) => (v === undefined ? undefined : parseInput(Seconds, Number(v)));
    const waits = { defaultSec: seconds(this.waitDefault), maxSec: seconds(this.waitMax) };
    // Tests move a server's clock (lease expiry) without sleeping; nothing else reads this.
    const offset = Number(process.env.LOCKSTEP_CLOCK_OFFSET_MS ?? 0);
    const gcEvery = this.gcEvery === undefined ? undefined : parseInput(z.number().int().min(0), Number(this.gcEvery));
    const host = { mode: this.mode, roots: this.roots, commandMode: this.commandMode, commandAllow: this.commandAllow };
    const remoteTimeoutMs = this.remoteTimeout === undefined ? undefined : parseInput(z.number().min(0.1).max(600), Number(this.remoteTimeout)) * 1000;
    const open = (dir: string) => {
      const app = new Lockstep({ dir, spareFiles: true, fsync: this.fsync, gcEvery, clock: offset ? () => Date.now() + offset : undefined, waits, host, remote: this.remote, remoteTimeoutMs, remoteMode: this.remoteMode });
      app.publishLeftovers();
      return app;
    };
    // Outside a repository the server still starts (it looks in the client's roots); a bad flag
    // (INVALID_INPUT) fails here, before anything is served, and BaseCommand prints error[CODE].
    await serveStdio({ open, dir: this.repoDir(), session, roleCodes: readRoleCodes(process.env), disabledTools });
    return 0;
  }
}
