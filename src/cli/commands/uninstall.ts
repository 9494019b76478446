// `lockstep uninstall`: remove our MCP server from Claude Code and Codex configs.
import { Command } from 'clipanion';
import { uninstallFrom } from '../../app/setup.js';
import { label, report, TargetCommand } from '../targets.js';

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
    const name = this.serverName();
    const results = uninstallFrom(this.targets(), name);
    const lines = results.map((r) =>
      r.action === 'removed' ? `${label(r)}: ${name} removed from ${r.file}${r.deletedFile ? ' (the file held nothing else and was deleted)' : ''}` : `${label(r)}: ${name} not found in ${r.file}`,
    );
    this.print({ name, results: results.map(report) }, lines.join('\n'));
    return 0;
  }
}
