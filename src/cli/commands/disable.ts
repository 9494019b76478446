// `lockstep disable`: remove the coordination block, leaving the file as it was before enable.
import { Command, Option } from 'clipanion';
import { BLOCK_FILES, removeBlock, repoRoot } from '../../app/setup.js';
import { BaseCommand } from '../base.js';
import { FILE_HELP } from '../block.js';

export class DisableCommand extends BaseCommand {
  static override paths = [['disable']];
  static override usage = Command.Usage({
    description: 'Remove the coordination block from CLAUDE.md and AGENTS.md',
    details: `Removes the block and the blank line \`enable\` put before it, so the file is as it was; a file that held only the block is deleted. Without --file both ${BLOCK_FILES.join(' and ')} at the repository root are cleaned. The state ref is kept.`,
  });

  file = Option.String('--file', { description: FILE_HELP });

  async run(): Promise<number> {
    const { files, results } = removeBlock(() => repoRoot(this.repoDir()), this.file === undefined ? undefined : this.here(this.file));
    const removed = results.filter((r) => r.action === 'removed');
    const human = removed.length
      ? removed.map((r) => `removed the coordination block from ${r.file}${r.deletedFile ? ' (it held nothing else and was deleted)' : ''}`).join('\n')
      : `no coordination block found in ${files.join(', ')}`;
    this.print({ results }, human);
    return 0;
  }
}
