// Every MCP tool, one file per noun (the tool name's first word): task_claim is in task.ts.
import type { ToolDecl } from '../tool.js';
import { acceptanceTools } from './acceptance.js';
import { artifactTools } from './artifact.js';
import { commandTools } from './command.js';
import { coordinationTools } from './coordination.js';
import { dashboardTools } from './dashboard.js';
import { deliveryTools } from './delivery.js';
import { discussionTools } from './discussion.js';
import { docTools } from './doc.js';
import { eventsTools } from './events.js';
import { fileTools } from './file.js';
import { implementerTools } from './implementer.js';
import { issueTools } from './issue.js';
import { launchTools } from './launch.js';
import { lockTools } from './lock.js';
import { logTools } from './log.js';
import { noteTools } from './note.js';
import { projectTools } from './project.js';
import { serverTools } from './server.js';
import { sessionTools } from './session.js';
import { stateTools } from './state.js';
import { statusTools } from './status.js';
import { taskTools } from './task.js';
import { toolTools } from './tool.js';
import { whoamiTools } from './whoami.js';
import { worktreeTools } from './worktree.js';

export const ALL_TOOLS: ToolDecl[] = [
  ...coordinationTools,
  ...whoamiTools,
  ...serverTools,
  ...statusTools,
  ...projectTools,
  ...sessionTools,
  ...implementerTools,
  ...launchTools,
  ...dashboardTools,
  ...taskTools,
  ...issueTools,
  ...docTools,
  ...lockTools,
  ...noteTools,
  ...logTools,
  ...discussionTools,
  ...eventsTools,
  ...stateTools,
  ...fileTools,
  ...artifactTools,
  ...commandTools,
  ...toolTools,
  ...deliveryTools,
  ...acceptanceTools,
  ...worktreeTools,
];
