import { benchStoreCounts } from './store-counts.js';
import { printTable } from './table.js';

// `node --import tsx bench/store-counts-only.ts`: database calls per model+bash step (counted in the bench).
process.stdout.write(`${printTable(await benchStoreCounts())}\n`);
