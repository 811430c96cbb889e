import { createServer, type Server } from 'node:http';
import type { PaddockConfig } from '../config/config.js';
import type { Store } from '../core/ports/store.js';
import type { Telemetry } from '../core/ports/telemetry.js';
import { outsideWorkspaceScope } from '../core/workspaces/workspace-scope.js';
import { openTurnTracer, type SpanExporter } from '../observability/open-tracer.js';
import { PrometheusMetrics } from '../observability/prometheus-metrics.js';
import { createTelemetry } from '../observability/telemetry.js';
import type { TurnTracer } from '../observability/turn-tracer.js';

const SESSION_STATUSES = ['idle', 'running', 'rescheduling', 'terminated'] as const;
/** Sessions are counted by paging the store; past this many per status the gauge says "at least". */
const COUNT_CAP = 100_000;
const PAGE = 1000;

export interface NodeObservability {
  metrics: PrometheusMetrics;
  telemetry: Telemetry;
  tracer: TurnTracer | undefined;
  /** Starts the unauthenticated metrics listener (PADDOCK_METRICS_PORT), if configured. */
  listen(): Promise<void>;
  close(): Promise<void>;
}

/** Part of the composition root: metrics, traces (OTLP when configured) and their listener. */
export function createNodeObservability(
  config: PaddockConfig,
  store: Store,
  /** Tests inject an in-memory exporter; otherwise OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  spanExporter?: SpanExporter | undefined,
): NodeObservability {
  const metrics = new PrometheusMetrics({
    sessionsByStatus: () => outsideWorkspaceScope(() => countSessions(store)),
  });
  const tracer = openTurnTracer(config.otlpEndpoint, spanExporter);
  let server: Server | undefined;
  return {
    metrics,
    telemetry: createTelemetry(metrics, tracer),
    tracer,
    async listen() {
      if (config.metricsPort === undefined) return;
      const listener = createServer((request, response) => {
        if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
          response.writeHead(404).end();
          return;
        }
        metrics.render().then(
          ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
          () => response.writeHead(500).end(),
        );
      });
      server = listener;
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(config.metricsPort, config.host, () => resolve());
      });
    },
    async close() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await tracer?.close();
    },
  };
}

async function countSessions(store: Store): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const status of SESSION_STATUSES) {
    let count = 0;
    let cursor: { createdAt: string; id: string; direction: 'next' } | undefined;
    for (;;) {
      const page = await store.resources.list({
        kind: 'session',
        statuses: [status],
        includeArchived: true,
        order: 'asc',
        limit: PAGE,
        cursor,
      });
      count += page.items.length;
      const last = page.items.at(-1);
      if (!page.hasMore || !last || count >= COUNT_CAP) break;
      cursor = { createdAt: last.createdAt, id: last.id, direction: 'next' };
    }
    counts[status] = count;
  }
  return counts;
}
