// The CLI says its own commands: a message from below that names an MCP tool a person has a command
// for is shown with the command instead (`task_list shows the ids` -> `lockstep task list shows the ids`).
const COMMAND_FOR_TOOL: Record<string, string> = {
  task_list: 'lockstep task list',
  task_get: 'lockstep task show',
  task_create: 'lockstep task create',
  task_claim: 'lockstep task claim',
  task_next: 'lockstep task claim',
  task_approve: 'lockstep task approve',
  task_request_changes: 'lockstep task request-changes',
  issue_list: 'lockstep issue list',
  issue_get: 'lockstep issue show',
  issue_close: 'lockstep issue close',
  lock_list: 'lockstep lock list',
  lock_release: 'lockstep lock release',
  lock_force_release: 'lockstep lock release --force',
  note_list: 'lockstep note list',
  note_append: 'lockstep note add',
  discussion_list: 'lockstep discussion list',
  discussion_get: 'lockstep discussion show',
  worktree_list: 'lockstep worktree list',
  worktree_status: 'lockstep worktree status',
  worktree_merge: 'lockstep worktree merge',
  worktree_cleanup: 'lockstep worktree cleanup',
  state_log: 'lockstep log',
  events_wait: 'lockstep watch',
  status_get: 'lockstep status',
};

const TOOL = new RegExp(`\`?\\b(${Object.keys(COMMAND_FOR_TOOL).join('|')})\\b\`?`, 'g');

export function inCliWords(message: string): string {
  return message.replace(TOOL, (_, tool: string) => `\`${COMMAND_FOR_TOOL[tool]}\``);
}
