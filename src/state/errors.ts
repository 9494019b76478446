// DomainError: the one error type ops and queries throw; its code is stable and machine-readable.

export type ErrorCode =
  | 'INVALID_INPUT'
  | 'STATE_CORRUPT'
  | 'FORMAT_TOO_NEW'
  | 'IDENTITY_REQUIRED'
  | 'IDENTITY_MISMATCH'
  | 'ROLE_FORBIDDEN'
  | 'TASK_NOT_FOUND'
  | 'TASK_NOT_CLAIMABLE'
  | 'INVALID_TRANSITION'
  | 'NOT_OWNER'
  | 'LOCK_HELD'
  | 'LOCK_NOT_FOUND'
  | 'ID_SPACE_EXHAUSTED'
  | 'PATH_OUTSIDE_ROOTS'
  | 'PATH_PROTECTED'
  | 'FILE_NOT_FOUND'
  | 'FILE_ACCESS_DENIED'
  | 'COMMAND_NOT_ALLOWED'
  | 'COMMAND_FAILED_TO_START'
  | 'DISCUSSION_NOT_FOUND'
  | 'DISCUSSION_CLOSED'
  | 'CURSOR_UNKNOWN'
  | 'CONFIRM_REQUIRED'
  | 'ISSUE_NOT_FOUND'
  | 'ISSUE_CLOSED'
  | 'ISSUE_NOT_COMPLETE'
  | 'TASK_LIMIT_REACHED'
  | 'TASK_RESERVED'
  | 'LEASE_EXPIRED'
  | 'DOC_NOT_FOUND'
  | 'MESSAGE_NOT_FOUND'
  | 'MESSAGE_ALREADY_REPLIED'
  | 'DELIVERY_NOT_FOUND'
  | 'DELIVERY_INCOMPLETE'
  | 'DELIVERY_REQUIRED'
  | 'EVIDENCE_INVALID'
  | 'ROLE_CODE_REQUIRED'
  | 'ROLE_CODE_INVALID'
  | 'HOOK_CONFLICT'
  | 'WORKTREE_DIRTY'
  | 'MERGE_CONFLICT'
  | 'MERGE_NEEDS_REBASE'
  | 'NOTHING_TO_MERGE'
  | 'BRANCH_NOT_FOUND'
  | 'BRANCH_CHECKED_OUT'
  | 'CONFIG_INVALID'
  | 'LAUNCH_UNSUPPORTED'
  | 'LAUNCH_FAILED';

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, data?: Record<string, unknown>) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.data = data;
  }
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}
