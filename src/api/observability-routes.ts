import type { FastifyInstance } from 'fastify';
import { adminOnly } from './access.js';

/** The node's metrics in the Prometheus text format (the adapter renders them; the API only serves them). */
export interface MetricsSource {
  render(): Promise<{ contentType: string; body: string }>;
}

/** Told of every answered request, for the request metrics. */
export type RequestObserver = (request: {
  method: string;
  route: string;
  status: number;
  seconds: number;
}) => void;

export interface ObservabilityOptions {
  metrics?: MetricsSource | undefined;
  onRequest?: RequestObserver | undefined;
}

/**
 * `GET /metrics`, for organization (admin) keys like the other operator routes (a scraper sends
 * the key as a bearer token); PADDOCK_METRICS_PORT serves the same text without a key on a
 * separate listener (src/compose). Requests are counted by route pattern, never by raw URL,
 * so ids do not explode the label set.
 */
export function registerObservabilityRoutes(app: FastifyInstance, options: ObservabilityOptions): void {
  const observe = options.onRequest;
  if (observe) {
    app.addHook('onResponse', async (request, reply) => {
      observe({
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        seconds: reply.elapsedTime / 1000,
      });
    });
  }
  // Log lines of a session's routes carry its id beside the request id.
  app.addHook('preHandler', async (request) => {
    const sessionId = (request.params as { session_id?: unknown } | undefined)?.session_id;
    if (typeof sessionId === 'string') request.log = request.log.child({ session_id: sessionId });
  });
  const metrics = options.metrics;
  if (metrics) {
    app.get('/metrics', adminOnly, async (_request, reply) => {
      const { contentType, body } = await metrics.render();
      return reply.type(contentType).send(body);
    });
  }
}
