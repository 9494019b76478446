// The --claude / --codex / --all / --scope / --name options install and uninstall share.
import { Option } from 'clipanion';
import { nameOf, scopeOf, targetsFor, type Target } from '../app/setup.js';
import { BaseCommand } from './base.js';

export abstract class TargetCommand extends BaseCommand {
  claude = Option.Boolean('--claude', false, { description: 'Claude Code only' });
  codex = Option.Boolean('--codex', false, { description: 'Codex only' });
  all = Option.Boolean('--all', false, { description: 'Claude Code and Codex (the default)' });
  scope = Option.String('--scope', { description: 'Claude Code: project (./.mcp.json at the repository root, default) or user (~/.claude.json)' });
  name = Option.String('--name', { description: 'Server name in the configs (default lockstep)' });

  targets(): Target[] {
    return targetsFor({ claude: this.claude, codex: this.codex, all: this.all }, scopeOf(this.scope), this.repoDir());
  }

  serverName(): string {
    return nameOf(this.name);
  }
}

export const label = (t: Target) => (t.agent === 'claude' ? `Claude Code (${t.scope})` : 'Codex');

export function report(r: Target & { action: string; deletedFile?: boolean }) {
  return { agent: r.agent, scope: r.scope, file: r.file, action: r.action, ...(r.deletedFile ? { deletedFile: true } : {}) };
}
