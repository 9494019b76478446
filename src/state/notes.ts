// Building note files; several ops leave a note (system notes on status changes) in the same commit.
import { mintId } from './ids.js';
import { paths } from './layout.js';
import { isoTime, type Change, type Ctx } from './op.js';
import type { Note } from './schema.js';
import type { State } from './state.js';

export function noteChange(
  state: State,
  ctx: Ctx,
  rng: () => number,
  fields: { text: string; author: string; kind?: Note['kind']; task?: string; event?: string; payload?: Record<string, unknown> },
): { note: Note; change: Change } {
  const day = isoTime(ctx.now).slice(0, 10);
  const id = mintId(rng, 'N', (candidate) => state.exists(paths.note(day, candidate)), 8);
  const note: Note = { id, text: fields.text, author: fields.author, kind: fields.kind ?? 'note', task: fields.task, event: fields.event, payload: fields.payload, createdAt: isoTime(ctx.now) };
  return { note, change: { path: paths.note(day, id), value: note } };
}
