// session_reset: clear this repository's work in one commit (git keeps the history).
import { useCases } from '../../app/use-cases.js';
import { tool } from '../tool.js';

export const sessionTools = [
  tool(useCases.sessionReset, {
    title: 'Reset the session',
    description: "Clear this repo's tasks, issues, leases, notes; stop implementers (git keeps history). confirm:true.",
    roles: ['planner'],
    annotations: { destructiveHint: true },
    text: (r) =>
      `Reset: ${r.tasksCleared} task(s), ${r.leasesCleared} lease(s), ${r.notesCleared} note(s) cleared; ${r.implementersStopped} implementer(s) stopped; ${r.discussionsArchived} discussion(s) archived. Next: ${r.nextSteps.join('; ')}`,
  }),
];
