// The docs library: doc names (validated, never a path escape: S5), where a doc lives, and who owns its folder.
import { z } from 'zod';
import { LockstepError } from '../errors.js';
import { paths } from './core/layout.js';
import { IssueId, TaskId } from './core/schema.js';
import type { State } from './core/state.js';

export const DOC_SCOPES = ['shared', 'issue', 'task'] as const;
export const DocScope = z.enum(DOC_SCOPES);
export type DocScope = z.infer<typeof DocScope>;

/** A doc is at most 1 MiB of UTF-8 (it is one blob in the state commit). */
export const MAX_DOC_BYTES = 1024 * 1024;
const MAX_NAME = 300;
const MAX_SEGMENT = 100;
const MAX_LEVELS = 8;
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const nameInput = z.string().min(1).max(MAX_NAME + 3);

export const docField = {
  scope: DocScope,
  /** Undescribed, for inputs holding several docs (every tools/list token counts). */
  plainName: nameInput,
  name: nameInput.describe('e.g. api/errors'),
  // Checked in bytes by docContent(); the string bound just stops absurd input early.
  content: z.string().max(MAX_DOC_BYTES).regex(/\S/, 'must not be blank'),
};

/** Why `name` (already without its trailing `.md`) is not a doc name, or undefined when it is one. */
function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > MAX_NAME) return `is longer than ${MAX_NAME} characters`;
  const segments = name.split('/');
  if (segments.length > MAX_LEVELS) return `has more than ${MAX_LEVELS} levels`;
  for (const s of segments) {
    if (s.length === 0) return 'has an empty segment (leading, trailing or double "/")';
    if (!SEGMENT.test(s)) return `has a bad segment "${s.slice(0, 100)}" (no "..", ".", "\\" or other characters)`;
    if (s.length > MAX_SEGMENT) return `has a segment longer than ${MAX_SEGMENT} characters`;
    if (s.endsWith('.md')) return `has a segment ending in .md ("${s.slice(0, 100)}"); drop the extra .md`;
  }
  return undefined;
}

/** Why `raw` is not a repository file path an issue may point agents at (relative, inside the work tree, outside .git), or undefined. */
function repoFileProblem(raw: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(raw)) return 'contains control characters';
  if (raw.includes('\\')) return 'contains "\\"; use "/"';
  if (raw.startsWith('/') || raw.startsWith('~') || /^[A-Za-z]:/.test(raw)) return 'is absolute; use a path relative to the repository root';
  const segments = raw.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return 'contains ".."; use a path inside the repository';
  if (segments.length === 0) return 'names the repository root; name a file or folder inside it';
  if (segments[0]!.toLowerCase() === '.git') return "is inside .git; point at the project's own files";
  return undefined;
}

/** The fields an issue lists for its agents to read: shared doc names and repository files, each checked. */
export const docRefField = {
  docName: z
    .string()
    .trim()
    .min(1)
    .max(MAX_NAME + 3)
    .superRefine((raw, ctx) => {
      const problem = nameProblem(raw.endsWith('.md') ? raw.slice(0, -3) : raw);
      if (problem) ctx.addIssue({ code: 'custom', message: `doc name ${problem}` });
    }),
  repoFile: z
    .string()
    .trim()
    .min(1)
    .max(1_000)
    .superRefine((raw, ctx) => {
      const problem = repoFileProblem(raw);
      if (problem) ctx.addIssue({ code: 'custom', message: `repository path ${problem}` });
    }),
};

/**
 * The canonical doc name: a trailing `.md` is dropped (`guide` and `guide.md` are one doc, S23).
 * Refuses anything that is not plain segments joined by `/`: `..`, `.`, empty segments, leading `/`,
 * backslashes (S5). No segment may end in `.md`, so a folder never collides with a doc file and a
 * listed name always reads back as the same doc.
 */
export function docName(raw: string): string {
  const name = raw.endsWith('.md') ? raw.slice(0, -3) : raw;
  const problem = nameProblem(name);
  if (problem) {
    throw new LockstepError('INVALID_INPUT', `doc name "${raw.slice(0, 120)}" ${problem}; use segments of letters, digits, ".", "_", "-" joined by "/" (e.g. api/errors)`, {
      name: raw.slice(0, 300),
    });
  }
  return name;
}

/** The content's size in UTF-8 bytes, refused over 1 MiB. */
export function docContent(content: string, what = 'content'): number {
  const bytes = new TextEncoder().encode(content).length;
  if (bytes > MAX_DOC_BYTES) {
    throw new LockstepError('INVALID_INPUT', `${what} is ${bytes} bytes; a doc holds at most ${MAX_DOC_BYTES} (1 MiB): split it into several docs`, { bytes, max: MAX_DOC_BYTES });
  }
  return bytes;
}

/** Where a scope's docs live: the folder and its owner id (an issue or task id, never a path). */
export interface DocPlace {
  scope: DocScope;
  owner?: string;
  folder: string;
}

/**
 * The folder for scope + owner, checking the combination: `issue` needs issue (only), `task` needs
 * task (only), `shared` takes neither. Owner ids must be ids, so they cannot escape the folder (S5).
 */
export function docPlace(input: { scope: DocScope; issue?: string; task?: string }): DocPlace {
  const { scope, issue, task } = input;
  const refuse = (why: string) => new LockstepError('INVALID_INPUT', `scope ${scope} ${why}`, { scope, issue, task });
  if (scope === 'shared') {
    if (issue !== undefined || task !== undefined) throw refuse('takes neither issue nor task');
    return { scope, folder: paths.docFolder('shared') };
  }
  if (scope === 'issue') {
    if (issue === undefined) throw refuse('needs issue (an issue id like I-7K2M)');
    if (task !== undefined) throw refuse('takes issue, not task (use scope task for task docs)');
    if (!IssueId.safeParse(issue).success) throw refuse(`needs an issue id like I-7K2M, not "${issue.slice(0, 60)}"`);
    return { scope, owner: issue, folder: paths.docFolder('issue', issue) };
  }
  if (task === undefined) throw refuse('needs task (a task id like T-7K2M)');
  if (issue !== undefined) throw refuse('takes task, not issue');
  if (!TaskId.safeParse(task).success) throw refuse(`needs a task id like T-7K2M, not "${task.slice(0, 60)}"`);
  return { scope, owner: task, folder: paths.docFolder('task', task) };
}

export function docPath(place: DocPlace, name: string): string {
  return `${place.folder}/${name}.md`;
}

/** The issue or task owning the folder must exist (shared always does). */
export function requireDocOwner(state: State, place: DocPlace): void {
  if (place.scope === 'issue' && !state.issue(place.owner!)) {
    throw new LockstepError('ISSUE_NOT_FOUND', `issue ${place.owner} does not exist; issue_list shows the ids`, { id: place.owner });
  }
  if (place.scope === 'task' && !state.task(place.owner!)) {
    throw new LockstepError('TASK_NOT_FOUND', `task ${place.owner} does not exist; task_list shows the ids`, { id: place.owner });
  }
}

/** Doc names in a folder, recursive (`a/b`), without `.md`, sorted; each reads back as is (S23). */
export function listDocNames(state: State, folder: string): string[] {
  const names: string[] = [];
  for (const p of state.filePaths(folder)) {
    if (!p.endsWith('.md')) continue;
    const name = p.slice(folder.length + 1, -3);
    // A hand-added file with an odd name is not a doc the tools can address.
    if (nameProblem(name) === undefined) names.push(name);
  }
  return names.sort();
}
