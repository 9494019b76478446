// Op task.approval_tree: right after an approval, the tree of the owner's branch that was approved
// (the app reads it from git). worktree_merge refuses to merge another tree for the task.
import { z } from 'zod';
import { LockstepError } from '../../errors.js';
import { isoTime } from '../core/ctx.js';
import { field } from '../core/inputs.js';
import { paths } from '../core/layout.js';
import { defineOp } from '../core/op.js';
import { requirePlanner } from '../roles.js';
import { getTask } from '../tasks.js';

const oid = z.string().regex(/^[0-9a-f]{40}$/);

export const taskApprovalTree = defineOp({
  name: 'task.approval_tree',
  input: z.object({ id: field.taskId, branch: z.string().min(1).max(255), commit: oid, tree: oid }),
  run(state, input, ctx) {
    requirePlanner(ctx, 'record what was approved');
    const task = getTask(state, input.id);
    if (task.status !== 'done') throw new LockstepError('INVALID_TRANSITION', `task ${task.id} is ${task.status}; only an approved task records its approved tree`, { id: task.id, status: task.status });
    const approvedTree = { branch: input.branch, commit: input.commit, tree: input.tree, at: isoTime(ctx.now) };
    const next = { ...task, approvedTree };
    return { changes: [{ path: paths.task(task.id), value: next }], result: { task: next }, event: { subject: `${task.id} ${input.branch} tree ${input.tree.slice(0, 7)}`, entities: [task.id], data: { tree: input.tree, commit: input.commit } } };
  },
});
