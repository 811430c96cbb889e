/**
 * The entry for embedding Paddock (the CLI, tests and benchmarks start it
 * from here). What it builds is chosen and wired in the composition root,
 * src/compose/.
 */
export { createPaddock, type Paddock, type PaddockOptions } from './compose/create-paddock.js';
export type { HarnessNode, HarnessTuning } from './compose/harness-node.js';
