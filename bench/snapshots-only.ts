import { benchSnapshots } from './snapshots.js';
import { printTable } from './table.js';

// Runs only the workspace snapshot benchmarks.
process.stdout.write(`${printTable(await benchSnapshots())}\n`);
