// Terminal output for the human commands: aligned tables, and colours only on a TTY without NO_COLOR.

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const wrap = (on: boolean, open: number, close: number) => (s: string) => (on && s ? `\u001b[${open}m${s}\u001b[${close}m` : s);

/** No colours at all. */
export const PLAIN: Style = styleFor({ isTTY: false } as unknown as NodeJS.WritableStream);

/** A colour style for `out`: plain text unless it is a TTY and NO_COLOR is unset (https://no-color.org). */
export function styleFor(out: NodeJS.WritableStream): Style {
  const on = (out as { isTTY?: boolean }).isTTY === true && !process.env.NO_COLOR;
  return { bold: wrap(on, 1, 22), dim: wrap(on, 2, 22), red: wrap(on, 31, 39), green: wrap(on, 32, 39), yellow: wrap(on, 33, 39), cyan: wrap(on, 36, 39) };
}

/** Visible width (colour codes take no room). */
function width(s: string): number {
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}

/**
 * Left-aligned columns, two spaces apart; the first row is the header (bold with colours).
 * `paint(row, col, text)` may colour a cell; alignment ignores the colour codes.
 */
export function table(rows: string[][], style: Style = PLAIN, paint?: (row: number, col: number, text: string) => string): string {
  if (rows.length === 0) return '';
  const cells = rows.map((r, ri) => r.map((c, ci) => (ri === 0 ? style.bold(c) : paint ? paint(ri, ci, c) : c)));
  const cols = Math.max(...cells.map((r) => r.length));
  const widths = Array.from({ length: cols }, (_, i) => Math.max(...cells.map((r) => width(r[i] ?? ''))));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c)))).join('  ')).join('\n') + '\n';
}

/** One line for a cell: newlines and tabs become spaces, long text is cut with an ellipsis. */
export function oneLine(text: string, max = 100): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** "2026-03-01T10:20:30.123Z" -> "2026-03-01 10:20:30". */
export function shortTime(iso: string): string {
  return iso.slice(0, 19).replace('T', ' ');
}
