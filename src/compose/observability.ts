import { createServer, type Server } from 'node:http';
import type { PaddockConfig } from '../config/config.js';
import { toTimestamp } from '../core/clock.js';
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
export async function createNodeObservability(
  config: PaddockConfig,
  store: Store,
  /** Tests inject an in-memory exporter; otherwise OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  spanExporter?: SpanExporter | undefined,
): Promise<NodeObservability> {
  const metrics = new PrometheusMetrics({
    sessionsByStatus: () => outsideWorkspaceScope(() => countSessions(store)),
    sessionsWaiting: () => outsideWorkspaceScope(() => sessionsWaitingForNode(store)),
    webhookStats: () => store.webhooks.stats(),
  });
  const tracer = await openTurnTracer(config.otlpEndpoint, spanExporter);
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

/** The ids of the sessions in `status`, page by page, at most COUNT_CAP. */
async function* sessionIds(store: Store, status: string): AsyncGenerator<string> {
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
    for (const item of page.items) yield item.id;
    count += page.items.length;
    const last = page.items.at(-1);
    if (!page.hasMore || !last || count >= COUNT_CAP) return;
    cursor = { createdAt: last.createdAt, id: last.id, direction: 'next' };
  }
}

async function countSessions(store: Store): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const status of SESSION_STATUSES) {
    let count = 0;
    for await (const _id of sessionIds(store, status)) count++;
    counts[status] = count;
  }
  return counts;
}

/**
 * Sessions with work to do that no harness node drives right now: running or rescheduling with
 * no unexpired lease (a node died, or every node is busy), plus idle sessions whose last event
 * is client input whose wake-up was lost (what the fleet's sweep picks up). Fleet-wide: every
 * node reports the same figure, read from the database.
 */
async function sessionsWaitingForNode(store: Store): Promise<number> {
  const now = toTimestamp(Date.now());
  let waiting = 0;
  for (const status of ['running', 'rescheduling']) {
    for await (const id of sessionIds(store, status)) {
      const lease = await store.leases.holder(id);
      if (!lease || lease.expiresAt <= now) waiting++;
    }
  }
  return waiting + (await store.fleet.sessionsAwaitingInput(COUNT_CAP)).length;
}
