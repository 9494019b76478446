#!/usr/bin/env node
// The `lockstep` (and `lockstep-mcp`) command line.
import { buildCli } from './load.js';

const argv = process.argv.slice(2);
const args = argv.length ? argv : ['--help'];
void buildCli(args).then((cli) => cli.runExit(args));
