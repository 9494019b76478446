// Op task.update: edit fields and make legal status moves (checkTransition in tasks.ts).
import { z } from 'zod';
import { LockstepError } from '../../errors.js';
import { field } from '../core/inputs.js';
import { checkStoredSize, METADATA_MAX_BYTES } from '../core/limits.js';
import { paths } from '../core/layout.js';
import { allCompleteChange, checkTransition, getTask } from '../tasks.js';
import { idSource } from '../core/ids.js';
import { defineOp, type Change } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import { AgentName, TaskId, type Task } from '../core/schema.js';
import type { State } from '../core/state.js';
import { isPlanner } from '../roles.js';

export const taskUpdate = defineOp({
  name: 'task.update',
  input: z.object({
    id: field.taskId,
    title: field.title.optional(),
    description: field.description.optional(),
    status: field.status.optional(),
    complexity: field.complexity.optional(),
    tags: field.tags.optional(),
    metadata: field.metadata.optional(),
    dependsOn: z.array(TaskId).max(50).optional(),
    owner: AgentName.optional(),
  }),
  run(state, input, ctx) {
    checkStoredSize('metadata', input.metadata, METADATA_MAX_BYTES);
    const task = getTask(state, input.id);
    const planner = isPlanner(ctx);
    if (!planner && task.owner !== ctx.actor) {
      throw new LockstepError('NOT_OWNER', `task ${task.id} is ${task.owner ? `owned by ${task.owner}` : 'not yours'}; claim it first or ask the planner`, {
        id: task.id,
        owner: task.owner,
      });
    }
    const next: Task = { ...task };
    if (input.title !== undefined) next.title = input.title;
    if (input.description !== undefined) next.description = input.description;
    if (input.complexity !== undefined) next.complexity = input.complexity;
    if (input.tags !== undefined) next.tags = input.tags;
    if (input.metadata !== undefined) next.metadata = input.metadata;
    if (input.dependsOn !== undefined) next.dependsOn = checkDependencies(state, task.id, input.dependsOn);
    if (input.owner !== undefined && input.owner !== task.owner) {
      if (!planner) throw new LockstepError('ROLE_FORBIDDEN', 'only a planner can reassign a task', { id: task.id });
      if (task.status === 'todo') throw new LockstepError('INVALID_TRANSITION', `task ${task.id} is todo; the new owner claims it with task_claim`, { id: task.id });
      next.owner = input.owner;
      next.claim = { by: input.owner, at: isoTime(ctx.now) };
    }
    if (input.status !== undefined && input.status !== task.status) {
      checkTransition(task, input.status, ctx);
      next.status = input.status;
      if (input.status === 'todo') {
        delete next.owner;
        delete next.claim;
      }
    }
    if (JSON.stringify(next) === JSON.stringify(task)) return { changes: [], result: { task, changed: false, allComplete: false } };
    next.updatedAt = isoTime(ctx.now);
    const moved = next.status !== task.status ? ` ${task.status} -> ${next.status}` : '';
    const changes: Change[] = [{ path: paths.task(task.id), value: next }];
    const complete = next.status !== task.status ? allCompleteChange(state, ctx, idSource(ctx.entropy), [next]) : undefined;
    if (complete) changes.push(complete);
    return {
      changes,
      result: { task: next, changed: true, allComplete: complete !== undefined },
      event: { subject: `${task.id}${moved}`, entities: [task.id], data: moved ? { status: next.status, allComplete: complete !== undefined || undefined } : undefined },
    };
  },
});

/** Every dependency must exist, and the graph must stay acyclic. */
function checkDependencies(state: State, id: string, deps: string[]): string[] {
  const unique = [...new Set(deps)];
  for (const dep of unique) {
    if (dep === id) throw new LockstepError('INVALID_INPUT', `task ${id} cannot depend on itself`, { id });
    if (!state.task(dep)) throw new LockstepError('TASK_NOT_FOUND', `dependency ${dep} does not exist`, { id: dep });
  }
  const seen = new Set<string>();
  const stack = [...unique];
  while (stack.length) {
    const cur = stack.pop()!;
    if (cur === id) throw new LockstepError('INVALID_INPUT', `dependsOn would make a cycle through ${id}`, { id });
    if (seen.has(cur)) continue;
    seen.add(cur);
    stack.push(...(state.task(cur)?.dependsOn ?? []));
  }
  return unique;
}
