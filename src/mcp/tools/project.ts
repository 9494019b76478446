// project_context_get, project_context_set, project_status_set: the project context and status.
import { useCases } from '../../app/use-cases.js';
import { EVERY_ROLE, tool } from '../tool.js';

export const projectTools = [
  tool(useCases.projectContextGet, {
    title: 'Read the project context',
    description: 'Project description, end state, constraints, criteria, tests, plan, status.',
    roles: EVERY_ROLE,
    annotations: { readOnlyHint: true },
    text: (r) => (r.found ? `${r.status}: ${r.context.description.slice(0, 200)}` : 'No project context yet; the planner sets it with project_context_set.'),
  }),
  tool(useCases.projectContextSet, {
    title: 'Set the project context',
    description: 'Set the project context; omitted fields keep their value.',
    roles: ['planner'],
    annotations: { idempotentHint: true },
    text: (r) => {
      const missing = [r.context.acceptanceCriteria.length ? '' : 'acceptanceCriteria', r.context.implementationPlan.length ? '' : 'implementationPlan'].filter(Boolean);
      return `Project context saved (${r.status}).${missing.length ? ` Still missing: ${missing.join(', ')}.` : ''}`;
    },
  }),
  tool(useCases.projectStatusSet, {
    title: 'Set the project status',
    description: 'Set the project status; stopped and complete leave a system note for all agents.',
    roles: ['planner'],
    annotations: { idempotentHint: true },
    text: (r) => (r.changed ? `Project ${r.previous} -> ${r.status}` : `Project already ${r.status}`),
  }),
];
