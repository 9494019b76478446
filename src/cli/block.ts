// What init and enable say about the coordination block they wrote.
import type { writeBlock } from '../app/setup.js';

export const FILE_HELP = 'The file to edit (default: the first existing of CLAUDE.md, AGENTS.md at the repository root, else a new CLAUDE.md)';

type Written = ReturnType<typeof writeBlock>;

export function blockLine(r: Written): string {
  const said: Record<string, string> = {
    created: `created ${r.file} with the coordination block`,
    appended: `added the coordination block to ${r.file}`,
    updated: `rewrote the coordination block in ${r.file}`,
    unchanged: `the coordination block in ${r.file} is already up to date`,
    present: `${r.file} already has a coordination block (an older text; --force rewrites it)`,
  };
  return said[r.block]!;
}

export function blockReport(r: Written) {
  return { file: r.file, action: r.block, current: r.current };
}
