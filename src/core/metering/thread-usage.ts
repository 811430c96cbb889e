import type { SessionEvent } from '../events/session-event.js';
import { chargeTokens, webFetchCharge, webSearchCharge } from './list-cost.js';
import { type Money, monetaryAmount } from './money.js';
import { type PriceTable, priceFor } from './prices.js';
import { foldUsageLedger, type TokenUsage, type UsageLedger } from './session-usage.js';

/** What a session thread object carries as `usage` (the SDK's BetaManagedAgentsSessionThreadUsage). */
export interface ThreadUsageSnapshot extends TokenUsage {
  server_tool_use: { web_search_requests: number; web_fetch_requests: number };
  active_seconds: number;
  list_cost: { amount: string; currency: 'USD' } | null;
}

/**
 * One thread's own usage: the tokens of its own `span.model_request_end`
 * events, each priced at the model that served it, plus its server tools and
 * running time. Runtime is priced on the session, not per thread (the SDK:
 * per-thread costs do not sum to the session's figure, which adds runtime).
 * `events` is the whole session's log; `threadId` null is the primary thread.
 */
export function threadUsageSnapshot(
  events: readonly SessionEvent[],
  threadId: string | null,
  nowMs: number,
  prices: PriceTable,
  defaultModel: string,
): ThreadUsageSnapshot {
  return threadUsageSnapshotOf(foldUsageLedger(events, nowMs), threadId, prices, defaultModel);
}

/** `threadUsageSnapshot` of a ledger already folded (the harness keeps one per session: UsageFold). */
export function threadUsageSnapshotOf(
  ledger: UsageLedger,
  threadId: string | null,
  prices: PriceTable,
  defaultModel: string,
): ThreadUsageSnapshot {
  const own = ledger.threads.find((thread) => thread.threadId === threadId);
  let tokens: Money | null = 0n;
  for (const line of ledger.lines) {
    if (line.threadId !== threadId) continue;
    const price = priceFor(prices, line.model ?? defaultModel);
    tokens = price && tokens !== null ? tokens + chargeTokens(line.tokens, price).total : null;
  }
  const tools = own?.server_tool_use ?? { web_search_requests: 0, web_fetch_requests: 0 };
  const total =
    tokens === null
      ? null
      : tokens +
        webSearchCharge(tools.web_search_requests, prices) +
        webFetchCharge(tools.web_fetch_requests, prices);
  const base: TokenUsage = own?.tokens ?? {
    input_tokens: 0,
    output_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
  };
  return {
    ...base,
    cache_creation: { ...base.cache_creation },
    server_tool_use: { ...tools },
    active_seconds: (own?.activeMs ?? 0) / 1000,
    list_cost: total === null ? null : monetaryAmount(total),
  };
}
