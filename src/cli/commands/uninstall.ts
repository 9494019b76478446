// `lockstep uninstall`: remove our MCP server from Claude Code and Codex configs.
import { Command } from 'clipanion';
import { remainingEntries, uninstallFrom, uninstallTargets } from '../../app/setup.js';
import { label, report, TargetCommand } from '../targets.js';

export class UninstallCommand extends TargetCommand {
  static override paths = [['uninstall']];
  static override usage = Command.Usage({
    description: 'Remove the Lockstep MCP server from Claude Code and Codex configs',
    details:
      'Removes exactly `mcpServers.<name>` / `[mcp_servers.<name>]` and nothing else; other servers, keys, tables and comments keep their bytes. ' +
      'Without --scope it looks everywhere install writes: the project `.mcp.json` (when run in a repository, with its approval in .claude/settings.local.json) and `~/.claude.json` for Claude Code, and the Codex config. ' +
      'A project `.mcp.json` or a `config.toml` left with nothing in it is deleted; `~/.claude.json` always stays. Entries install did not write (Claude Code\'s local scope) are named with the command that removes them.',
    examples: [
      ['Everywhere install writes', '$0 uninstall'],
      ['Claude Code user scope only', '$0 uninstall --claude --scope user'],
    ],
  });

  async run(): Promise<number> {
    const name = this.serverName();
    const results = uninstallFrom(uninstallTargets({ claude: this.claude, codex: this.codex, all: this.all }, this.scope, this.repoDir()), name);
    const lines = results.map((r) =>
      r.action === 'removed' ? `${label(r)}: ${name} removed from ${r.file}${r.deletedFile ? ' (the file held nothing else and was deleted)' : ''}` : `${label(r)}: ${name} not found in ${r.file}`,
    );
    const remaining = remainingEntries(name);
    for (const r of remaining) lines.push(`still there: ${name} in ${r.where}; remove it with: ${r.remove}`);
    this.print({ name, results: results.map(report), remaining }, lines.join('\n'));
    return 0;
  }
}
