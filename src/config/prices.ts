import { readFileSync } from 'node:fs';
import { type PriceFile, parsePriceFile } from '../core/metering/prices.js';

/** The list-price overrides of the JSON file at PADDOCK_PRICES_FILE (docs/metering.md). */
export function loadPriceFile(path: string | undefined): PriceFile | undefined {
  if (path === undefined) return undefined;
  try {
    return parsePriceFile(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`PADDOCK_PRICES_FILE (${path}): ${reason}`);
  }
}
