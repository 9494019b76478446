// Op doc.write: one markdown doc in the docs library, written in one state commit (atomic: S21).
import { z } from 'zod';
import { docContent, docField, docName, docPath, docPlace, requireDocOwner } from '../docs.js';
import { LockstepError } from '../../errors.js';
import { defineOp } from '../core/op.js';
import { IssueId, TaskId } from '../core/schema.js';
import { isPlanner, requirePlanner } from '../roles.js';

export interface DocWriteResult {
  scope: string;
  owner?: string;
  name: string;
  path: string;
  bytes: number;
  /** False when the doc already had exactly this content (nothing was committed). */
  changed: boolean;
}

const input = z.object({
  scope: docField.scope,
  issue: IssueId.optional(),
  task: TaskId.optional(),
  name: docField.name,
  content: docField.content,
});

export const docWrite = defineOp<typeof input, DocWriteResult>({
  name: 'doc.write',
  input,
  run(state, input, ctx) {
    const place = docPlace(input);
    const name = docName(input.name);
    const bytes = docContent(input.content);
    requireDocOwner(state, place);
    // Shared and issue docs are the planner's; a task's docs also belong to the task's owner.
    if (place.scope !== 'task') requirePlanner(ctx, `write ${place.scope} docs`);
    else if (!isPlanner(ctx)) {
      const task = state.task(place.owner!)!;
      if (task.owner !== ctx.actor) {
        throw new LockstepError('NOT_OWNER', `task ${task.id} is ${task.owner ? `owned by ${task.owner}` : 'not claimed'}; only its owner or a planner writes its docs`, {
          id: task.id,
          owner: task.owner,
        });
      }
    }
    const path = docPath(place, name);
    const result: DocWriteResult = { scope: place.scope, owner: place.owner, name, path, bytes, changed: state.doc(path) !== input.content };
    if (!result.changed) return { changes: [], result };
    return {
      changes: [{ path, value: input.content }],
      result,
      event: { subject: `${place.owner ?? 'shared'}/${name}`, entities: place.owner ? [place.owner] : [], data: { scope: place.scope, name, bytes } },
    };
  },
});
