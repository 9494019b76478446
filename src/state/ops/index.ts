// Every op by name; the store and tests look ops up here.
import { agentRegister } from './agent-register.js';
import { lockAcquire } from './lock-acquire.js';
import { lockRelease } from './lock-release.js';
import { noteAppend } from './note-append.js';
import { projectContextSet } from './project-context-set.js';
import { projectStatusSet } from './project-status-set.js';
import { taskClaim } from './task-claim.js';
import { taskCreate } from './task-create.js';
import { taskUpdate } from './task-update.js';

export const ops = {
  agentRegister,
  projectContextSet,
  projectStatusSet,
  taskCreate,
  taskClaim,
  taskUpdate,
  noteAppend,
  lockAcquire,
  lockRelease,
};
