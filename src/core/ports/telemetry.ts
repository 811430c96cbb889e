/**
 * What the core reports to operators: counters and durations for metrics, and spans for traces.
 * The adapter (src/observability) turns these into Prometheus series and OpenTelemetry spans;
 * the core never sees either library. NO_TELEMETRY is the default, so reporting is optional.
 */

/** A turn: from the `session.status_running` that opened it to the `session.status_idle` that ends it. */
export interface TurnRef {
  sessionId: string;
  /** The id of the event that opened the turn: every node derives the same trace from it. */
  anchorEventId: string;
  /** When the turn began (the anchor's processed_at), for the turn span's start. */
  startedAt: string;
  agentName?: string | undefined;
}

export type SpanAttributes = Record<string, string | number | boolean | undefined>;

export interface SpanHandle {
  setAttributes(attributes: SpanAttributes): void;
  fail(error: unknown): void;
}

export type ToolKind = 'builtin' | 'mcp' | 'custom' | 'agent';
export type Outcome = 'ok' | 'error';

export interface Telemetry {
  /** Runs fn in a span under the turn's root span (model requests, tool calls). */
  inTurn<T>(
    turn: TurnRef,
    name: string,
    attributes: SpanAttributes,
    fn: (span: SpanHandle) => Promise<T>,
  ): Promise<T>;
  /** The turn ended here: the node that ends it emits its root span. */
  turnEnded(turn: TurnRef, stopReason: string): void;
  modelRequest(report: {
    model: string;
    seconds: number;
    inputTokens: number;
    outputTokens: number;
    outcome: Outcome;
  }): void;
  toolCall(report: { tool: string; kind: ToolKind; seconds: number; outcome: Outcome }): void;
  sandboxStart(report: { seconds: number; outcome: Outcome }): void;
  /** A session lease taken, lost (another node or an expiry) or handed back. */
  lease(event: 'taken' | 'lost' | 'released'): void;
  mcpFailure(server: string): void;
}

const NO_SPAN: SpanHandle = { setAttributes: () => {}, fail: () => {} };

export const NO_TELEMETRY: Telemetry = {
  inTurn: (_turn, _name, _attributes, fn) => fn(NO_SPAN),
  turnEnded: () => {},
  modelRequest: () => {},
  toolCall: () => {},
  sandboxStart: () => {},
  lease: () => {},
  mcpFailure: () => {},
};
