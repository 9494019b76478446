// `lockstep enable`: the coordination block in CLAUDE.md / AGENTS.md (nothing else).
import { Command, Option } from 'clipanion';
import { BLOCK_BEGIN, BLOCK_END, repoRoot, writeBlock } from '../../app/setup.js';
import { BaseCommand } from '../base.js';
import { blockLine, blockReport, FILE_HELP } from '../block.js';

export class EnableCommand extends BaseCommand {
  static override paths = [['enable']];
  static override usage = Command.Usage({
    description: 'Add the coordination block to CLAUDE.md or AGENTS.md',
    details: `The block sits between ${BLOCK_BEGIN} and ${BLOCK_END}, after a blank line at the end of the file; it tells agents to call coordination_init with their role. Idempotent; \`disable\` removes it exactly.`,
  });

  file = Option.String('--file', { description: FILE_HELP });

  async run(): Promise<number> {
    const block = writeBlock(repoRoot(this.repoDir()), this.file === undefined ? undefined : this.here(this.file), false);
    this.print(blockReport(block), blockLine(block));
    return 0;
  }
}
