import { benchLongSession } from './long-session.js';
import { printTable } from './table.js';

// Runs only the long-session rows: a one-step turn as the log grows to 10,000 events.
const results = [...(await benchLongSession('bookkeeping')), ...(await benchLongSession('conversation'))];
process.stdout.write(`${printTable(results)}\n`);
