import type { SessionEvent } from '../events/session-event.js';
import type { UsageGroup } from '../schemas/metering.js';
import { chargeTokens, runtimeCharge, webFetchCharge, webSearchCharge } from './list-cost.js';
import { formatUsd, type Money } from './money.js';
import { type PriceTable, priceFor } from './prices.js';
import {
  addTokens,
  emptyTokens,
  foldUsageLedger,
  meteredSpan,
  spanTokens,
  type TokenUsage,
  webSearchTracker,
} from './session-usage.js';

export interface UsageReportRow {
  day?: string;
  agent_id?: string;
  agent_name?: string;
  model?: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_5m_input_tokens: number;
  cache_creation_1h_input_tokens: number;
  active_seconds: number;
  web_search_requests: number;
  web_fetch_requests: number;
  /** Exact decimal USD; null when the row holds tokens of a model without a list price. */
  token_cost_usd: string | null;
  runtime_cost_usd: string;
  server_tool_cost_usd: string;
  total_cost_usd: string | null;
}

export interface SessionMeta {
  agentId: string;
  agentName: string;
  /** The session agent's model: prices spans logged without one, and carries runtime and tool costs. */
  model: string;
}

/** The finest grain: one UTC day × agent × model. Rows roll cells up into the requested groups. */
interface Cell {
  day: string;
  agentId: string;
  agentName: string;
  model: string;
  requests: number;
  tokens: TokenUsage;
  activeMs: number;
  webSearch: number;
  webFetch: number;
}

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Organization usage over [startMs, endMs): tokens from `span.model_request_end`,
 * web fetches from `agent.tool_use`, web searches from their successful results
 * (session-usage.ts), runtime from running intervals clipped to
 * the window and split at UTC midnight. Runtime and tools count under the
 * session agent's model.
 */
export class UsageAggregator {
  private readonly cells = new Map<string, Cell>();

  constructor(
    private readonly window: { startMs: number; endMs: number },
    private readonly prices: PriceTable,
  ) {}

  addSession(meta: SessionMeta, events: readonly SessionEvent[]): void {
    const inWindow = (ms: number) => ms >= this.window.startMs && ms < this.window.endMs;
    const searchCounted = webSearchTracker();
    for (const event of events) {
      const at = Date.parse(event.processed_at);
      // Fed every event, so a search started before the window still counts when it completes inside it.
      const search = searchCounted(event);
      if (!inWindow(at)) continue;
      if (search) this.cell(meta, dayOf(at), meta.model).webSearch += 1;
      const span = meteredSpan(event);
      if (span) {
        const cell = this.cell(meta, dayOf(at), span.model ?? meta.model);
        cell.requests += 1;
        addTokens(cell.tokens, spanTokens(span.usage));
      } else if (event.type === 'agent.tool_use' && event.evaluated_permission !== 'deny') {
        if (event.name === 'web_fetch') this.cell(meta, dayOf(at), meta.model).webFetch += 1;
      }
    }
    for (const [start, end] of foldUsageLedger(events, this.window.endMs).intervals) {
      let from = Math.max(start, this.window.startMs);
      const to = Math.min(end, this.window.endMs);
      while (from < to) {
        const midnight = (Math.floor(from / DAY_MS) + 1) * DAY_MS;
        const until = Math.min(to, midnight);
        this.cell(meta, dayOf(from), meta.model).activeMs += until - from;
        from = until;
      }
    }
  }

  rows(groupBy: readonly UsageGroup[]): UsageReportRow[] {
    const groups = new Map<string, { row: UsageReportRow; cells: Cell[] }>();
    for (const cell of this.cells.values()) {
      const dims: Pick<UsageReportRow, 'day' | 'agent_id' | 'agent_name' | 'model'> = {};
      if (groupBy.includes('day')) dims.day = cell.day;
      if (groupBy.includes('agent')) {
        dims.agent_id = cell.agentId;
        dims.agent_name = cell.agentName;
      }
      if (groupBy.includes('model')) dims.model = cell.model;
      const key = JSON.stringify([dims.day, dims.agent_id, dims.model]);
      const group = groups.get(key) ?? { row: { ...dims } as UsageReportRow, cells: [] };
      group.cells.push(cell);
      groups.set(key, group);
    }
    return [...groups.values()]
      .map(({ row, cells }) => ({ ...row, ...this.totals(cells) }))
      .sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
  }

  /** The whole window in one row. */
  total(): UsageReportRow {
    return this.totals([...this.cells.values()]);
  }

  private totals(cells: readonly Cell[]): UsageReportRow {
    const tokens = emptyTokens();
    let requests = 0;
    let activeMs = 0;
    let webSearch = 0;
    let webFetch = 0;
    let tokenCost: Money | null = 0n;
    for (const cell of cells) {
      addTokens(tokens, cell.tokens);
      requests += cell.requests;
      activeMs += cell.activeMs;
      webSearch += cell.webSearch;
      webFetch += cell.webFetch;
      const price = priceFor(this.prices, cell.model);
      if (!price && cell.requests > 0) tokenCost = null;
      if (price && tokenCost !== null) tokenCost += chargeTokens(cell.tokens, price).total;
    }
    const runtime = runtimeCharge(activeMs, this.prices);
    const tools = webSearchCharge(webSearch, this.prices) + webFetchCharge(webFetch, this.prices);
    return {
      requests,
      input_tokens: tokens.input_tokens,
      output_tokens: tokens.output_tokens,
      cache_read_input_tokens: tokens.cache_read_input_tokens,
      cache_creation_5m_input_tokens: tokens.cache_creation.ephemeral_5m_input_tokens,
      cache_creation_1h_input_tokens: tokens.cache_creation.ephemeral_1h_input_tokens,
      active_seconds: activeMs / 1000,
      web_search_requests: webSearch,
      web_fetch_requests: webFetch,
      token_cost_usd: tokenCost === null ? null : formatUsd(tokenCost),
      runtime_cost_usd: formatUsd(runtime),
      server_tool_cost_usd: formatUsd(tools),
      total_cost_usd: tokenCost === null ? null : formatUsd(tokenCost + runtime + tools),
    };
  }

  private cell(meta: SessionMeta, day: string, model: string): Cell {
    const key = JSON.stringify([day, meta.agentId, model]);
    let cell = this.cells.get(key);
    if (!cell) {
      cell = {
        day,
        agentId: meta.agentId,
        agentName: meta.agentName,
        model,
        requests: 0,
        tokens: emptyTokens(),
        activeMs: 0,
        webSearch: 0,
        webFetch: 0,
      };
      this.cells.set(key, cell);
    }
    return cell;
  }
}

const sortKey = (row: UsageReportRow) =>
  [row.day ?? '', row.agent_name ?? '', row.model ?? ''].join('\u0000');

const METRIC_COLUMNS = [
  'requests',
  'input_tokens',
  'output_tokens',
  'cache_read_input_tokens',
  'cache_creation_5m_input_tokens',
  'cache_creation_1h_input_tokens',
  'active_seconds',
  'web_search_requests',
  'web_fetch_requests',
  'token_cost_usd',
  'runtime_cost_usd',
  'server_tool_cost_usd',
  'total_cost_usd',
] as const;

/** CSV with a header row: the grouped dimensions in group_by order, then the metrics. Null is empty. */
export function usageReportCsv(rows: readonly UsageReportRow[], groupBy: readonly UsageGroup[]): string {
  const dimensions = groupBy.flatMap((group) =>
    group === 'agent' ? (['agent_id', 'agent_name'] as const) : ([group] as const),
  );
  const columns = [...dimensions, ...METRIC_COLUMNS];
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvField(row[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
