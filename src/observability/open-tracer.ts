import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TurnTracer } from './turn-tracer.js';

export type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * Traces go to an OTLP/HTTP collector when OTEL_EXPORTER_OTLP_ENDPOINT is set (read in
 * src/config; the standard `/v1/traces` path is appended as the OpenTelemetry spec says), to an
 * injected exporter in tests, and nowhere otherwise (no spans are made at all). The tracing SDK
 * and the exporter are imported only then: a node without traces never loads them (~0.5 MB of
 * bundled code, issue #21's idle memory).
 */
export async function openTurnTracer(
  otlpEndpoint: string | undefined,
  injected?: SpanExporter | undefined,
): Promise<TurnTracer | undefined> {
  if (!injected && !otlpEndpoint) return undefined;
  const { TurnTracer: Tracer } = await import('./turn-tracer.js');
  if (injected) return new Tracer({ exporter: injected, batch: false });
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const url = `${(otlpEndpoint ?? '').replace(/\/+$/, '')}/v1/traces`;
  return new Tracer({ exporter: new OTLPTraceExporter({ url }), batch: true });
}
