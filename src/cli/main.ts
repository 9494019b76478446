#!/usr/bin/env node
// The `lockstep` (and `lockstep-mcp`) command line: every command is a file in commands/.
import { Builtins, Cli } from 'clipanion';
import { VERSION } from '../version.js';
import { DemoCommand } from './commands/demo.js';
import { DiscussionListCommand, DiscussionShowCommand } from './commands/discussion.js';
import { DoctorCommand } from './commands/doctor.js';
import { GuardCheckCommand, GuardInstallCommand, GuardStatusCommand, GuardUninstallCommand } from './commands/guard.js';
import { IssueCloseCommand, IssueCreateCommand, IssueListCommand, IssueShowCommand } from './commands/issue.js';
import { LockListCommand, LockReleaseCommand } from './commands/lock.js';
import { LogCommand } from './commands/log.js';
import { MacosCommand } from './commands/macos.js';
import { TmuxCommand } from './commands/tmux.js';
import { NoteAddCommand, NoteListCommand } from './commands/note.js';
import { WatchCommand } from './commands/watch.js';
import { PromptsCommand } from './commands/prompts.js';
import { ServerCommand } from './commands/server.js';
import { StatusCommand } from './commands/status.js';
import { InstallCommand, UninstallCommand } from './commands/install.js';
import { DisableCommand, EnableCommand, InitCommand } from './commands/init.js';
import { WorktreeCleanupCommand, WorktreeListCommand, WorktreeMergeCommand, WorktreeStatusCommand } from './commands/worktree.js';
import { TaskApproveCommand, TaskClaimCommand, TaskCreateCommand, TaskListCommand, TaskRequestChangesCommand, TaskShowCommand } from './commands/task.js';

export function buildCli(): Cli {
  const colors = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const cli = new Cli({ binaryLabel: 'Lockstep', binaryName: 'lockstep', binaryVersion: VERSION, enableColors: colors });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  cli.register(Builtins.DefinitionsCommand);
  for (const c of [ServerCommand, StatusCommand, LogCommand, DoctorCommand, PromptsCommand, TaskListCommand, TaskShowCommand, TaskCreateCommand, TaskClaimCommand, TaskApproveCommand, TaskRequestChangesCommand, IssueListCommand, IssueShowCommand, IssueCreateCommand, IssueCloseCommand, DiscussionListCommand, DiscussionShowCommand, LockListCommand, LockReleaseCommand, GuardInstallCommand, GuardUninstallCommand, GuardStatusCommand, GuardCheckCommand, DemoCommand, WorktreeListCommand, WorktreeStatusCommand, WorktreeMergeCommand, WorktreeCleanupCommand]) cli.register(c);
  for (const c of [NoteListCommand, NoteAddCommand, WatchCommand]) cli.register(c);
  for (const c of [TmuxCommand, MacosCommand]) cli.register(c);
  for (const c of [InstallCommand, UninstallCommand, InitCommand, EnableCommand, DisableCommand]) cli.register(c);
  return cli;
}

const argv = process.argv.slice(2);
void buildCli().runExit(argv.length ? argv : ['--help']);
