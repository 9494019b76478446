// `lockstep note add`: a note every agent reads (note_append).
import { Command, Option } from 'clipanion';
import { useCases } from '../../../app/use-cases.js';
import { AS, BaseCommand } from '../../base.js';

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
  as = Option.String('--as', AS);

  async run(): Promise<number> {
    const { note } = await this.call(useCases.noteAppend, { text: this.text, task: this.task }, this.as);
    this.print({ note }, `Noted ${note.id}${note.task ? ` on ${note.task}` : ''}`);
    return 0;
  }
}
