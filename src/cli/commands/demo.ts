// `lockstep demo`: four real agent servers coordinating on a scratch repository (app/demo.ts tells the story).
import { Command, Option } from 'clipanion';
import { runDemo } from '../../app/demo.js';
import { BaseCommand } from '../base.js';

export class DemoCommand extends BaseCommand {
  static override paths = [['demo']];
  static override usage = Command.Usage({
    description: 'Run a short coordinated session of four agents on a scratch repository',
    details:
      'Starts one planner and two implementer MCP servers as separate processes, races claims and leases, reviews; then an issue goes through Q&A, a scored review and acceptance by a reviewer process. Prints `git log` of the state ref.',
  });

  dir = Option.String('--dir', { description: 'Where to create the scratch repository (default: a new temp dir)' });

  async run(): Promise<number> {
    const r = await runDemo({ dir: this.dir === undefined ? undefined : this.here(this.dir), out: (line) => !this.json && this.context.stdout.write(`${line}\n`) });
    if (this.json) this.print(r, '');
    return 0;
  }
}
