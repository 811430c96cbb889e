import { createHash } from 'node:crypto';
import {
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type IdGenerator,
  RandomIdGenerator,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { SpanAttributes, SpanHandle, TurnRef } from '../core/ports/telemetry.js';

/**
 * A turn's trace is derived from the id of the log event that opened it, so every node of a
 * fleet that drives part of the turn (after a takeover, or a worker on another host) puts its
 * spans in the same trace under the same root span, with nothing else to hand over: the log
 * is the carrier. The node that ends the turn emits the root span with those ids.
 */
export function turnIds(anchorEventId: string): { traceId: string; spanId: string } {
  const digest = createHash('sha256').update(`paddock-turn:${anchorEventId}`).digest('hex');
  return { traceId: digest.slice(0, 32), spanId: digest.slice(32, 48) };
}

/** W3C `traceparent` of a turn's root span (logged with the turn, for correlation). */
export function turnTraceparent(anchorEventId: string): string {
  const { traceId, spanId } = turnIds(anchorEventId);
  return `00-${traceId}-${spanId}-01`;
}

/** Random ids, except for the one span started inside `withIds` (the turn's root). */
class AnchoredIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private next: { traceId: string; spanId: string } | undefined;

  withIds<T>(ids: { traceId: string; spanId: string }, fn: () => T): T {
    this.next = ids;
    try {
      return fn();
    } finally {
      this.next = undefined;
    }
  }
  generateTraceId(): string {
    return this.next?.traceId ?? this.random.generateTraceId();
  }
  generateSpanId(): string {
    return this.next?.spanId ?? this.random.generateSpanId();
  }
}

export interface TurnTracerOptions {
  /** Where spans go: the OTLP exporter in production, an in-memory one in tests. */
  exporter: SpanExporter;
  /** Batch in production; tests export each span as it ends. */
  batch: boolean;
  serviceName?: string | undefined;
}

/** OpenTelemetry spans for turns, model requests and tool calls, with explicit parents (no global context). */
export class TurnTracer {
  private readonly ids = new AnchoredIdGenerator();
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;

  constructor(options: TurnTracerOptions) {
    const processor = options.batch
      ? new BatchSpanProcessor(options.exporter)
      : new SimpleSpanProcessor(options.exporter);
    this.provider = new BasicTracerProvider({ idGenerator: this.ids, spanProcessors: [processor] });
    this.tracer = this.provider.getTracer('paddock');
  }

  async inTurn<T>(
    turn: TurnRef,
    name: string,
    attributes: SpanAttributes,
    fn: (span: SpanHandle) => Promise<T>,
  ): Promise<T> {
    const { traceId, spanId } = turnIds(turn.anchorEventId);
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId,
      spanId,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    const span = this.tracer.startSpan(
      name,
      { kind: SpanKind.CLIENT, attributes: defined({ ...attributes, 'paddock.session.id': turn.sessionId }) },
      parent,
    );
    try {
      return await fn(handle(span));
    } catch (error) {
      handle(span).fail(error);
      throw error;
    } finally {
      span.end();
    }
  }

  /** The turn's root span, from its opening event to now, with the ids every node derived. */
  endTurn(turn: TurnRef, stopReason: string): void {
    const agentName = turn.agentName;
    const span = this.ids.withIds(turnIds(turn.anchorEventId), () =>
      this.tracer.startSpan(
        agentName ? `invoke_agent ${agentName}` : 'invoke_agent',
        {
          kind: SpanKind.INTERNAL,
          startTime: new Date(turn.startedAt),
          attributes: defined({
            'gen_ai.operation.name': 'invoke_agent',
            'gen_ai.agent.name': agentName,
            'paddock.session.id': turn.sessionId,
            'paddock.turn.stop_reason': stopReason,
          }),
        },
        ROOT_CONTEXT,
      ),
    );
    span.end();
  }

  async close(): Promise<void> {
    await this.provider.shutdown();
  }
}

function handle(span: Span): SpanHandle {
  return {
    setAttributes: (attributes) => span.setAttributes(defined(attributes)),
    fail: (error) => {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
      span.setAttribute('error.type', error instanceof Error ? error.name : 'error');
    },
  };
}

function defined(attributes: SpanAttributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value;
  return out;
}
