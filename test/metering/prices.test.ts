import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelUsage, SessionEvent } from '../../src/core/events/session-event.js';
import { budgetExceeded } from '../../src/core/metering/budget.js';
import { buildCostReport } from '../../src/core/metering/cost-report.js';
import { costOfLedger, usageSnapshot } from '../../src/core/metering/list-cost.js';
import { cents, formatUsd, monetaryAmount, usd } from '../../src/core/metering/money.js';
import { DEFAULT_PRICES, parsePriceFile, priceFor, resolvePrices } from '../../src/core/metering/prices.js';
import { foldUsageLedger } from '../../src/core/metering/session-usage.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const HOUR = 3_600_000;
let counter = 0;
const at = (ms: number) => new Date(T0 + ms).toISOString();
const event = (ms: number, body: Record<string, unknown>): SessionEvent =>
  ({ id: `sevt_${counter++}`, processed_at: at(ms), ...body }) as SessionEvent;

const span = (ms: number, usage: Partial<ModelUsage>, model?: string, thread?: string) =>
  event(ms, {
    type: 'span.model_request_end',
    model_request_start_id: 'sevt_start',
    is_error: false,
    model_usage: {
      input_tokens: 0,
      output_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
      ...usage,
    },
    ...(model ? { model } : {}),
    ...(thread ? { session_thread_id: thread } : {}),
  });
const running = (ms: number) => event(ms, { type: 'session.status_running' });
const idle = (ms: number) => event(ms, { type: 'session.status_idle', stop_reason: { type: 'end_turn' } });
/** A web search and its result: only a search the backend answered (no error) is billed. */
const webSearch = (ms: number, result: 'ok' | 'error' | 'none' = 'ok', thread?: string): SessionEvent[] => {
  const threadTag = thread ? { session_thread_id: thread } : {};
  const use = event(ms, {
    type: 'agent.tool_use',
    name: 'web_search',
    input: { query: 'q' },
    evaluated_permission: 'allow',
    ...threadTag,
  });
  if (result === 'none') return [use];
  const answer = event(ms, {
    type: 'agent.tool_result',
    tool_use_id: use.id,
    content: [{ type: 'text', text: result === 'ok' ? '1. a result' : 'web_search failed: HTTP 500' }],
    is_error: result === 'error',
    ...threadTag,
  });
  return [use, answer];
};

const totalOf = (events: SessionEvent[], model = 'claude-opus-4-6', nowMs = T0 + 10 * HOUR) =>
  costOfLedger(foldUsageLedger(events, nowMs), DEFAULT_PRICES, model).total;

describe('list prices', () => {
  it("prices the guide's worked example exactly: $0.705 for an hour of Opus 4.6, 50K in, 15K out", () => {
    const events = [
      running(0),
      span(1000, { input_tokens: 50_000, output_tokens: 15_000 }, 'claude-opus-4-6'),
      idle(HOUR),
    ];
    const ledger = foldUsageLedger(events, T0 + 2 * HOUR);
    assert.equal(ledger.session.active_seconds, 3600);
    const cost = costOfLedger(ledger, DEFAULT_PRICES, 'claude-opus-4-6');
    assert.equal(cost.tokens, usd('0.625'));
    assert.equal(cost.runtime, usd('0.08'));
    assert.equal(cost.total, usd('0.705'));
    assert.equal(formatUsd(cost.total ?? 0n), '0.705');
    // The wire amount is whole cents, rounded down.
    assert.deepEqual(monetaryAmount(cost.total ?? 0n), { amount: '70', currency: 'USD' });
    const report = buildCostReport({
      sessionId: 'sesn_x',
      primaryThreadId: 'sthr_x',
      defaultModel: 'claude-opus-4-6',
      ledger,
      prices: DEFAULT_PRICES,
      computedAt: at(0),
    });
    assert.equal(report.total_usd, '0.705');
    assert.deepEqual(
      report.tokens.models[0]?.items.slice(0, 2).map((item) => [item.kind, item.amount_usd]),
      [
        ['input', '0.25'],
        ['output', '0.375'],
      ],
    );
    assert.equal(report.runtime.amount_usd, '0.08');
  });

  it('charges cache reads at 0.1× input and cache writes at 1.25× (5m) and 2× (1h)', () => {
    const reads = [span(0, { cache_read_input_tokens: 1_000_000 }, 'claude-opus-4-6')];
    assert.equal(totalOf(reads), usd('0.5'));
    assert.equal(totalOf([span(0, { cache_read_input_tokens: 1_000_000 }, 'claude-haiku-4-5')]), usd('0.1'));
    // Without a TTL split, cache writes count as 5-minute writes.
    assert.equal(
      totalOf([span(0, { cache_creation_input_tokens: 1_000_000 }, 'claude-sonnet-4-6')]),
      usd('3.75'),
    );
    const split = span(
      0,
      {
        cache_creation_input_tokens: 1_000_000,
        cache_creation: { ephemeral_5m_input_tokens: 400_000, ephemeral_1h_input_tokens: 600_000 },
      },
      'claude-haiku-4-5',
    );
    // 0.4M × $1.25 + 0.6M × $2 = $0.50 + $1.20
    assert.equal(totalOf([split]), usd('1.7'));
  });

  it('matches dated model ids, and an unknown model has list_cost null, not 0', () => {
    assert.ok(priceFor(DEFAULT_PRICES, 'claude-haiku-4-5-20251001'));
    assert.equal(priceFor(DEFAULT_PRICES, 'llama3.2'), undefined);
    assert.equal(totalOf([span(0, { input_tokens: 1_000_000 }, 'claude-haiku-4-5-20251001')]), usd('1'));
    const snapshot = usageSnapshot([span(0, { input_tokens: 10 })], T0, DEFAULT_PRICES, 'llama3.2');
    assert.equal(snapshot.list_cost, null);
    assert.equal(snapshot.input_tokens, 10);
    assert.equal(totalOf([span(0, { input_tokens: 10 }, 'llama3.2')], 'claude-opus-4-6'), null);
  });

  it('charges web search at $10 per 1,000 calls ($0.01 each); denied, failed and unanswered calls free', () => {
    const denied = event(0, {
      type: 'agent.tool_use',
      name: 'web_search',
      input: {},
      evaluated_permission: 'deny',
    });
    assert.equal(totalOf([...webSearch(0), ...webSearch(1), denied]), usd('0.02'));
    assert.equal(totalOf([...webSearch(0)]), usd('0.01'));
    // A backend error (or no backend, or an interrupt) is an error result: nothing was searched.
    assert.equal(totalOf([...webSearch(0, 'error'), ...webSearch(1, 'none')]), 0n);
    const ledger = foldUsageLedger(
      [...webSearch(0, 'ok', 'sthr_child'), ...webSearch(1, 'error'), ...webSearch(2)],
      T0 + HOUR,
    );
    assert.equal(ledger.session.server_tool_use.web_search_requests, 2);
    const child = ledger.threads.find((thread) => thread.threadId === 'sthr_child');
    assert.equal(child?.server_tool_use.web_search_requests, 1);
  });

  it('counts overlapping threads once for runtime and sums tokens per thread', () => {
    const events = [
      running(0),
      event(10 * 60_000, {
        type: 'session.thread_status_running',
        session_thread_id: 'sthr_child',
        agent_name: 'helper',
      }),
      span(20 * 60_000, { input_tokens: 1000 }, 'claude-haiku-4-5', 'sthr_child'),
      span(25 * 60_000, { input_tokens: 2000 }, 'claude-opus-4-6'),
      idle(30 * 60_000),
      event(HOUR, {
        type: 'session.thread_status_idle',
        session_thread_id: 'sthr_child',
        agent_name: 'helper',
        stop_reason: { type: 'end_turn' },
      }),
    ];
    const ledger = foldUsageLedger(events, T0 + 2 * HOUR);
    assert.equal(ledger.session.active_seconds, 3600);
    assert.equal(ledger.session.input_tokens, 3000);
    const child = ledger.threads.find((thread) => thread.threadId === 'sthr_child');
    assert.equal(child?.tokens.input_tokens, 1000);
    assert.equal(child?.activeMs, 50 * 60_000);
    // 1000 Haiku + 2000 Opus input tokens, plus an hour of runtime.
    assert.equal(
      costOfLedger(ledger, DEFAULT_PRICES, 'claude-opus-4-6').total,
      usd('0.001') + usd('0.01') + usd('0.08'),
    );
  });

  it('prices runtime to the millisecond and leaves idle time free', () => {
    const events = [running(0), idle(1), running(HOUR), idle(HOUR + 1800_000)];
    // 1 ms + 30 min = 1,800,001 ms at $0.08/h
    const ledger = foldUsageLedger(events, T0 + 3 * HOUR);
    assert.equal(ledger.activeMs, 1_800_001);
    assert.equal(costOfLedger(ledger, DEFAULT_PRICES, 'claude-opus-4-6').runtime, usd('0.040000022222222'));
  });

  it('reads price overrides: per-model entries, null to unprice, runtime and web search', () => {
    const table = resolvePrices(
      parsePriceFile({
        models: { 'llama3.2': { input: '0.1', output: 0.2 }, 'claude-haiku-4-5': null },
        runtime_per_hour: '0',
        web_search_per_1000: '5',
      }),
    );
    assert.equal(priceFor(table, 'claude-haiku-4-5'), undefined);
    assert.equal(priceFor(table, 'llama3.2')?.cacheRead, usd('0.01'));
    assert.equal(table.runtimePerHour, 0n);
    assert.equal(
      costOfLedger(
        foldUsageLedger([span(0, { output_tokens: 1_000_000 }), ...webSearch(0)], T0),
        table,
        'llama3.2',
      ).total,
      usd('0.205'),
    );
    assert.throws(() => parsePriceFile({ models: { x: { input: '-1', output: '1' } } }), /models\.x\.input/);
    assert.throws(() => parsePriceFile({ surprise: 1 }), /price file/);
  });

  it('stops at the budget: whole cents, reached when spend is at or above it', () => {
    const events = [span(0, { input_tokens: 20_000 }, 'claude-opus-4-6')]; // $0.10
    const session = (amount: string) => ({
      budget: { type: 'limit' as const, max_list_cost: { amount, currency: 'USD' } },
      agent: { model: { id: 'claude-opus-4-6' } },
    });
    assert.equal(cents('2500'), usd('25'));
    assert.equal(budgetExceeded(session('10'), events, T0, DEFAULT_PRICES), true);
    assert.equal(budgetExceeded(session('11'), events, T0, DEFAULT_PRICES), false);
    assert.equal(budgetExceeded({ ...session('11'), budget: null }, events, T0, DEFAULT_PRICES), false);
    const unknown = { ...session('100000'), agent: { model: { id: 'llama3.2' } } };
    assert.equal(budgetExceeded(unknown, [], T0, DEFAULT_PRICES), true, 'an unpriced model cannot be capped');
  });
});
