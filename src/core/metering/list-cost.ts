import type { SessionEvent } from '../events/session-event.js';
import { divideRounded, type Money, monetaryAmount } from './money.js';
import { type ModelPrice, type PriceTable, priceFor } from './prices.js';
import { type FoldedUsage, foldUsageLedger, type TokenUsage, type UsageLedger } from './session-usage.js';

export interface TokenCharges {
  input: Money;
  output: Money;
  cache_read: Money;
  cache_write_5m: Money;
  cache_write_1h: Money;
  total: Money;
}

const perMillion = (tokens: number, price: Money): Money => divideRounded(BigInt(tokens) * price, 1_000_000n);

export function chargeTokens(tokens: TokenUsage, price: ModelPrice): TokenCharges {
  const charges = {
    input: perMillion(tokens.input_tokens, price.input),
    output: perMillion(tokens.output_tokens, price.output),
    cache_read: perMillion(tokens.cache_read_input_tokens, price.cacheRead),
    cache_write_5m: perMillion(tokens.cache_creation.ephemeral_5m_input_tokens, price.cacheWrite5m),
    cache_write_1h: perMillion(tokens.cache_creation.ephemeral_1h_input_tokens, price.cacheWrite1h),
  };
  const total =
    charges.input + charges.output + charges.cache_read + charges.cache_write_5m + charges.cache_write_1h;
  return { ...charges, total };
}

/** Runtime is priced per hour and measured to the millisecond. */
export const runtimeCharge = (activeMs: number, prices: PriceTable): Money =>
  divideRounded(BigInt(Math.round(activeMs)) * prices.runtimePerHour, 3_600_000n);

export const webSearchCharge = (requests: number, prices: PriceTable): Money =>
  divideRounded(BigInt(requests) * prices.webSearchPerThousand, 1000n);

export const webFetchCharge = (requests: number, prices: PriceTable): Money =>
  divideRounded(BigInt(requests) * prices.webFetchPerThousand, 1000n);

export interface LedgerCost {
  /** Null when some tokens were spent on a model without a list price. */
  tokens: Money | null;
  runtime: Money;
  serverTools: Money;
  total: Money | null;
  unpricedModels: string[];
}

/**
 * Prices a ledger: tokens per (thread, model) line, plus runtime on the
 * session's active time, plus server tools. `defaultModel` prices spans
 * logged without a model (the session agent's model).
 */
export function costOfLedger(ledger: UsageLedger, prices: PriceTable, defaultModel: string): LedgerCost {
  let tokens: Money = 0n;
  // A session on a model without a list price has no known cost, even before it spends tokens.
  const unpriced = new Set<string>(priceFor(prices, defaultModel) ? [] : [defaultModel]);
  for (const line of ledger.lines) {
    const model = line.model ?? defaultModel;
    const price = priceFor(prices, model);
    if (price) tokens += chargeTokens(line.tokens, price).total;
    else unpriced.add(model);
  }
  const runtime = runtimeCharge(ledger.activeMs, prices);
  const tools = ledger.session.server_tool_use;
  const serverTools =
    webSearchCharge(tools.web_search_requests, prices) + webFetchCharge(tools.web_fetch_requests, prices);
  const known = unpriced.size === 0;
  return {
    tokens: known ? tokens : null,
    runtime,
    serverTools,
    total: known ? tokens + runtime + serverTools : null,
    unpricedModels: [...unpriced],
  };
}

export type UsageSnapshot = FoldedUsage & { list_cost: { amount: string; currency: 'USD' } | null };

/** What `session.usage` events and the session object carry: usage plus `list_cost` (null if unknown). */
export function usageSnapshot(
  events: readonly SessionEvent[],
  nowMs: number,
  prices: PriceTable,
  defaultModel: string,
): UsageSnapshot {
  return usageSnapshotOf(foldUsageLedger(events, nowMs), prices, defaultModel);
}

/** `usageSnapshot` of a ledger already folded (the harness keeps one per session: UsageFold). */
export function usageSnapshotOf(
  ledger: UsageLedger,
  prices: PriceTable,
  defaultModel: string,
): UsageSnapshot {
  const { total } = costOfLedger(ledger, prices, defaultModel);
  return { ...ledger.session, list_cost: total === null ? null : monetaryAmount(total) };
}
