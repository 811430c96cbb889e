#!/usr/bin/env node
// Runs the compiled CLI (built by `npm ci` through the prepare script).
import { main } from '../dist/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error) => {
    process.stderr.write(`paddock: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
