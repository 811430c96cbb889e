import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { TurnTracer } from './turn-tracer.js';

export type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * Traces go to an OTLP/HTTP collector when OTEL_EXPORTER_OTLP_ENDPOINT is set (read in
 * src/config; the standard `/v1/traces` path is appended as the OpenTelemetry spec says), to an
 * injected exporter in tests, and nowhere otherwise (no spans are made at all).
 */
export function openTurnTracer(
  otlpEndpoint: string | undefined,
  injected?: SpanExporter | undefined,
): TurnTracer | undefined {
  if (injected) return new TurnTracer({ exporter: injected, batch: false });
  if (!otlpEndpoint) return undefined;
  const url = `${otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
  return new TurnTracer({ exporter: new OTLPTraceExporter({ url }), batch: true });
}
