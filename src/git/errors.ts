// GitError: failures of the git plumbing, with stable codes (the adapters map them like DomainError).

export type GitErrorCode =
  | 'NOT_A_GIT_REPO'
  | 'REFTABLE_UNSUPPORTED'
  | 'SHA256_UNSUPPORTED'
  | 'OBJECT_MISSING'
  | 'OBJECT_CORRUPT'
  | 'REF_INVALID'
  | 'STATE_LOCK_TIMEOUT'
  | 'STATE_LOCK_LOST'
  | 'GIT_IO'
  | 'REF_CHANGED'
  | 'NAME_INVALID'
  | 'BRANCH_CHECKED_OUT'
  | 'WORKTREE_EXISTS'
  | 'WORKTREE_NOT_FOUND';

export class GitError extends Error {
  readonly code: GitErrorCode;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: GitErrorCode, message: string, data?: Record<string, unknown>) {
    super(message);
    this.name = 'GitError';
    this.code = code;
    this.data = data;
  }
}
