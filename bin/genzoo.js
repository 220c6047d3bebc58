#!/usr/bin/env node
// The `genzoo` command: a thin launcher for the compiled CLI in dist/.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(`genzoo: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
