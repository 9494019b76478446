// Building note files; several ops leave a note (system notes on status changes) in the same commit.
import { mintId } from './core/ids.js';
import { paths } from './core/layout.js';
import type { Change } from './core/op.js';
import { type Ctx, isoTime } from './core/ctx.js';
import type { Note } from './core/schema.js';
import type { State } from './core/state.js';

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
