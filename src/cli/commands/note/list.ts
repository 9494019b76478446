// `lockstep note list`: the latest notes, oldest first (note_list).
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { BaseCommand } from '../../base.js';
import { oneLine, shortTime, styleFor, table } from '../../format.js';

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
    const r = await this.call(useCases.noteList, { task: this.task, kind: this.kind, author: this.author, limit: Number(this.limit) });
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
