// Task tools: create, read, list, update, claim.
import { z } from 'zod';
import { DomainError } from '../../state/errors.js';
import { field } from '../../state/inputs.js';
import { openDependencies, taskClaim } from '../../state/ops/task-claim.js';
import { taskCreate } from '../../state/ops/task-create.js';
import { taskUpdate } from '../../state/ops/task-update.js';
import { taskList, taskListInput } from '../../state/queries/task-list.js';
import { defineTool, EVERY_ROLE, obj, out } from '../tool.js';

const taskOut = out({ task: obj });

export const taskCreateTool = defineTool({
  name: 'task_create',
  title: 'Create a task',
  description: 'Add a todo task for implementers. Returns its id (T-XXXX). dependsOn tasks must be done before it can be claimed.',
  input: taskCreate.input,
  output: taskOut,
  roles: ['planner'],
  annotations: {},
  async handler(args, ctx) {
    const { task } = await ctx.app.run(taskCreate, args, ctx.who);
    return { structured: { task }, text: `Created ${task.id} (${task.complexity}): ${task.title}` };
  },
});

export const taskGet = defineTool({
  name: 'task_get',
  title: 'Read a task',
  description: 'One task in full, with the dependencies still open. Errors: TASK_NOT_FOUND, STATE_CORRUPT (the task file is damaged).',
  input: z.object({ id: field.taskId }),
  output: out({ task: obj, waitingOn: z.array(z.string()) }),
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state) => {
      const task = state.task(args.id);
      if (!task) throw new DomainError('TASK_NOT_FOUND', `task ${args.id} does not exist; task_list shows the ids`, { id: args.id });
      return { task, waitingOn: openDependencies(state, task) };
    });
    const t = r.task;
    return { structured: r, text: `${t.id} [${t.status}${t.owner ? ` by ${t.owner}` : ''}] ${t.title}` };
  },
});

export const taskListTool = defineTool({
  name: 'task_list',
  title: 'List tasks',
  description: 'Tasks oldest first, filtered by status/owner/tag, paginated (limit, offset). Done and canceled tasks are hidden unless status or includeDone asks for them. corrupt lists damaged task files.',
  input: taskListInput,
  output: out({ tasks: z.array(obj), total: z.number(), hasMore: z.boolean() }),
  roles: EVERY_ROLE,
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state) => taskList(state, args));
    const lines = r.tasks.map((t) => `${t.id} [${t.status}${t.owner ? ` ${t.owner}` : ''}] ${t.title}`);
    const more = r.hasMore ? `\n... ${r.total - r.offset - r.tasks.length} more (offset ${r.offset + r.tasks.length})` : '';
    const corrupt = r.corrupt.length ? `\nCORRUPT: ${r.corrupt.map((c) => c.path).join(', ')}` : '';
    return { structured: { ...r }, text: `${r.total} task(s)${r.hint ? ` (${r.hint})` : ''}\n${lines.join('\n')}${more}${corrupt}` };
  },
});

export const taskUpdateTool = defineTool({
  name: 'task_update',
  title: 'Update a task',
  description:
    'Edit fields of a task you own (planners: any task) and make legal status moves: in_progress -> review | blocked | todo (give it back) | done (simple tasks). Errors: NOT_OWNER, INVALID_TRANSITION.',
  input: taskUpdate.input,
  output: out({ task: obj, changed: z.boolean() }),
  roles: ['planner', 'implementer'],
  annotations: { idempotentHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.run(taskUpdate, args, ctx.who);
    return { structured: r, text: r.changed ? `${r.task.id} updated [${r.task.status}]` : `${r.task.id} unchanged` };
  },
});

export const taskClaimTool = defineTool({
  name: 'task_claim',
  title: 'Claim a task',
  description: 'Take a todo task (its dependencies done) as yours; exactly one agent wins a race. Errors: TASK_NOT_CLAIMABLE (not todo, or waiting on dependencies), TASK_NOT_FOUND.',
  input: taskClaim.input,
  output: out({ task: obj, instruction: z.string() }),
  roles: ['implementer'],
  annotations: {},
  async handler(args, ctx) {
    const r = await ctx.app.run(taskClaim, args, ctx.who);
    return { structured: r, text: `Claimed ${r.task.id}: ${r.task.title}\n${r.instruction}` };
  },
});

export const taskTools = [taskCreateTool, taskGet, taskListTool, taskUpdateTool, taskClaimTool];
