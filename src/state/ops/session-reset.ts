// Op session.reset: start this repository's coordination over in one commit. History stays in git.
import { z } from 'zod';
import { LockstepError } from '../../errors.js';
import { META_PATH, paths } from '../core/layout.js';
import { defineOp, type Change } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import type { Agent, Discussion, Meta } from '../core/schema.js';
import { requirePlanner } from '../roles.js';

/** Work items that a reset removes; docs/shared (the team's library) survives. */
const CLEARED_DIRS = ['tasks', 'issues', 'leases', 'notes', 'deliveries', 'docs/issues', 'docs/tasks'];

export const sessionReset = defineOp({
  name: 'session.reset',
  input: z.object({
    confirm: z.boolean(),
    keepProjectContext: z.boolean().default(false),
  }),
  run(state, input, ctx) {
    requirePlanner(ctx, 'reset the session');
    if (input.confirm !== true) {
      throw new LockstepError('CONFIRM_REQUIRED', 'session_reset deletes every task, lease and note of this repository; call it again with confirm: true', {});
    }
    const now = isoTime(ctx.now);
    const changes: Change[] = [];
    const cleared: Record<string, number> = {};
    for (const dir of CLEARED_DIRS) {
      const files = state.filePaths(dir);
      cleared[dir] = files.length;
      for (const path of files) changes.push({ path, value: null });
    }
    let implementersStopped = 0;
    for (const a of state.agents().items) {
      if (a.role !== 'implementer' || a.status !== 'active') continue;
      implementersStopped++;
      changes.push({ path: paths.agent(a.name), value: { ...a, status: 'stopped' } satisfies Agent });
    }
    let discussionsArchived = 0;
    for (const d of state.discussions().items) {
      if (d.status !== 'open' && d.status !== 'waiting') continue;
      discussionsArchived++;
      changes.push({ path: paths.discussion(d.id), value: { ...d, status: 'archived', archivedAt: now, updatedAt: now } satisfies Discussion });
    }
    const meta = state.meta();
    const next: Meta = { ...meta, projectStatus: 'planning' };
    if (!input.keepProjectContext) delete next.project;
    if (JSON.stringify(next) !== JSON.stringify(meta)) changes.push({ path: META_PATH, value: next });
    const counts = {
      tasksCleared: cleared.tasks ?? 0,
      leasesCleared: cleared.leases ?? 0,
      notesCleared: cleared.notes ?? 0,
      issuesCleared: cleared.issues ?? 0,
      deliveriesCleared: cleared.deliveries ?? 0,
      implementersStopped,
      discussionsArchived,
    };
    return {
      changes,
      result: {
        ...counts,
        keptProjectContext: input.keepProjectContext && meta.project !== undefined,
        nextSteps: input.keepProjectContext
          ? ['Review the implementation plan (project_context_set)', 'Create tasks (task_create)', 'Set status ready (project_status_set)']
          : ['Gather the project context from the user', 'project_context_set', 'Create tasks (task_create)'],
      },
      event: { subject: input.keepProjectContext ? 'keeping the project context' : 'everything', entities: ['project'], data: counts },
    };
  },
});
