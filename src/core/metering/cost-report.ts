import {
  chargeTokens,
  costOfLedger,
  runtimeCharge,
  type TokenCharges,
  webFetchCharge,
  webSearchCharge,
} from './list-cost.js';
import { formatUsd, type Money, monetaryAmount } from './money.js';
import { type ModelPrice, type PriceTable, priceFor } from './prices.js';
import {
  addTokens,
  emptyTokens,
  type ServerToolUse,
  type TokenUsage,
  type UsageLedger,
  type UsageLine,
} from './session-usage.js';

/** GET /v1/sessions/{id}/cost. Amounts are exact decimal USD strings; null where a price is unknown. */
export interface SessionCostReport {
  type: 'session_cost';
  session_id: string;
  currency: 'USD';
  computed_at: string;
  /** Same as `usage.list_cost` on the session (whole cents, rounded down). */
  list_cost: { amount: string; currency: 'USD' } | null;
  total_usd: string | null;
  tokens: { total_usd: string | null; models: ModelCost[] };
  runtime: { active_seconds: number; unit_price_per_hour_usd: string; amount_usd: string };
  web_search: ToolCost;
  web_fetch: ToolCost;
  threads: ThreadCost[];
}

export interface ModelCost {
  model: string;
  priced: boolean;
  requests: number;
  items: Array<{
    kind: 'input' | 'output' | 'cache_read' | 'cache_write_5m' | 'cache_write_1h';
    tokens: number;
    unit_price_per_million_usd: string | null;
    amount_usd: string | null;
  }>;
  total_usd: string | null;
}

interface ToolCost {
  requests: number;
  unit_price_per_1000_usd: string;
  amount_usd: string;
}

export interface ThreadCost {
  session_thread_id: string | null;
  primary: boolean;
  usage: TokenUsage;
  server_tool_use: ServerToolUse;
  active_seconds: number;
  tokens_usd: string | null;
}

const usdOrNull = (money: Money | null) => (money === null ? null : formatUsd(money));

export function buildCostReport(input: {
  sessionId: string;
  primaryThreadId: string | null;
  defaultModel: string;
  ledger: UsageLedger;
  prices: PriceTable;
  computedAt: string;
}): SessionCostReport {
  const { ledger, prices, defaultModel } = input;
  const cost = costOfLedger(ledger, prices, defaultModel);
  const tools = ledger.session.server_tool_use;
  return {
    type: 'session_cost',
    session_id: input.sessionId,
    currency: 'USD',
    computed_at: input.computedAt,
    list_cost: cost.total === null ? null : monetaryAmount(cost.total),
    total_usd: usdOrNull(cost.total),
    tokens: {
      total_usd: usdOrNull(cost.tokens),
      models: byModel(ledger.lines, defaultModel).map(([model, lines]) =>
        modelCost(model, lines, priceFor(prices, model)),
      ),
    },
    runtime: {
      active_seconds: ledger.activeMs / 1000,
      unit_price_per_hour_usd: formatUsd(prices.runtimePerHour),
      amount_usd: formatUsd(runtimeCharge(ledger.activeMs, prices)),
    },
    web_search: {
      requests: tools.web_search_requests,
      unit_price_per_1000_usd: formatUsd(prices.webSearchPerThousand),
      amount_usd: formatUsd(webSearchCharge(tools.web_search_requests, prices)),
    },
    web_fetch: {
      requests: tools.web_fetch_requests,
      unit_price_per_1000_usd: formatUsd(prices.webFetchPerThousand),
      amount_usd: formatUsd(webFetchCharge(tools.web_fetch_requests, prices)),
    },
    threads: ledger.threads.map((thread) => ({
      session_thread_id: thread.threadId ?? input.primaryThreadId,
      primary: thread.threadId === null,
      usage: thread.tokens,
      server_tool_use: thread.server_tool_use,
      active_seconds: thread.activeMs / 1000,
      tokens_usd: usdOrNull(
        linesCost(
          ledger.lines.filter((line) => line.threadId === thread.threadId),
          prices,
          defaultModel,
        ),
      ),
    })),
  };
}

function byModel(lines: readonly UsageLine[], defaultModel: string): Array<[string, UsageLine[]]> {
  const groups = new Map<string, UsageLine[]>();
  for (const line of lines) {
    const model = line.model ?? defaultModel;
    groups.set(model, [...(groups.get(model) ?? []), line]);
  }
  return [...groups.entries()];
}

function modelCost(model: string, lines: readonly UsageLine[], price: ModelPrice | undefined): ModelCost {
  const tokens = emptyTokens();
  for (const line of lines) addTokens(tokens, line.tokens);
  const charges: TokenCharges | undefined = price ? chargeTokens(tokens, price) : undefined;
  const item = (
    kind: ModelCost['items'][number]['kind'],
    count: number,
    unit: Money | undefined,
    amount: Money | undefined,
  ) => ({
    kind,
    tokens: count,
    unit_price_per_million_usd: unit === undefined ? null : formatUsd(unit),
    amount_usd: amount === undefined ? null : formatUsd(amount),
  });
  return {
    model,
    priced: price !== undefined,
    requests: lines.reduce((sum, line) => sum + line.requests, 0),
    items: [
      item('input', tokens.input_tokens, price?.input, charges?.input),
      item('output', tokens.output_tokens, price?.output, charges?.output),
      item('cache_read', tokens.cache_read_input_tokens, price?.cacheRead, charges?.cache_read),
      item(
        'cache_write_5m',
        tokens.cache_creation.ephemeral_5m_input_tokens,
        price?.cacheWrite5m,
        charges?.cache_write_5m,
      ),
      item(
        'cache_write_1h',
        tokens.cache_creation.ephemeral_1h_input_tokens,
        price?.cacheWrite1h,
        charges?.cache_write_1h,
      ),
    ],
    total_usd: charges ? formatUsd(charges.total) : null,
  };
}

function linesCost(lines: readonly UsageLine[], prices: PriceTable, defaultModel: string): Money | null {
  let total: Money = 0n;
  for (const line of lines) {
    const price = priceFor(prices, line.model ?? defaultModel);
    if (!price) return null;
    total += chargeTokens(line.tokens, price).total;
  }
  return total;
}
