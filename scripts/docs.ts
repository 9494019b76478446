// `npm run docs`: write the README's error table from src/errors.ts (codes with the same text share
// a row). test/docs.test.ts fails when the README and the list differ.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERRORS } from '../src/errors.js';

export const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
const BEGIN = '<!-- errors:begin (npm run docs writes this table from src/errors.ts) -->';
const END = '<!-- errors:end -->';

/** The markdown table: | code | what it means | what to do |, one row per distinct text. */
export function errorTable(): string {
  const rows = new Map<string, string[]>();
  for (const [code, e] of Object.entries(ERRORS)) {
    const key = `${e.means}\u0000${e.fix}`;
    rows.set(key, [...(rows.get(key) ?? []), code]);
  }
  const lines = ['| code | what it means | what to do |', '|---|---|---|'];
  for (const [key, codes] of rows) {
    const [means, fix] = key.split('\u0000');
    lines.push(`| ${codes.map((c) => `\`${c}\``).join(', ')} | ${means} | ${fix} |`);
  }
  return lines.join('\n');
}

/** The README with the table between the markers replaced. */
export function withErrorTable(readme: string): string {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${BEGIN} ... ${END} section`);
  return `${readme.slice(0, a + BEGIN.length)}\n${errorTable()}\n${readme.slice(b)}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const before = fs.readFileSync(README, 'utf8');
  const after = withErrorTable(before);
  if (after !== before) fs.writeFileSync(README, after);
  console.log(after === before ? 'README.md error table is up to date' : 'README.md error table rewritten');
}
