// tool_install: run a package manager with argv (no shell).
import { useCases } from '../../app/use-cases.js';
import { tool } from '../tool.js';
import { runText } from './command.js';

export const toolTools = [
  tool(useCases.toolInstall, {
    title: 'Install a tool',
    description: 'Run a package manager; args are argv, no shell.',
    roles: ['implementer'],
    annotations: { destructiveHint: true, openWorldHint: true },
    text: runText,
  }),
];
