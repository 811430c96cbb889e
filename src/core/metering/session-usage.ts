import type { ModelUsage, SessionEvent } from '../events/session-event.js';

export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

export interface ServerToolUse {
  web_search_requests: number;
  web_fetch_requests: number;
}

/** The wire's session usage, minus `list_cost` (pricing is applied on top, see list-cost.ts). */
export interface FoldedUsage extends TokenUsage {
  server_tool_use: ServerToolUse;
  active_seconds: number;
}

/** Tokens of one (thread, model) pair. `model` is undefined for spans logged without one. */
export interface UsageLine {
  threadId: string | null;
  model: string | undefined;
  requests: number;
  tokens: TokenUsage;
}

/** One thread's share; `threadId` null is the primary thread. */
export interface ThreadUsage {
  threadId: string | null;
  tokens: TokenUsage;
  server_tool_use: ServerToolUse;
  activeMs: number;
}

export interface UsageLedger {
  session: FoldedUsage;
  /** Running time with at least one thread running; overlapping threads count once. */
  activeMs: number;
  /** The session's running intervals [startMs, endMs), for reports that split runtime by day. */
  intervals: Array<[number, number]>;
  lines: UsageLine[];
  threads: ThreadUsage[];
}

export const emptyTokens = (): TokenUsage => ({
  input_tokens: 0,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
});

export function addTokens(into: TokenUsage, add: TokenUsage): void {
  into.input_tokens += add.input_tokens;
  into.output_tokens += add.output_tokens;
  into.cache_read_input_tokens += add.cache_read_input_tokens;
  into.cache_creation.ephemeral_5m_input_tokens += add.cache_creation.ephemeral_5m_input_tokens;
  into.cache_creation.ephemeral_1h_input_tokens += add.cache_creation.ephemeral_1h_input_tokens;
}

/**
 * A span's tokens. Cache writes count as 5-minute writes unless the provider
 * reported the TTL split (the wire's `model_usage` has only the total).
 */
export function spanTokens(usage: ModelUsage): TokenUsage {
  const split = usage.cache_creation;
  const total = Math.max(
    usage.cache_creation_input_tokens,
    (split?.ephemeral_5m_input_tokens ?? 0) + (split?.ephemeral_1h_input_tokens ?? 0),
  );
  const oneHour = split?.ephemeral_1h_input_tokens ?? 0;
  return {
    input_tokens: usage.input_tokens,
    output_tokens: usage.output_tokens,
    cache_read_input_tokens: usage.cache_read_input_tokens,
    cache_creation: { ephemeral_5m_input_tokens: total - oneHour, ephemeral_1h_input_tokens: oneHour },
  };
}

/**
 * A model request's tokens in the log: an agent's `span.model_request_end`, or an outcome
 * grader's `span.outcome_evaluation_end` (priced the same way, at the model it names).
 */
export function meteredSpan(
  event: SessionEvent,
): { usage: ModelUsage; model: string | undefined } | undefined {
  if (event.type === 'span.model_request_end') return { usage: event.model_usage, model: event.model };
  if (event.type === 'span.outcome_evaluation_end') return { usage: event.usage, model: event.model };
  return undefined;
}

const PRIMARY = '';
const keyOf = (threadId: string | null | undefined) => threadId || PRIMARY;

/** Start/stop of the primary (session.status_*) and child (session.thread_status_*) threads. */
function runningChange(event: SessionEvent): { key: string; running: boolean } | undefined {
  switch (event.type) {
    case 'session.status_running':
      return event.session_thread_id ? undefined : { key: PRIMARY, running: true };
    case 'session.status_idle':
    case 'session.status_rescheduled':
    case 'session.status_terminated':
      return event.session_thread_id ? undefined : { key: PRIMARY, running: false };
    case 'session.thread_status_running':
      return { key: event.session_thread_id, running: true };
    case 'session.thread_status_idle':
    case 'session.thread_status_rescheduled':
    case 'session.thread_status_terminated':
      return { key: event.session_thread_id, running: false };
    default:
      return undefined;
  }
}

/**
 * Usage is a pure fold over the log: tokens from every `span.model_request_end`
 * (events tagged `session_thread_id` belong to that thread), web fetches from
 * `agent.tool_use`, web searches from their successful `agent.tool_result`,
 * runtime from running intervals (idle time is free).
 * The session's active time is the union of its threads' running intervals.
 */
export function foldUsageLedger(events: readonly SessionEvent[], nowMs: number): UsageLedger {
  const fold = new UsageFold();
  for (const event of events) fold.add(event);
  return fold.ledger(nowMs);
}

/**
 * The fold of `foldUsageLedger`, one event at a time: the harness keeps it between the steps
 * of a long session and adds only what was appended since. `ledger()` reads it without
 * changing it (every object it returns is fresh).
 */
export class UsageFold {
  private readonly lines = new Map<string, UsageLine>();
  private readonly threads = new Map<string, ThreadUsage>([[PRIMARY, newThread(null)]]);
  private readonly runningSince = new Map<string, number>();
  private readonly intervals: Array<[number, number]> = [];
  private closedMs = 0;
  private sessionSince: number | undefined;
  private readonly searchCounted = webSearchTracker();

  add(event: SessionEvent): void {
    const search = this.searchCounted(event);
    if (search) this.thread(search.threadId).server_tool_use.web_search_requests += 1;
    const span = meteredSpan(event);
    if (span) {
      const tokens = spanTokens(span.usage);
      const owner = this.thread(event.session_thread_id);
      addTokens(owner.tokens, tokens);
      const lineKey = `${owner.threadId ?? PRIMARY}\u0000${span.model ?? ''}`;
      let line = this.lines.get(lineKey);
      if (!line) {
        line = { threadId: owner.threadId, model: span.model, requests: 0, tokens: emptyTokens() };
        this.lines.set(lineKey, line);
      }
      line.requests += 1;
      addTokens(line.tokens, tokens);
    } else if (event.type === 'agent.tool_use' && event.evaluated_permission !== 'deny') {
      if (event.name === 'web_fetch')
        this.thread(event.session_thread_id).server_tool_use.web_fetch_requests += 1;
    }
    const change = runningChange(event);
    if (!change) return;
    const at = Date.parse(event.processed_at);
    const since = this.runningSince.get(change.key);
    if (change.running && since === undefined) {
      this.runningSince.set(change.key, at);
      this.thread(change.key);
      if (this.sessionSince === undefined) this.sessionSince = at;
    } else if (!change.running && since !== undefined) {
      this.runningSince.delete(change.key);
      this.thread(change.key).activeMs += Math.max(0, at - since);
      // A terminated session stops every thread with it.
      if (event.type === 'session.status_terminated') {
        for (const [key, start] of this.runningSince) this.thread(key).activeMs += Math.max(0, at - start);
        this.runningSince.clear();
      }
      if (this.runningSince.size === 0 && this.sessionSince !== undefined) {
        const interval: [number, number] = [this.sessionSince, Math.max(this.sessionSince, at)];
        this.intervals.push(interval);
        this.closedMs += interval[1] - interval[0];
        this.sessionSince = undefined;
      }
    }
  }

  /** The ledger as of `nowMs`: threads still running count up to then. */
  ledger(nowMs: number): UsageLedger {
    const threads = new Map<string, ThreadUsage>();
    for (const [key, each] of this.threads) threads.set(key, copyThread(each));
    for (const [key, start] of this.runningSince) {
      const open = threads.get(keyOf(key));
      if (open) open.activeMs += Math.max(0, nowMs - start);
    }
    // Closed intervals never change: the copy shares them (a long session has thousands).
    const intervals = this.intervals.slice();
    let sessionActiveMs = this.closedMs;
    if (this.sessionSince !== undefined) {
      intervals.push([this.sessionSince, Math.max(this.sessionSince, nowMs)]);
      sessionActiveMs += Math.max(this.sessionSince, nowMs) - this.sessionSince;
    }
    const session: FoldedUsage = {
      ...emptyTokens(),
      server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
      active_seconds: sessionActiveMs / 1000,
    };
    for (const each of threads.values()) {
      addTokens(session, each.tokens);
      session.server_tool_use.web_search_requests += each.server_tool_use.web_search_requests;
      session.server_tool_use.web_fetch_requests += each.server_tool_use.web_fetch_requests;
    }
    const lines = [...this.lines.values()].map((line) => ({ ...line, tokens: copyTokens(line.tokens) }));
    return { session, activeMs: sessionActiveMs, intervals, lines, threads: [...threads.values()] };
  }

  private thread(threadId: string | null | undefined): ThreadUsage {
    const key = keyOf(threadId);
    const found = this.threads.get(key) ?? newThread(key);
    this.threads.set(key, found);
    return found;
  }
}

const copyTokens = (tokens: TokenUsage): TokenUsage => ({
  ...tokens,
  cache_creation: { ...tokens.cache_creation },
});

const copyThread = (thread: ThreadUsage): ThreadUsage => ({
  ...thread,
  tokens: copyTokens(thread.tokens),
  server_tool_use: { ...thread.server_tool_use },
});

/**
 * A web search is billed when its backend answered, and only its result says
 * so: a search that failed, was interrupted, or had no backend costs nothing.
 * Fed a log in order, the tracker names the thread of each search a
 * successful `agent.tool_result` completes (once per search).
 */
export function webSearchTracker(): (event: SessionEvent) => { threadId: string | null } | undefined {
  const uses = new Map<string, string | null>();
  return (event) => {
    if (
      event.type === 'agent.tool_use' &&
      event.name === 'web_search' &&
      event.evaluated_permission !== 'deny'
    ) {
      uses.set(event.id, event.session_thread_id ?? null);
    } else if (event.type === 'agent.tool_result' && event.is_error !== true && uses.has(event.tool_use_id)) {
      const threadId = uses.get(event.tool_use_id) ?? null;
      uses.delete(event.tool_use_id);
      return { threadId };
    }
    return undefined;
  };
}

/** The session-wide wire usage (without `list_cost`). */
export function foldSessionUsage(events: readonly SessionEvent[], nowMs: number): FoldedUsage {
  return foldUsageLedger(events, nowMs).session;
}

function newThread(key: string | null): ThreadUsage {
  return {
    threadId: key || null,
    tokens: emptyTokens(),
    server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
    activeMs: 0,
  };
}
