// Queries doc_list and doc_read: the docs of one folder (shared, an issue's, a task's) and one doc's text.
import { z } from 'zod';
import { docField, docName, docPath, docPlace, listDocNames, requireDocOwner } from '../docs.js';
import { LockstepError } from '../../errors.js';
import { field } from '../core/inputs.js';
import { IssueId, TaskId } from '../core/schema.js';
import type { State } from '../core/state.js';

export const docListInput = z.object({
  scope: docField.scope,
  issue: IssueId.optional(),
  task: TaskId.optional(),
});

export const docReadInput = docListInput.extend({ name: docField.name, offset: field.offset.optional() });

/** One doc_read page, in characters: twice in a reply (text and result) it stays under the reply limit. */
export const DOC_PAGE_CHARS = 128 * 1024;

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
  /** Characters from `offset`, at most DOC_PAGE_CHARS; `nextOffset` reads on when truncated. */
  content: string;
  offset: number;
  length: number;
  truncated: boolean;
  nextOffset?: number;
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
  const offset = Math.min(input.offset ?? 0, content.length);
  let end = Math.min(offset + DOC_PAGE_CHARS, content.length);
  // Never split a surrogate pair between two pages.
  if (end < content.length && end > offset && /[\ud800-\udbff]/.test(content[end - 1]!)) end--;
  const truncated = end < content.length;
  return { scope: place.scope, owner: place.owner, name, path, content: content.slice(offset, end), offset, length: content.length, truncated, nextOffset: truncated ? end : undefined };
}
