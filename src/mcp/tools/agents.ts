// Implementer registry tools: who is working, whether they look alive, and resetting them.
import os from 'node:os';
import { implementerReset } from '../../state/ops/implementer-reset.js';
import { implementerList, implementerListInput } from '../../state/queries/implementer-list.js';
import type { Agent } from '../../state/schema.js';
import { defineTool } from '../tool.js';

/** Is the agent's server process alive? Only answerable for a pid on this host. */
function probeProcess(agent: Agent): boolean | undefined {
  if (agent.pid === undefined || agent.host !== os.hostname()) return undefined;
  try {
    process.kill(agent.pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const implementerListTool = defineTool({
  name: 'implementer_list',
  title: 'List implementers',
  description: 'Implementers: liveness, idle time, tasks in progress and in review.',
  input: implementerListInput,
  roles: ['planner'],
  annotations: { readOnlyHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.read((state, rc) => implementerList(state, args, rc.now, probeProcess));
    const lines = r.implementers.map((i) => `${i.name} [${i.status}${i.live ? ', live' : ''}] idle ${i.idleSec}s; working: ${i.working.join(' ') || '-'}`);
    return { structured: r, text: `${r.total} implementer(s), ${r.live} live\n${lines.join('\n')}` };
  },
});

export const implementerResetTool = defineTool({
  name: 'implementer_reset',
  title: 'Reset implementers',
  description: 'Mark all active implementers stopped; they rejoin with coordination_init.',
  input: implementerReset.input,
  roles: ['planner'],
  annotations: { destructiveHint: true },
  async handler(args, ctx) {
    const r = await ctx.app.run(implementerReset, args, ctx.who);
    return { structured: r, text: `Reset ${r.resetCount} implementer(s)${r.names.length ? `: ${r.names.join(', ')}` : ''}` };
  },
});

export const agentTools = [implementerListTool, implementerResetTool];
