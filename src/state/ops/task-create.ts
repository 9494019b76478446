// Op task.create: a new todo task with a fresh collision-checked id; an issue task also checks its
// issue (open, under its task limit) and may carry a spec doc written in the same commit.
import { z } from 'zod';
import { docContent, docField, docName, docPath, docPlace } from '../docs.js';
import { LockstepError } from '../../errors.js';
import { idSource, mintId } from '../core/ids.js';
import { field } from '../core/inputs.js';
import { checkStoredSize, METADATA_MAX_BYTES } from '../core/limits.js';
import { requireOpenIssue } from '../issues.js';
import { paths } from '../core/layout.js';
import { defineOp, type Change } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import { IssueId, Isolation, TaskId, type Task } from '../core/schema.js';
import type { State } from '../core/state.js';

const section = z.string().trim().min(1).max(20_000);

export const specInput = z.object({
  name: docField.plainName.optional().describe('Default spec'),
  goal: section,
  rules: section.optional(),
  constraints: section.optional(),
  conventions: section.optional(),
  acceptance: section,
  splitFrom: z.string().trim().min(1).max(500).optional(),
  splitReason: section.optional(),
  impactScope: section.optional(),
  contextTasks: z.array(TaskId).max(50).optional(),
});
export type SpecInput = z.output<typeof specInput>;

/** The spec doc's markdown: the title, then each section that has text. */
export function specMarkdown(title: string, spec: SpecInput): string {
  const parts = [`# Spec: ${title}`];
  const add = (heading: string, body: string | undefined) => {
    if (body) parts.push(`## ${heading}\n\n${body}`);
  };
  add('Goal', spec.goal);
  add('Rules', spec.rules);
  add('Constraints', spec.constraints);
  add('Conventions', spec.conventions);
  add('Acceptance criteria', spec.acceptance);
  if (spec.splitFrom || spec.splitReason) add('Split from', [spec.splitFrom, spec.splitReason && `Reason: ${spec.splitReason}`].filter(Boolean).join('\n\n'));
  add('Impact scope', spec.impactScope);
  if (spec.contextTasks?.length) add('Context tasks', spec.contextTasks.map((t) => `- ${t}`).join('\n'));
  return `${parts.join('\n\n')}\n`;
}

function requireTasks(state: State, ids: string[], what: string): void {
  for (const id of ids) {
    if (!state.task(id)) throw new LockstepError('TASK_NOT_FOUND', `${what} ${id} does not exist; task_list shows the ids`, { id });
  }
}

export const taskCreate = defineOp({
  name: 'task.create',
  input: z.object({
    title: field.title,
    description: field.description.optional().describe('What, where, and how to verify'),
    complexity: field.complexity.default('medium').describe('simple skips review'),
    tags: field.tags.optional(),
    metadata: field.metadata.optional(),
    dependsOn: z.array(TaskId).max(50).optional(),
    issue: IssueId.optional(),
    spec: specInput.optional().describe('Its spec doc'),
    suggestedFiles: z.array(z.string().trim().min(1).max(1_000)).max(100).optional(),
    labels: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
    points: z.number().int().min(0).max(1_000).optional(),
    isolation: Isolation.optional(),
  }),
  run(state, input, ctx) {
    checkStoredSize('metadata', input.metadata, METADATA_MAX_BYTES);
    const dependsOn = [...new Set(input.dependsOn ?? [])];
    requireTasks(state, dependsOn, 'dependency');
    if (input.issue !== undefined) {
      // Both checks run on the state this commit is built on (S14: no tasks on a closed issue; S15).
      const issue = requireOpenIssue(state, input.issue, ctx.now);
      const max = state.meta().settings.maxTasksPerIssue;
      const count = state.issueTasks(issue.id).length;
      if (max > 0 && count >= max) {
        throw new LockstepError('TASK_LIMIT_REACHED', `issue ${issue.id} already has ${count} tasks (the limit is ${max}); cancel or reuse a task, or raise settings.maxTasksPerIssue`, {
          issue: issue.id,
          count,
          max,
        });
      }
    }
    const spec = input.spec;
    const contextTasks = [...new Set(spec?.contextTasks ?? [])];
    requireTasks(state, contextTasks, 'context task');
    const specName = spec ? docName(spec.name ?? 'spec') : undefined;
    const specText = spec ? specMarkdown(input.title, { ...spec, contextTasks }) : undefined;
    if (specText !== undefined) docContent(specText, 'spec');

    const id = mintId(idSource(ctx.entropy), 'T', (candidate) => state.exists(paths.task(candidate)));
    const now = isoTime(ctx.now);
    const task: Task = {
      id,
      title: input.title,
      description: input.description,
      status: 'todo',
      complexity: input.complexity,
      isolation: input.isolation ?? 'shared',
      tags: input.tags ?? [],
      metadata: input.metadata,
      issue: input.issue,
      dependsOn,
      points: input.points,
      labels: [...new Set(input.labels ?? [])],
      suggestedFiles: [...new Set(input.suggestedFiles ?? [])],
      specDoc: specName,
      messages: [],
      reviews: [],
      createdAt: now,
      createdBy: ctx.actor,
      updatedAt: now,
    };
    const changes: Change[] = [{ path: paths.task(id), value: task }];
    if (specName !== undefined) changes.push({ path: docPath(docPlace({ scope: 'task', task: id }), specName), value: specText });
    return {
      changes,
      result: { task },
      event: { subject: id, entities: input.issue ? [id, input.issue] : [id], data: { title: input.title.slice(0, 120), issue: input.issue } },
    };
  },
});
