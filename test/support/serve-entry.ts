// The CLI entry run from source (like bin/paddock.js, without a build), for
// tests and benchmarks that need the real server in a child process.
import { main } from '../../src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`paddock: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
