import { benchHarnessOverhead } from './overhead.js';
import { printTable } from './table.js';

// Runs only the harness-overhead benchmark (for profiling the step path).
process.stdout.write(`${printTable(await benchHarnessOverhead())}\n`);
