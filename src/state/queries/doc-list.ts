// Queries doc_list and doc_read: the docs of one folder (shared, an issue's, a task's) and one doc's text.
import { z } from 'zod';
import { docField, docName, docPath, docPlace, listDocNames, requireDocOwner } from '../docs.js';
import { LockstepError } from '../../errors.js';
import { IssueId, TaskId } from '../core/schema.js';
import type { State } from '../core/state.js';

export const docListInput = z.object({
  scope: docField.scope,
  issue: IssueId.optional(),
  task: TaskId.optional(),
});

export const docReadInput = docListInput.extend({ name: docField.name });

export interface DocListResult {
  scope: string;
  owner?: string;
  folder: string;
  /** Without `.md`; sub-folders as `a/b`. Each reads back with doc_read as is. */
  names: string[];
}

export function docList(state: State, input: z.output<typeof docListInput>): DocListResult {
  const place = docPlace(input);
  const names = listDocNames(state, place.folder);
  // An empty listing for a mistyped id would mislead: say the id is unknown.
  if (names.length === 0) requireDocOwner(state, place);
  return { scope: place.scope, owner: place.owner, folder: place.folder, names };
}

export interface DocReadResult {
  scope: string;
  owner?: string;
  name: string;
  path: string;
  content: string;
}

export function docRead(state: State, input: z.output<typeof docReadInput>): DocReadResult {
  const place = docPlace(input);
  const name = docName(input.name);
  const path = docPath(place, name);
  const content = state.doc(path);
  if (content === undefined) {
    requireDocOwner(state, place);
    const where = place.owner ? `${place.scope} ${place.owner}` : 'shared docs';
    throw new LockstepError('DOC_NOT_FOUND', `no doc "${name}" in ${where} (${place.folder}); doc_list shows the names there`, {
      scope: place.scope,
      owner: place.owner,
      name,
      folder: place.folder,
    });
  }
  return { scope: place.scope, owner: place.owner, name, path, content };
}
