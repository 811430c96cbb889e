import { z } from 'zod';
import { invalidRequest } from '../errors.js';
import { divideRounded, type Money, usd } from './money.js';

/** One model's list prices, each per million tokens. */
export interface ModelPrice {
  input: Money;
  output: Money;
  cacheRead: Money;
  cacheWrite5m: Money;
  cacheWrite1h: Money;
}

export interface PriceTable {
  /** By model id without a date suffix (`claude-haiku-4-5`, not `claude-haiku-4-5-20251001`). */
  models: Readonly<Record<string, ModelPrice>>;
  /** Charged per running millisecond; idle time is free. */
  runtimePerHour: Money;
  webSearchPerThousand: Money;
  webFetchPerThousand: Money;
}

/**
 * Cache rates follow Anthropic's standard multipliers: reads 0.1× input,
 * 5-minute writes 1.25×, 1-hour writes 2×, unless a price file says otherwise.
 */
export function modelPrice(
  perMillion: { input: Money; output: Money } & Partial<Omit<ModelPrice, 'input' | 'output'>>,
): ModelPrice {
  return {
    input: perMillion.input,
    output: perMillion.output,
    cacheRead: perMillion.cacheRead ?? divideRounded(perMillion.input, 10n),
    cacheWrite5m: perMillion.cacheWrite5m ?? divideRounded(perMillion.input * 5n, 4n),
    cacheWrite1h: perMillion.cacheWrite1h ?? perMillion.input * 2n,
  };
}

/** The guide's "Pricing Details". */
export const DEFAULT_PRICES: PriceTable = {
  models: {
    'claude-opus-4-6': modelPrice({ input: usd('5'), output: usd('25') }),
    'claude-sonnet-4-6': modelPrice({ input: usd('3'), output: usd('15') }),
    'claude-haiku-4-5': modelPrice({ input: usd('1'), output: usd('5') }),
  },
  runtimePerHour: usd('0.08'),
  webSearchPerThousand: usd('10'),
  webFetchPerThousand: 0n,
};

/** The list price of a model, or undefined when it has none (its cost is then unknown, not zero). */
export function priceFor(table: PriceTable, model: string | undefined): ModelPrice | undefined {
  if (model === undefined) return undefined;
  const exact = table.models[model];
  if (exact) return exact;
  // Dated snapshots (`claude-haiku-4-5-20251001`) share their family's price.
  const undated = /^(.+)-\d{8}$/.exec(model)?.[1];
  return undated === undefined ? undefined : table.models[undated];
}

const amount = z.union([z.string(), z.number().nonnegative()]);
const modelOverride = z.strictObject({
  input: amount,
  output: amount,
  cache_read: amount.optional(),
  cache_write_5m: amount.optional(),
  cache_write_1h: amount.optional(),
});
const priceFileSchema = z.strictObject({
  models: z.record(z.string().min(1), modelOverride.nullable()).optional(),
  runtime_per_hour: amount.optional(),
  web_search_per_1000: amount.optional(),
  web_fetch_per_1000: amount.optional(),
});

/** The JSON in PADDOCK_PRICES_FILE (format in docs/metering.md). */
export type PriceFile = z.infer<typeof priceFileSchema>;

/** Validates a price file's parsed JSON; throws a PaddockError naming the bad field. */
export function parsePriceFile(json: unknown): PriceFile {
  const parsed = priceFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidRequest(`price file: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  // Parse every amount now so a bad price fails at startup, not mid-session.
  resolvePrices(parsed.data);
  return parsed.data;
}

/** Defaults with a price file's entries laid over them; `null` for a model removes its price. */
export function resolvePrices(file: PriceFile | undefined): PriceTable {
  if (!file) return DEFAULT_PRICES;
  const models: Record<string, ModelPrice> = { ...DEFAULT_PRICES.models };
  for (const [id, entry] of Object.entries(file.models ?? {})) {
    if (entry === null) {
      delete models[id];
      continue;
    }
    const at = (field: string) => `models.${id}.${field}`;
    const optional = (value: string | number | undefined, field: string) =>
      value === undefined ? undefined : usd(value, at(field));
    models[id] = modelPrice({
      input: usd(entry.input, at('input')),
      output: usd(entry.output, at('output')),
      cacheRead: optional(entry.cache_read, 'cache_read'),
      cacheWrite5m: optional(entry.cache_write_5m, 'cache_write_5m'),
      cacheWrite1h: optional(entry.cache_write_1h, 'cache_write_1h'),
    });
  }
  const or = (value: string | number | undefined, fallback: Money, what: string) =>
    value === undefined ? fallback : usd(value, what);
  return {
    models,
    runtimePerHour: or(file.runtime_per_hour, DEFAULT_PRICES.runtimePerHour, 'runtime_per_hour'),
    webSearchPerThousand: or(
      file.web_search_per_1000,
      DEFAULT_PRICES.webSearchPerThousand,
      'web_search_per_1000',
    ),
    webFetchPerThousand: or(
      file.web_fetch_per_1000,
      DEFAULT_PRICES.webFetchPerThousand,
      'web_fetch_per_1000',
    ),
  };
}
