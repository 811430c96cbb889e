import { benchSandbox } from './sandbox.js';
import { printTable } from './table.js';

// Runs only the sandbox benchmarks (bwrap).
process.stdout.write(`${printTable(await benchSandbox())}\n`);
