// `lockstep init|enable|disable`: the coordination block in CLAUDE.md / AGENTS.md (and, for init, the state ref).
import path from 'node:path';
import { Command, Option } from 'clipanion';
import { ops } from '../../state/ops/index.js';
import { STATE_REF } from '../../store/store.js';
import { BLOCK_BEGIN, BLOCK_END, BLOCK_FILES, blockTarget, disableBlock, enableBlock } from '../../workspace/install.js';
import { BaseCommand } from '../base.js';
import { repoRoot } from './install.js';

const FILE_HELP = 'The file to edit (default: the first existing of CLAUDE.md, AGENTS.md at the repository root, else a new CLAUDE.md)';

abstract class BlockCommand extends BaseCommand {
  file = Option.String('--file', { description: FILE_HELP });

  root(): string {
    return repoRoot(this.repo ?? process.cwd());
  }

  /** Writes the block; the human line says what happened. */
  writeBlock(force: boolean, root = this.root()) {
    const r = enableBlock(blockTarget(root, this.file), force);
    const said: Record<string, string> = {
      created: `created ${r.file} with the coordination block`,
      appended: `added the coordination block to ${r.file}`,
      updated: `rewrote the coordination block in ${r.file}`,
      unchanged: `the coordination block in ${r.file} is already up to date`,
      present: `${r.file} already has a coordination block (an older text; --force rewrites it)`,
    };
    return { result: r, line: said[r.block]! };
  }
}

export class InitCommand extends BlockCommand {
  static override paths = [['init']];
  static override usage = Command.Usage({
    description: 'Enable Lockstep in this repository: the coordination block and the state ref',
    details: `Adds the block between ${BLOCK_BEGIN} and ${BLOCK_END} (see \`enable\`) and creates ${STATE_REF} with lockstep.yaml if it is missing. Running it again changes nothing; --force rewrites an outdated block in place. The rest of the file keeps its bytes.`,
    examples: [
      ['Enable coordination here', '$0 init'],
      ['Rewrite the block with this version\'s text', '$0 init --force'],
    ],
  });

  force = Option.Boolean('--force', false, { description: 'Rewrite an existing coordination block' });

  async run(): Promise<number> {
    const root = this.root();
    const state = await this.openApp().run(ops.stateInit, {}, this.cliIdentity());
    const block = this.writeBlock(this.force, root);
    const stateLine = state.created ? `created ${STATE_REF} (format ${state.format})` : `${STATE_REF} already exists (format ${state.format})`;
    this.print({ ...blockReport(block.result), state: { ref: STATE_REF, ...state } }, `${block.line}\n${stateLine}`);
    return 0;
  }
}

export class EnableCommand extends BlockCommand {
  static override paths = [['enable']];
  static override usage = Command.Usage({
    description: 'Add the coordination block to CLAUDE.md or AGENTS.md',
    details: `The block sits between ${BLOCK_BEGIN} and ${BLOCK_END}, after a blank line at the end of the file; it tells agents to call coordination_init with their role. Idempotent; \`disable\` removes it exactly.`,
  });

  async run(): Promise<number> {
    const block = this.writeBlock(false);
    this.print(blockReport(block.result), block.line);
    return 0;
  }
}

export class DisableCommand extends BlockCommand {
  static override paths = [['disable']];
  static override usage = Command.Usage({
    description: 'Remove the coordination block from CLAUDE.md and AGENTS.md',
    details: `Removes the block and the blank line \`enable\` put before it, so the file is as it was; a file that held only the block is deleted. Without --file both ${BLOCK_FILES.join(' and ')} at the repository root are cleaned. The state ref is kept.`,
  });

  async run(): Promise<number> {
    const files = this.file !== undefined ? [path.resolve(this.file)] : BLOCK_FILES.map((f) => path.join(this.root(), f));
    const results = files.map((f) => disableBlock(f));
    const removed = results.filter((r) => r.action === 'removed');
    const human = removed.length
      ? removed.map((r) => `removed the coordination block from ${r.file}${r.deletedFile ? ' (it held nothing else and was deleted)' : ''}`).join('\n')
      : `no coordination block found in ${files.join(', ')}`;
    this.print({ results }, human);
    return 0;
  }
}

function blockReport(r: ReturnType<typeof enableBlock>) {
  return { file: r.file, action: r.block, current: r.current };
}
