// `lockstep task list|show|create|claim|approve|request-changes`: the task ops for a person at a terminal.
import { Command, Option } from 'clipanion';
import { DomainError } from '../../state/errors.js';
import { openDependencies, taskClaim } from '../../state/ops/task-claim.js';
import { taskApproveBatch } from '../../state/ops/task-approve-batch.js';
import { taskNext } from '../../state/ops/task-next.js';
import { taskRequestChanges } from '../../state/ops/task-request-changes.js';
import { taskCreate } from '../../state/ops/task-create.js';
import { taskList, taskListInput } from '../../state/queries/task-list.js';
import { parseInput } from '../../app.js';
import { BaseCommand, table } from '../base.js';

export class TaskListCommand extends BaseCommand {
  static override paths = [['task', 'list']];
  static override usage = Command.Usage({ description: 'List tasks (done ones hidden unless --all or --status done)' });

  status = Option.String('--status', { description: 'todo | in_progress | blocked | review | done | canceled' });
  owner = Option.String('--owner');
  tag = Option.String('--tag');
  all = Option.Boolean('--all', false, { description: 'Include done and canceled tasks' });
  limit = Option.String('--limit', '50');
  offset = Option.String('--offset', '0');

  async run(): Promise<number> {
    const input = parseInput(taskListInput, { status: this.status, owner: this.owner, tag: this.tag, includeDone: this.all, limit: Number(this.limit), offset: Number(this.offset) });
    const app = this.openApp();
    const r = await app.read((state) => taskList(state, input));
    const rows = [['ID', 'STATUS', 'OWNER', 'COMPLEXITY', 'TITLE'], ...r.tasks.map((t) => [t.id, t.status, t.owner ?? '-', t.complexity, t.title])];
    let human = r.tasks.length ? table(rows) : 'no tasks\n';
    if (r.hasMore) human += `... ${r.total - r.offset - r.tasks.length} more (--offset ${r.offset + r.tasks.length})\n`;
    if (r.hint) human += `${r.hint}\n`;
    for (const c of r.corrupt) human += `CORRUPT ${c.path}: ${c.reason}\n`;
    this.print(r, human);
    return 0;
  }
}

export class TaskShowCommand extends BaseCommand {
  static override paths = [['task', 'show']];
  static override usage = Command.Usage({ description: 'Show one task in full', examples: [['Show a task', '$0 task show T-7K2M']] });

  id = Option.String({ name: 'id' });

  async run(): Promise<number> {
    const app = this.openApp();
    const r = await app.read((state) => {
      const task = state.task(this.id);
      if (!task) throw new DomainError('TASK_NOT_FOUND', `task ${this.id} does not exist; \`lockstep task list\` shows the ids`, { id: this.id });
      return { task, waitingOn: openDependencies(state, task) };
    });
    const t = r.task;
    const rows = [
      ['id', t.id],
      ['title', t.title],
      ['status', t.status],
      ['complexity', t.complexity],
      ['owner', t.owner ?? '-'],
      ['tags', t.tags.join(', ') || '-'],
      ['depends on', t.dependsOn.length ? `${t.dependsOn.join(', ')}${r.waitingOn.length ? ` (waiting on ${r.waitingOn.join(', ')})` : ''}` : '-'],
      ['created', `${t.createdAt} by ${t.createdBy}`],
      ['updated', t.updatedAt],
    ];
    this.print(r, table(rows) + (t.description ? `\n${t.description}\n` : ''));
    return 0;
  }
}

export class TaskCreateCommand extends BaseCommand {
  static override paths = [['task', 'create']];
  static override usage = Command.Usage({
    description: 'Create a todo task',
    examples: [['A simple task', '$0 task create --title "Fix the README typo" --complexity simple']],
  });

  title = Option.String('--title', { required: true });
  description = Option.String('--description');
  complexity = Option.String('--complexity', { description: 'simple | medium (default) | complex | critical' });
  tags = Option.Array('--tag', { description: 'Repeat for several tags' });
  dependsOn = Option.Array('--depends-on', { description: 'A task that must be done first (repeatable)' });
  as = Option.String('--as', { description: 'Act as this agent name (default LOCKSTEP_AGENT or "human")' });

  async run(): Promise<number> {
    const app = this.openApp();
    const { task } = await app.run(
      taskCreate,
      { title: this.title, description: this.description, complexity: this.complexity, tags: this.tags, dependsOn: this.dependsOn },
      this.cliIdentity(this.as),
    );
    this.print({ task }, `Created ${task.id}: ${task.title}`);
    return 0;
  }
}

export class TaskClaimCommand extends BaseCommand {
  static override paths = [['task', 'claim']];
  static override usage = Command.Usage({
    description: 'Claim a todo task (or, without an id, the best ready one) as yours',
    examples: [
      ['Claim a task', '$0 task claim T-7K2M'],
      ['Claim whatever is ready next', '$0 task claim --as impl-1'],
    ],
  });

  id = Option.String({ name: 'id', required: false });
  as = Option.String('--as', { description: 'Act as this agent name (default LOCKSTEP_AGENT or "human")' });

  async run(): Promise<number> {
    const app = this.openApp();
    const who = this.cliIdentity(this.as);
    if (this.id === undefined) {
      const r = await app.run(taskNext, {}, who);
      this.print(r, r.task ? `Claimed ${r.task.id}: ${r.task.title}\n${r.instruction}` : r.hint!);
      return 0;
    }
    const r = await app.run(taskClaim, { id: this.id }, who);
    this.print(r, `Claimed ${r.task.id}: ${r.task.title}\n${r.instruction}`);
    return 0;
  }
}

export class TaskApproveCommand extends BaseCommand {
  static override paths = [['task', 'approve']];
  static override usage = Command.Usage({
    description: 'Approve tasks in review (they become done)',
    examples: [['Approve two tasks', '$0 task approve T-7K2M T-9QXA --feedback "Nice"']],
  });

  ids = Option.Rest({ required: 1 });
  feedback = Option.String('--feedback');
  as = Option.String('--as', { description: 'Act as this agent name (default LOCKSTEP_AGENT or "human")' });

  async run(): Promise<number> {
    const app = this.openApp();
    const r = await app.run(taskApproveBatch, { ids: this.ids, feedback: this.feedback }, this.cliIdentity(this.as));
    const lines = r.results.map((x) => (x.approved ? `approved ${x.id}: ${x.title}` : `FAILED ${x.id}: error[${x.error?.code}] ${x.error?.message}`));
    if (r.allComplete) lines.push('ALL TASKS COMPLETE');
    this.print(r, lines.join('\n'));
    return r.failed > 0 ? 1 : 0;
  }
}

export class TaskRequestChangesCommand extends BaseCommand {
  static override paths = [['task', 'request-changes']];
  static override usage = Command.Usage({
    description: 'Send a task in review back to its owner with feedback',
    examples: [['Ask for tests', '$0 task request-changes T-7K2M --feedback "Add a test for negatives"']],
  });

  id = Option.String({ name: 'id' });
  feedback = Option.String('--feedback', { required: true });
  as = Option.String('--as', { description: 'Act as this agent name (default LOCKSTEP_AGENT or "human")' });

  async run(): Promise<number> {
    const app = this.openApp();
    const r = await app.run(taskRequestChanges, { id: this.id, feedback: this.feedback }, this.cliIdentity(this.as));
    this.print(r, `${r.task.id} sent back to ${r.task.owner ?? 'its owner'} (in_progress)`);
    return 0;
  }
}
