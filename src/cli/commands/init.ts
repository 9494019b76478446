// `lockstep init`: the coordination block in CLAUDE.md / AGENTS.md, and the state ref if missing.
import { Command, Option } from 'clipanion';
import { STATE_REF } from '../../app/lockstep.js';
import { BLOCK_BEGIN, BLOCK_END, initState, repoRoot, writeBlock } from '../../app/setup.js';
import { BaseCommand } from '../base.js';
import { blockLine, blockReport, FILE_HELP } from '../block.js';

export class InitCommand extends BaseCommand {
  static override paths = [['init']];
  static override usage = Command.Usage({
    description: 'Enable Lockstep in this repository: the coordination block and the state ref',
    details: `Adds the block between ${BLOCK_BEGIN} and ${BLOCK_END} (see \`enable\`) and creates ${STATE_REF} with lockstep.yaml if it is missing. Running it again changes nothing; --force rewrites an outdated block in place. The rest of the file keeps its bytes.`,
    examples: [
      ['Enable coordination here', '$0 init'],
      ["Rewrite the block with this version's text", '$0 init --force'],
    ],
  });

  file = Option.String('--file', { description: FILE_HELP });
  force = Option.Boolean('--force', false, { description: 'Rewrite an existing coordination block' });

  async run(): Promise<number> {
    const root = repoRoot(this.repoDir());
    const state = await initState(this.openApp(), this.cliIdentity());
    const block = writeBlock(root, this.file === undefined ? undefined : this.here(this.file), this.force);
    const stateLine = state.created ? `created ${STATE_REF} (format ${state.format})` : `${STATE_REF} already exists (format ${state.format})`;
    this.print({ ...blockReport(block), state: { ref: STATE_REF, ...state } }, `${blockLine(block)}\n${stateLine}`);
    return 0;
  }
}
