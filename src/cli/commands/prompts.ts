// `lockstep prompts`: print the role prompts (planner, implementer, reviewer) to paste into an agent.
import { Command, Option } from 'clipanion';
import { PROMPTS, type PromptInfo } from '../../app/prompts.js';
import { parseRole } from '../../app/session.js';
import { BaseCommand } from '../base.js';

export class PromptsCommand extends BaseCommand {
  static override paths = [['prompts']];
  static override usage = Command.Usage({
    description: 'Print the role prompts for the agents',
    details: 'Without --role it prints all three. The same texts are served as MCP prompts (prompts/list, prompts/get). Needs no repository.',
    examples: [
      ['The implementer prompt', '$0 prompts --role implementer'],
      ['All prompts as JSON', '$0 prompts --json'],
    ],
  });

  role = Option.String('--role', { description: 'planner (lead), implementer (worker) or reviewer (acceptor); all prompts when omitted' });

  async run(): Promise<number> {
    const role = this.role === undefined ? 'all' : parseRole(this.role);
    const chosen: PromptInfo[] = role === 'all' ? [...PROMPTS] : PROMPTS.filter((p) => p.name === role);
    const human = chosen.map((p) => `${p.name.toUpperCase()} PROMPT:\n\n${p.text}`).join('\n');
    this.print({ prompts: chosen.map((p) => ({ role: p.name, title: p.title, description: p.description, text: p.text })) }, human);
    return 0;
  }
}
