import { compiledPaddock } from './build.js';
import { benchFirstTurn, benchLoad } from './load.js';
import { printTable } from './table.js';

// `node --import tsx bench/load-only.ts`: the first-turn rows and the load table alone
// (PADDOCK_BENCH_LOAD_N=10,50 to pick the sizes, PADDOCK_BENCH_MODEL_DELAY_MS for the model).
const paddockArgv = compiledPaddock();
const results = [
  ...(await benchFirstTurn(paddockArgv)),
  ...(await benchFirstTurn(paddockArgv, 1000)),
  ...(await benchLoad(paddockArgv)),
];
process.stdout.write(`${printTable(results)}\n`);
