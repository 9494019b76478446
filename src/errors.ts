// The one error of every layer: a stable UPPER_SNAKE code, a message that says what to do next, and
// data for programs. Every code is listed here with what it means and what to do about it.

/**
 * Every code: what it means and what to do. The README's error table is made from this list
 * (`npm run docs`), and a test keeps the two equal. Codes with the same text share a row.
 */
export const ERRORS = {
  INVALID_INPUT: { means: 'an argument is missing, of the wrong type, too large, or unknown; `data.issues` names each bad field', fix: 'fix the named field; nothing was changed' },
  INPUT_TOO_LARGE: { means: 'a stored field (task `metadata`, a log `payload`, ...) is over its size limit; `data` names the field, its size and the limit', fix: 'keep big data in a doc or an artifact and store its name; nothing was changed' },
  REPLY_TOO_LARGE: { means: 'the reply would be over the 1 MiB reply limit (MCP clients drop the session beyond 10 MiB)', fix: 'ask for less: a smaller `maxBytes` / `maxOutputBytes` / `limit`, page on with `offset`, or `encoding: base64` for binary files' },
  USAGE: { means: 'the command line does not parse: a missing option or argument, an unknown option or command', fix: 'the message says what is missing and shows the usage; `lockstep <command> --help` has the details' },
  INTERNAL: { means: 'something Lockstep did not expect', fix: 'a Lockstep bug: the stack is on the server\'s stderr; please report it' },
  NOT_A_GIT_REPO: { means: 'the directory is not inside a git repository (a server started elsewhere found none among the client\'s workspace roots either)', fix: 'start in a repository (or pass `--repo`), open one in the client, or call `coordination_init` with `repo`; `git init` first' },
  REFTABLE_UNSUPPORTED: { means: 'the repository uses a ref or object format Lockstep does not write', fix: 'use a files-backend SHA-1 repository' },
  SHA256_UNSUPPORTED: { means: 'the repository uses a ref or object format Lockstep does not write', fix: 'use a files-backend SHA-1 repository' },
  OBJECT_MISSING: { means: 'a git object the state needs is missing or damaged', fix: 'run `git fsck`; restore the object from a clone' },
  OBJECT_CORRUPT: { means: 'a git object the state needs is missing or damaged', fix: 'run `git fsck`; restore the object from a clone' },
  REF_INVALID: { means: 'a ref does not hold a commit id (or is a directory)', fix: 'inspect it with `git show-ref`; restore it from `git reflog` or a clone' },
  STATE_LOCK_TIMEOUT: {
    means: '`refs/lockstep/state.lock` stayed for seconds: a writer is stuck or died',
    fix: 'a lock of a dead process, or older than 5 s, is removed by the next write (a `Lockstep-Recovered-Lock` trailer records it); `lockstep doctor` shows the holder; delete the file only if no Lockstep process runs',
  },
  STATE_LOCK_INVALID: {
    means: 'a ref\'s `.lock` (e.g. `refs/lockstep/state.lock`) is a directory or a symlink, not a lock file: no writer made it and none can take the lock',
    fix: 'remove the path the message names (`rm -r`), then call again; `lockstep doctor` shows it',
  },
  STATE_LOCK_LOST: { means: 'another process judged this writer\'s lock stale and removed it; nothing was written', fix: 'call again' },
  STATE_CORRUPT: { means: 'a state file no longer parses (usually a hand edit); only that entity is affected', fix: '`lockstep doctor` names the file; fix it or restore it from git (see Auditing)' },
  FORMAT_TOO_NEW: { means: 'the state was written by a newer Lockstep', fix: 'upgrade this checkout (`git pull && npm install`)' },
  GIT_IO: { means: 'a git operation failed (the message names it)', fix: 'check the repository with `git status` and `git fsck`, then call again' },
  GIT_CLI_REQUIRED: {
    means: 'this needs the git CLI, which is not on PATH: without it Lockstep reaches only http(s) remotes (through isomorphic-git), and cannot run `lockstep sync --setup`; a file-path, ssh or git:// remote, or a config change, needs git',
    fix: 'install git (or put it on the server\'s PATH); or use an https URL for the remote (`git remote set-url`), with any token in the URL, since there are no credential helpers without git',
  },
  REMOTE_UNREACHABLE: {
    means: 'referee mode: the git remote did not answer a push or fetch of `refs/lockstep/state` within the bound (`--remote-timeout-sec`, 10 s), or refused the connection; the op was taken back (`data.withdrawn`), so nothing was done',
    fix: 'check the remote with `git fetch <remote>`, then call again; `lockstep sync` publishes anything left committed here',
  },
  REMOTE_DIVERGED: {
    means: 'the remote\'s `refs/lockstep/state` was force-pushed or deleted: it no longer descends from what this machine last published; writes stop until someone decides',
    fix: '`lockstep sync --adopt-remote` (take the remote\'s state, re-run this machine\'s unpublished ops on it) or `lockstep sync --republish` (put this machine\'s state back); both keep what they replace under `refs/lockstep-backup/`',
  },
  REMOTE_REJECTED: { means: 'the remote refused the push of `refs/lockstep/state` for a reason other than a newer tip (a hook, permissions, a protected ref)', fix: 'push by hand to see why (`git push <remote> refs/lockstep/state`); allow `refs/lockstep/*` on the host' },
  REPLAY_UNSUPPORTED: {
    means: 'an unpublished state commit records no op input to re-run on the remote\'s tip (it was made with plain git, or by an older Lockstep)',
    fix: '`lockstep sync --republish` (keep it, put this state on the remote) or `lockstep sync --adopt-remote` (take the remote\'s; the commit stays under `refs/lockstep-backup/`)',
  },
  REF_CHANGED: { means: 'a branch moved while Lockstep was updating it', fix: 'call again' },
  NAME_INVALID: { means: 'a worktree or branch name git cannot take', fix: 'use letters, digits, `.`, `_` and `-`' },
  IDENTITY_REQUIRED: { means: 'a tool was called before `coordination_init`', fix: 'call `coordination_init({role})` first (or start the server with `--role`/`--agent`)' },
  AGENT_NAME_IN_USE: { means: 'another live process on this host is that agent (its recorded server or launched agent is running)', fix: 'pick another name, or omit name for a free one; stop the other process first if it is yours' },
  IDENTITY_MISMATCH: { means: 'naming another agent as owner/author, or calling another role\'s tool', fix: 'act as yourself; use a server of the right role' },
  DASHBOARD_FORBIDDEN: { means: 'the dashboard refused the request: no or a wrong token, a `Host` or `Origin` that is not its own, or a write that is not a JSON POST', fix: 'open the URL `lockstep dashboard` printed, with its token; scripts send `X-Lockstep-Token` and the dashboard\'s own `Origin`' },
  DASHBOARD_UNAVAILABLE: { means: 'the dashboard could not start: the port is taken, or a non-loopback `--host` was given without `--token`', fix: 'pick another `--port` (0 picks a free one), or pass `--token` with `--host`' },
  ROLE_FORBIDDEN: { means: 'naming another agent as owner/author, or calling another role\'s tool', fix: 'act as yourself; use a server of the right role' },
  ROLE_CODE_REQUIRED: { means: '`LOCKSTEP_ROLE_CODE_<ROLE>` is set for this server, and the call lacks `role_code` or has another value', fix: 'pass the role\'s code in `role_code`; codes are compared per role' },
  ROLE_CODE_INVALID: { means: '`LOCKSTEP_ROLE_CODE_<ROLE>` is set for this server, and the call lacks `role_code` or has another value', fix: 'pass the role\'s code in `role_code`; codes are compared per role' },
  TASK_NOT_FOUND: { means: 'no task, issue, doc, discussion, delivery, message or lease has that id or name', fix: 'the list tools (`task_list`, `issue_list`, `doc_list`, ...) and commands (`lockstep task list`, ...) show them' },
  ISSUE_NOT_FOUND: { means: 'no task, issue, doc, discussion, delivery, message or lease has that id or name', fix: 'the list tools (`task_list`, `issue_list`, `doc_list`, ...) and commands (`lockstep task list`, ...) show them' },
  DOC_NOT_FOUND: { means: 'no task, issue, doc, discussion, delivery, message or lease has that id or name', fix: 'the list tools (`task_list`, `issue_list`, `doc_list`, ...) and commands (`lockstep task list`, ...) show them' },
  DISCUSSION_NOT_FOUND: { means: 'no task, issue, doc, discussion, delivery, message or lease has that id or name', fix: 'the list tools (`task_list`, `issue_list`, `doc_list`, ...) and commands (`lockstep task list`, ...) show them' },
  DELIVERY_NOT_FOUND: { means: 'no task, issue, doc, discussion, delivery, message or lease has that id or name', fix: 'the list tools (`task_list`, `issue_list`, `doc_list`, ...) and commands (`lockstep task list`, ...) show them' },
  MESSAGE_NOT_FOUND: { means: 'no task, issue, doc, discussion, delivery, message or lease has that id or name', fix: 'the list tools (`task_list`, `issue_list`, `doc_list`, ...) and commands (`lockstep task list`, ...) show them' },
  LOCK_NOT_FOUND: { means: 'no task, issue, doc, discussion, delivery, message or lease has that id or name', fix: 'the list tools (`task_list`, `issue_list`, `doc_list`, ...) and commands (`lockstep task list`, ...) show them' },
  AGENT_NOT_FOUND: { means: 'no agent is registered with that name', fix: '`implementer_list`, `lockstep status` or the dashboard\'s agents view shows who is registered' },
  TASK_NOT_CLAIMABLE: { means: 'the task is taken, waits on dependencies, is reserved for another worker, or your claim ran out and someone took over', fix: '`task_next` finds claimable work; `task_extend_lease` keeps a long claim' },
  TASK_RESERVED: { means: 'the task is taken, waits on dependencies, is reserved for another worker, or your claim ran out and someone took over', fix: '`task_next` finds claimable work; `task_extend_lease` keeps a long claim' },
  LEASE_EXPIRED: { means: 'the task is taken, waits on dependencies, is reserved for another worker, or your claim ran out and someone took over', fix: '`task_next` finds claimable work; `task_extend_lease` keeps a long claim' },
  INVALID_TRANSITION: { means: 'the task (or issue, delivery) cannot make that move from its status', fix: 'the message names the moves that are allowed and the tool that makes them' },
  NOT_OWNER: { means: 'the task, lease or delivery is someone else\'s', fix: 'work on your own, or ask a planner' },
  LOCK_HELD: {
    means: 'another agent holds a live exclusive lease on a path you asked for (the error names holder, lease, task and expiry); nothing was leased',
    fix: 'work on something else, or pass `waitSec` to wait for it; a planner can `lock_force_release` a dead agent\'s lease (`lockstep lock release --lease L-... --force --reason ...`)',
  },
  ID_SPACE_EXHAUSTED: { means: 'no free id could be minted (ids are random and grow, so this should not happen)', fix: 'a Lockstep bug; please report it' },
  PATH_OUTSIDE_ROOTS: { means: 'the path is outside the server\'s `--roots` (checked on real paths, so symlinks count)', fix: 'use a path inside the roots, or start the server with wider `--roots`' },
  PATH_PROTECTED: { means: 'the path is inside `.git`, which is never written', fix: 'pick another path' },
  FILE_NOT_FOUND: { means: 'no such file (relative paths start at the repository root)', fix: 'check the path' },
  FILE_ACCESS_DENIED: { means: 'the file system refused the access', fix: 'check the file\'s permissions' },
  COMMAND_NOT_ALLOWED: { means: 'the server runs only allowlisted programs without a shell (`--command-mode allowlist`)', fix: 'run a program named in `--command-allow`, as argv, without shell operators' },
  COMMAND_FAILED_TO_START: { means: 'the program could not be started', fix: 'check that it is installed and on the server\'s PATH' },
  DISCUSSION_CLOSED: { means: 'the discussion is resolved or archived', fix: 'start a new one' },
  CURSOR_UNKNOWN: { means: 'an `events_wait`/`watch` cursor is not in this state history', fix: 'call again without a cursor' },
  CONFIRM_REQUIRED: { means: 'the call deletes a lot and needs an explicit confirmation', fix: 'call again with `confirm: true` if you mean it' },
  ISSUE_CLOSED: { means: 'the issue is done, canceled or expired', fix: 'reopen it (`issue_reopen`) or work on an open one' },
  ISSUE_NOT_COMPLETE: { means: 'the issue still has tasks that are not done or canceled', fix: 'finish or cancel them first' },
  TASK_LIMIT_REACHED: { means: 'the issue has `settings.maxTasksPerIssue` tasks', fix: 'raise the setting, or split the issue' },
  MESSAGE_ALREADY_REPLIED: { means: 'the question has its answer already', fix: 'nothing to do' },
  DELIVERY_INCOMPLETE: { means: 'the delivery lacks something its evidence needs (the message says what)', fix: 'fill it in and deliver again' },
  DELIVERY_REQUIRED: { means: 'closing the issue needs an approved delivery', fix: 'deliver it (`delivery_submit`) and have it approved, or close with `withoutDelivery: true`' },
  EVIDENCE_INVALID: { means: 'the test evidence says it failed, or does not match what was delivered', fix: 'fix the evidence the message names; a failed verification is rejected, not approved' },
  HOOK_CONFLICT: { means: 'the pre-commit hook in place is not Lockstep\'s', fix: 'remove or chain it yourself' },
  WORKTREE_DIRTY: { means: 'the target branch is checked out with uncommitted changes / the branch is checked out elsewhere', fix: 'commit or stash, then merge again / use another branch or agent name' },
  BRANCH_CHECKED_OUT: { means: 'the target branch is checked out with uncommitted changes / the branch is checked out elsewhere', fix: 'commit or stash, then merge again / use another branch or agent name' },
  WORKTREE_EXISTS: { means: 'a worktree is already there', fix: 'resume it, or clean it up first (`worktree_cleanup`)' },
  WORKTREE_NOT_FOUND: { means: 'no such worktree or agent branch', fix: '`worktree_list` shows them' },
  BRANCH_NOT_FOUND: { means: 'no such worktree or agent branch', fix: '`worktree_list` shows them' },
  MERGE_CONFLICT: { means: '`worktree_merge` found conflicts; nothing moved', fix: 'the conflict is prepared in the agent\'s worktree (markers, `MERGE_HEAD`): resolve, commit there, merge again' },
  MERGE_NEEDS_REBASE: { means: 'the branches have no single merge base', fix: 'rebase the agent\'s branch onto the target in its worktree, then merge again' },
  APPROVAL_STALE: { means: 'the agent\'s branch has another tree than the one approved for the task (commits after the approval)', fix: 'look at the commits made after the approval (`worktree_status`); merge without `task` to take them anyway, or put the task back into review and approve it again' },
  NOTHING_TO_MERGE: { means: 'the target already has everything of the agent\'s branch', fix: 'nothing to do' },
  CONFIG_INVALID: { means: '`install`, `uninstall` or `init` found a file it cannot parse (`.mcp.json`, `config.toml`, a half block in CLAUDE.md)', fix: 'fix the file by hand; nothing was written' },
  LAUNCH_UNSUPPORTED: { means: 'no tmux (Linux) or not macOS; or the agent command exited at once', fix: 'install tmux 3+ or start the agent yourself; run the command by hand to see its error' },
  LAUNCH_FAILED: { means: 'no tmux (Linux) or not macOS; or the agent command exited at once', fix: 'install tmux 3+ or start the agent yourself; run the command by hand to see its error' },
} as const satisfies Record<string, { means: string; fix: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class LockstepError extends Error {
  readonly code: ErrorCode;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, data?: Record<string, unknown>) {
    super(message);
    this.name = 'LockstepError';
    this.code = code;
    this.data = data;
  }
}

/** A LockstepError, optionally of one code. */
export function isLockstepError(err: unknown, code?: ErrorCode): err is LockstepError {
  return err instanceof LockstepError && (code === undefined || err.code === code);
}

export interface ErrorBody {
  code: string;
  message: string;
  data?: Record<string, unknown>;
}

/** What an adapter reports: the coded error as it is, anything else as INTERNAL (its stack on stderr). */
export function errorBody(err: unknown): ErrorBody {
  if (err instanceof LockstepError) return { code: err.code, message: err.message, data: err.data };
  const e = err as Error | undefined;
  process.stderr.write(`lockstep: internal error: ${e?.stack ?? String(err)}\n`);
  return { code: 'INTERNAL', message: `${e?.message ?? String(err)} (this is a Lockstep bug; the server log has the stack)` };
}
