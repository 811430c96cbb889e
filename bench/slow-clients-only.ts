import { compiledPaddock } from './build.js';
import { benchSlowClients } from './slow-clients.js';
import { printTable } from './table.js';

// Runs only the slow SSE clients benchmark (issue #21's "40 SSE clients that never read").
process.stdout.write(`${printTable(await benchSlowClients(compiledPaddock()))}\n`);
