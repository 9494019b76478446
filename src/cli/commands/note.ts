// `lockstep note list|add`: the shared notes (note_list / note_append) for a person at a terminal.
import { Command, Option } from 'clipanion';
import { parseInput } from '../../app.js';
import { noteAppend } from '../../state/ops/note-append.js';
import { noteList, noteListInput } from '../../state/queries/note-list.js';
import { BaseCommand } from '../base.js';
import { oneLine, shortTime, styleFor, table } from '../format.js';

export class NoteListCommand extends BaseCommand {
  static override paths = [['note', 'list']];
  static override usage = Command.Usage({
    description: 'List the latest notes, oldest first',
    details: 'System notes (ALL TASKS COMPLETE, force releases, ...) are included; `--kind log` shows log_append entries instead.',
    examples: [
      ['The last 20 notes', '$0 note list --limit 20'],
      ['Notes about one task', '$0 note list --task T-7K2M'],
    ],
  });

  task = Option.String('--task', { description: 'Only notes about this task' });
  kind = Option.String('--kind', { description: 'note | system | log (default: notes and system notes)' });
  author = Option.String('--author', { description: 'Only notes by this agent' });
  limit = Option.String('--limit', '50', { description: 'How many of the newest (default 50)' });

  async run(): Promise<number> {
    const input = parseInput(noteListInput, { task: this.task, kind: this.kind, author: this.author, limit: Number(this.limit) });
    const r = await this.openApp().read((state) => noteList(state, input));
    const style = styleFor(this.context.stdout);
    const rows = [
      ['ID', 'TIME', 'AUTHOR', 'KIND', 'TASK', 'TEXT'],
      ...r.notes.map((n) => [n.id, shortTime(n.createdAt), n.author, n.kind, n.task ?? '-', oneLine(n.event ? `${n.event} ${JSON.stringify(n.payload ?? {})}` : n.text)]),
    ];
    let human = r.notes.length ? table(rows, style, (_, col, text) => (col === 3 && text === 'system' ? style.yellow(text) : text)) : 'no notes\n';
    if (r.total > r.notes.length) human += style.dim(`(${r.notes.length} newest of ${r.total}; --limit N for more)`) + '\n';
    for (const c of r.corrupt) human += `${style.red('CORRUPT')} ${c.path}: ${c.reason}\n`;
    this.print(r, human);
    return 0;
  }
}

export class NoteAddCommand extends BaseCommand {
  static override paths = [['note', 'add']];
  static override usage = Command.Usage({
    description: 'Leave a note every agent reads, optionally about a task',
    examples: [
      ['A note for everyone', '$0 note add "main is frozen until 5pm"'],
      ['A note about a task', '$0 note add "use the v2 API" --task T-7K2M --as alice'],
    ],
  });

  text = Option.String({ name: 'text' });
  task = Option.String('--task', { description: 'The task the note is about' });
  as = Option.String('--as', { description: 'Act as this agent name (default LOCKSTEP_AGENT or "human")' });

  async run(): Promise<number> {
    const { note } = await this.openApp().run(noteAppend, { text: this.text, task: this.task }, this.cliIdentity(this.as));
    this.print({ note }, `Noted ${note.id}${note.task ? ` on ${note.task}` : ''}`);
    return 0;
  }
}
