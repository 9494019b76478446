// Op discussion.cleanup: archive old resolved threads and delete old archived ones, in one commit.
// Ages are measured from ctx.now; deleted files stay readable in the history of refs/lockstep/state.
import { z } from 'zod';
import { LockstepError } from '../../errors.js';
import { paths } from '../core/layout.js';
import { defineOp, type Change } from '../core/op.js';
import { isoTime } from '../core/ctx.js';
import type { Discussion } from '../core/schema.js';
import { requirePlanner } from '../roles.js';

const DAY_MS = 86_400_000;
const days = z.number().int().min(0).max(36_500);

export const discussionCleanup = defineOp({
  name: 'discussion.cleanup',
  input: z.object({
    archiveOlderThanDays: days.default(7),
    deleteOlderThanDays: days.default(30),
  }),
  run(state, input, ctx) {
    requirePlanner(ctx, 'clean up discussions; archive your own with discussion_archive');
    if (input.deleteOlderThanDays < input.archiveOlderThanDays) {
      throw new LockstepError('INVALID_INPUT', `deleteOlderThanDays (${input.deleteOlderThanDays}) must be at least archiveOlderThanDays (${input.archiveOlderThanDays})`, {
        archiveOlderThanDays: input.archiveOlderThanDays,
        deleteOlderThanDays: input.deleteOlderThanDays,
      });
    }
    const archiveBefore = ctx.now - input.archiveOlderThanDays * DAY_MS;
    const deleteBefore = ctx.now - input.deleteOlderThanDays * DAY_MS;
    const now = isoTime(ctx.now);
    const changes: Change[] = [];
    const archived: string[] = [];
    const deleted: string[] = [];
    // Corrupt files are not in items: cleanup never touches a file it cannot read.
    for (const d of state.discussions().items) {
      if (d.status === 'resolved' && d.resolvedAt !== undefined && Date.parse(d.resolvedAt) < archiveBefore) {
        const next: Discussion = { ...d, status: 'archived', waitingOn: undefined, archivedAt: now, updatedAt: now };
        changes.push({ path: paths.discussion(d.id), value: next });
        archived.push(d.id);
      } else if (d.status === 'archived' && d.archivedAt !== undefined && Date.parse(d.archivedAt) < deleteBefore) {
        changes.push({ path: paths.discussion(d.id), value: null });
        deleted.push(d.id);
      }
    }
    const result = { archived: archived.length, deleted: deleted.length, archivedIds: archived, deletedIds: deleted };
    if (changes.length === 0) return { changes, result };
    return {
      changes,
      result,
      event: { subject: `archived ${archived.length}, deleted ${deleted.length}`, entities: [...archived, ...deleted], data: { archived: archived.length, deleted: deleted.length } },
    };
  },
});
