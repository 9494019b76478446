// `lockstep server`: one stdio MCP server for one agent.
import { Command, Option } from 'clipanion';
import { z } from 'zod';
import { Lockstep, parseInput } from '../../app.js';
import { parseRole } from '../../mcp/roles.js';
import { serveStdio } from '../../mcp/server.js';
import { AgentName } from '../../state/schema.js';
import { BaseCommand } from '../base.js';

const Seconds = z.number().min(0).max(3600);

export class ServerCommand extends BaseCommand {
  static override paths = [['server']];
  static override usage = Command.Usage({
    description: 'Run the stdio MCP server for one agent',
    details:
      'Each agent (Claude Code, Codex, ...) starts its own server; they coordinate through refs/lockstep/state. Identity comes from --role/--agent, LOCKSTEP_ROLE/LOCKSTEP_AGENT, or the first coordination_init call. stdout is the MCP protocol; logs go to stderr.',
    examples: [
      ['Serve an implementer', '$0 server --role implementer --agent impl-1'],
      ['Let the agent name itself via coordination_init', '$0 server'],
    ],
  });

  role = Option.String('--role', { description: 'planner (lead), implementer (worker), reviewer (acceptor) or all' });
  agent = Option.String('--agent', { description: 'Agent name, e.g. impl-1' });
  waitDefault = Option.String('--wait-default-sec', { description: 'Default wait for blocking tools (25)' });
  waitMax = Option.String('--wait-max-sec', { description: 'Longest wait a blocking tool may take (50)' });
  fsync = Option.Boolean('--fsync', { description: 'fsync the state ref on every write (default: as core.fsync says for refs)' });
  gcEvery = Option.String('--gc-every', { description: 'Start `git gc --auto` after this many commits of this server (1000; 0 = never)' });

  async run(): Promise<number> {
    const roleName = this.role ?? process.env.LOCKSTEP_ROLE;
    const agent = this.agent ?? process.env.LOCKSTEP_AGENT;
    const session = {
      role: roleName ? parseRole(roleName) : undefined,
      agent: agent === undefined ? undefined : parseInput(AgentName, agent),
    };
    const seconds = (v: string | undefined) => (v === undefined ? undefined : parseInput(Seconds, Number(v)));
    const waits = { defaultSec: seconds(this.waitDefault), maxSec: seconds(this.waitMax) };
    // Tests move a server's clock (lease expiry) without sleeping; nothing else reads this.
    const offset = Number(process.env.LOCKSTEP_CLOCK_OFFSET_MS ?? 0);
    const gcEvery = this.gcEvery === undefined ? undefined : parseInput(z.number().int().min(0), Number(this.gcEvery));
    const app = new Lockstep({ dir: this.repo ?? process.cwd(), fsync: this.fsync, gcEvery, clock: offset ? () => Date.now() + offset : undefined });
    await serveStdio({ app, session, waits });
    return 0;
  }
}
