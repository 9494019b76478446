// `lockstep install`: register our MCP server in Claude Code and Codex configs.
import path from 'node:path';
import { Command, Option } from 'clipanion';
import { approveProject, installInto, projectApproved, serverArgs } from '../../app/setup.js';
import { toolNames } from '../../mcp/server.js';
import { label, report, TargetCommand } from '../targets.js';

/** A word as a POSIX shell would need it, for the printed command line only. */
function shellWord(w: string): string {
  return /^[A-Za-z0-9_./:=,@+-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
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
  approve = Option.Boolean('--approve', false, { description: 'Claude Code project scope: approve the server for this checkout (.claude/settings.local.json, kept out of git)' });

  async run(): Promise<number> {
    const name = this.serverName();
    const args = serverArgs(this, toolNames());
    const { entry, results } = installInto(this.targets(), name, args);
    const said: Record<string, string> = { created: 'added to', updated: 'updated in', unchanged: 'already up to date in' };
    const lines = results.map((r) => `${label(r)}: ${name} ${said[r.action] ?? r.action} ${r.file}`);
    lines.push(`command: ${[entry.command, ...entry.args].map(shellWord).join(' ')}`);
    // Claude Code starts a project .mcp.json server only once it is approved ("Pending approval" in `claude mcp list`).
    const project = results.find((r) => r.agent === 'claude' && r.scope === 'project');
    let approval: { approved: boolean; file?: string } | undefined;
    if (project) {
      const root = path.dirname(project.file);
      if (this.approve) approval = { approved: true, file: approveProject(root, name).file };
      else approval = { approved: projectApproved(root, name) };
      lines.push(
        approval.approved
          ? `Claude Code: ${name} is approved for this checkout${approval.file ? ` (${approval.file}, kept out of git)` : ''}`
          : `Claude Code asks before it starts a server from .mcp.json (\`claude mcp list\` shows it as Pending approval): start \`claude\` in ${root} and accept it, or run \`lockstep install --claude --approve\` to approve it for this checkout in .claude/settings.local.json (kept out of git)`,
      );
    }
    lines.push('next: `lockstep init` in a repository adds the coordination block to CLAUDE.md (or AGENTS.md) and creates the state ref');
    this.print({ name, ...entry, results: results.map(report), ...(approval ? { approved: approval.approved } : {}) }, lines.join('\n'));
    return 0;
  }
}
