// artifact_read, artifact_write: reports and logs under .lockstep/artifacts, kept out of git.
import { useCases } from '../../app/use-cases.js';
import { tool } from '../tool.js';
import { readText } from './file.js';

export const artifactTools = [
  tool(useCases.artifactRead, {
    title: 'Read an artifact',
    description: 'Read an artifact (.lockstep/artifacts).',
    roles: ['implementer', 'reviewer'],
    annotations: { readOnlyHint: true },
    text: readText,
  }),
  tool(useCases.artifactWrite, {
    title: 'Save an artifact',
    description: 'Save a report or log for other agents (not in git).',
    roles: ['implementer', 'reviewer'],
    annotations: { destructiveHint: true },
    text: (r) => `Saved artifact ${r.path} (${r.bytes} bytes)`,
  }),
];
