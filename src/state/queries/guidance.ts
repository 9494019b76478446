// Query behind coordination_init: which phase the caller's role is in and what to do next.
import type { Task } from '../core/schema.js';
import type { State } from '../core/state.js';
import { readyTasks } from '../tasks.js';
import { taskSummary } from './task-summary.js';

export const WORK_LOOP =
  'CONTINUOUS WORK LOOP: 1) task_next (claims the best ready task) 2) discussion_inbox 3) lock_acquire the files you edit 4) do the work 5) lock_release 6) simple: task_update status done; otherwise task_submit_for_review with reviewNotes 7) repeat at once. Nothing ready: events_wait with your cursor, then task_next again. Stop only when the project is stopped or complete.';

const WORKTREE_TASKS = 'A task with isolation worktree is done in your own worktree: worktree_create, work and commit there (no file leases); the planner merges it after approval.';

const brief = (t: Task) => ({ id: t.id, title: t.title, complexity: t.complexity, status: t.status, owner: t.owner, ...(t.isolation === 'worktree' ? { isolation: t.isolation } : {}) });

export function plannerGuidance(state: State) {
  const meta = state.meta();
  const project = meta.project;
  const { summary } = taskSummary(state);
  if (!project) {
    return {
      status: 'needs_context',
      phase: 'gather_info',
      steps: [
        'Ask the user what the project is and the desired end state',
        'Ask for the tech stack, constraints, acceptance criteria and the tests that must pass',
        'Ask which implementer they prefer (claude or codex)',
        'Call project_context_set with everything',
      ],
      instruction: 'No project context yet. Gather it from the user, then call project_context_set. Do not write code yourself.',
    };
  }
  if (project.implementationPlan.length === 0) {
    return {
      status: 'needs_plan',
      phase: 'create_plan',
      projectContext: project,
      instruction: 'Write an ordered implementationPlan and save it with project_context_set, then project_status_set ready.',
    };
  }
  if (summary.total === 0) {
    return {
      status: 'needs_tasks',
      phase: 'create_tasks',
      preferredImplementer: project.preferredImplementer ?? 'codex',
      instruction: 'Split the plan into small tasks with task_create (complexity; dependsOn for order), then start implementers.',
    };
  }
  const implementers = state.agents().items.filter((a) => a.role === 'implementer');
  return {
    status: 'monitoring',
    phase: 'monitor',
    taskSummary: summary,
    implementers: { total: implementers.length, active: implementers.filter((a) => a.status === 'active').length },
    instruction:
      'Loop: events_wait({signals:true}) hands you the next question, blocker or submission (task_reply / task_approve / task_request_changes) -> answer discussion_inbox -> add tasks as needed. An issue whose tasks are all done goes to acceptance with delivery_submit. When ALL TASKS COMPLETE appears, check the acceptance criteria and project_status_set complete.',
  };
}

export function implementerGuidance(state: State, agent: string, now: number) {
  const meta = state.meta();
  if (meta.projectStatus === 'stopped') return { status: 'stopped', instruction: 'The planner stopped the project: cease work now.' };
  if (meta.projectStatus === 'complete') return { status: 'complete', instruction: 'The project is complete: no more work.' };
  const mine = state.tasks().items.filter((t) => t.owner === agent && (t.status === 'in_progress' || t.status === 'blocked'));
  const ready = readyTasks(state, agent, now);
  if (mine.length === 0 && ready.length === 0) {
    return {
      status: 'waiting',
      projectContext: meta.project,
      instruction: 'No task is ready yet. Call events_wait (pass back the cursor) and then task_next; keep going without asking the user.',
    };
  }
  return {
    status: 'ready',
    availableTasks: ready.slice(0, 10).map(brief),
    inProgressTasks: mine.map(brief),
    instruction: `${mine.length ? 'Finish your in-progress tasks first. ' : ''}${WORK_LOOP}${[...mine, ...ready].some((t) => t.isolation === 'worktree') ? ' ' + WORKTREE_TASKS : ''}`,
  };
}

export function reviewerGuidance(state: State) {
  const { summary } = taskSummary(state);
  return {
    status: summary.review > 0 ? 'reviewing' : 'waiting',
    taskSummary: summary,
    instruction: 'Read tasks and notes, run the tests (command_run), record findings with note_append; events_wait tells you when something changes.',
  };
}
