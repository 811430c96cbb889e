import { buffer } from 'node:stream/consumers';
import type { OnOutputs } from '../../src/sandbox/outputs/output-collector.js';

/** A stored output, read whole (tests only: their files are small). */
export interface StoredOutput {
  path: string;
  content: Buffer;
}

/**
 * An OnOutputs that keeps what it is handed in memory: `batches` gets one
 * single-file batch per stored file, `exhausted` the budget messages.
 */
export function memorySink(batches: StoredOutput[][], exhausted: string[] = []): OnOutputs {
  return {
    async store(_sessionId, file) {
      batches.push([{ path: file.path, content: await buffer(file.content) }]);
    },
    async budgetExhausted(_sessionId, message) {
      exhausted.push(message);
    },
  };
}
