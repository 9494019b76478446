// Op worktree.merge_record: after worktree_merge moved the target branch, record it in one commit:
// the task (if given) done with `merged`, a [MERGED] system note, and the agent's leases on the
// merged paths released (what was merged is no longer being edited).
import { z } from 'zod';
import { allCompleteChange, getTask, mergeRecordRefusal } from '../tasks.js';
import { patternsOverlap } from '../globs.js';
import { idSource } from '../core/ids.js';
import { field } from '../core/inputs.js';
import { paths } from '../core/layout.js';
import { noteChange } from '../notes.js';
import { defineOp, type Change } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import { AgentName, type Task } from '../core/schema.js';
import { requirePlanner } from '../roles.js';

const input = z.object({
  agent: AgentName,
  branch: z.string().min(1).max(255),
  into: z.string().min(1).max(255),
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  fastForward: z.boolean().default(false),
  /** Paths the agent's branch changed (merge base -> branch tip). */
  changedFiles: z.array(z.string().min(1).max(4096)).max(20_000).default([]),
  task: field.taskId.optional(),
  /** The agent branch's tip that was merged: kept on the agent, so the same tip is never recorded twice. */
  branchTip: z.string().regex(/^[0-9a-f]{40}$/).optional(),
});

export const worktreeMergeRecord = defineOp({
  name: 'worktree.merge_record',
  input,
  run(state, input, ctx) {
    requirePlanner(ctx, 'merge worktrees');
    mergeRecordRefusal(state, input.task);
    const rng = idSource(ctx.entropy);
    const changes: Change[] = [];
    const entities: string[] = [input.agent];
    const now = isoTime(ctx.now);
    let task: Task | undefined;
    if (input.task) {
      const before = getTask(state, input.task);
      task = { ...before, status: 'done', merged: { commit: input.commit, branch: input.branch, into: input.into, by: ctx.actor, at: now }, updatedAt: now };
      changes.push({ path: paths.task(task.id), value: task });
      entities.push(task.id);
    }
    const text = `[MERGED] ${input.branch} into ${input.into} at ${input.commit.slice(0, 7)}${task ? ` (task ${task.id})` : ''}`;
    const { note, change } = noteChange(state, ctx, rng, { text, author: ctx.actor, kind: 'system', task: task?.id });
    changes.push(change);
    if (task) {
      const complete = allCompleteChange(state, ctx, rng, [task]);
      if (complete) changes.push(complete);
    }
    const agent = input.branchTip ? state.agent(input.agent) : undefined;
    if (agent && input.branchTip) changes.push({ path: paths.agent(agent.name), value: { ...agent, mergedTip: input.branchTip } });
    // Release the agent's leased patterns that cover merged paths; a lease left empty is deleted.
    const released: string[] = [];
    for (const lease of state.leases().items) {
      if (lease.owner !== input.agent) continue;
      const gone = lease.paths.filter((p) => input.changedFiles.some((f) => patternsOverlap(p, f)));
      if (gone.length === 0) continue;
      released.push(...gone);
      const rest = lease.paths.filter((p) => !gone.includes(p));
      changes.push({ path: paths.lease(lease.id), value: rest.length ? { ...lease, paths: rest } : null });
      entities.push(lease.id);
    }
    return {
      changes,
      result: { task, note, released },
      event: {
        subject: `${input.branch} -> ${input.into}`,
        entities,
        data: { commit: input.commit, fastForward: input.fastForward || undefined, task: task?.id, released: released.length ? released.slice(0, 20) : undefined },
      },
    };
  },
});
