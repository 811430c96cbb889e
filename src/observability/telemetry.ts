import type { Telemetry } from '../core/ports/telemetry.js';
import { NO_TELEMETRY } from '../core/ports/telemetry.js';
import type { PrometheusMetrics } from './prometheus-metrics.js';
import type { TurnTracer } from './turn-tracer.js';

/** The core's Telemetry port over Prometheus series and (when configured) OpenTelemetry spans. */
export function createTelemetry(metrics: PrometheusMetrics, tracer: TurnTracer | undefined): Telemetry {
  return {
    inTurn: (turn, name, attributes, fn) =>
      tracer ? tracer.inTurn(turn, name, attributes, fn) : NO_TELEMETRY.inTurn(turn, name, attributes, fn),
    turnEnded(turn, stopReason) {
      metrics.turns.inc({ stop_reason: stopReason });
      tracer?.endTurn(turn, stopReason);
    },
    modelRequest({ model, seconds, inputTokens, outputTokens, outcome }) {
      metrics.modelRequests.inc({ model, outcome });
      metrics.modelSeconds.observe({ model }, seconds);
      if (inputTokens > 0) metrics.modelTokens.inc({ model, direction: 'input' }, inputTokens);
      if (outputTokens > 0) metrics.modelTokens.inc({ model, direction: 'output' }, outputTokens);
    },
    toolCall({ tool, kind, seconds, outcome }) {
      metrics.toolCalls.inc({ tool, kind, outcome });
      metrics.toolSeconds.observe({ tool, kind }, seconds);
    },
    sandboxStart({ seconds, outcome }) {
      metrics.sandboxStarts.inc({ outcome });
      if (outcome === 'ok') metrics.sandboxStartSeconds.observe(seconds);
    },
    lease: (event) => metrics.leases.inc({ event }),
    mcpFailure: (server) => metrics.mcpFailures.inc({ server }),
  };
}
