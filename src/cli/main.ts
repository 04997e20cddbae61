#!/usr/bin/env node
/** The `rtbench` bin: the only place that calls process.exit. */
import { runCli } from './program.js';

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('rtbench: unexpected error:', error);
    process.exit(1);
  },
);
