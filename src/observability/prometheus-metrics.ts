import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { WebhookEndpointStats } from '../core/ports/webhook-repository.js';

/** Read at scrape time from the store and the work queue (wired in src/compose). */
export interface MetricSources {
  sessionsByStatus?: (() => Promise<Record<string, number>>) | undefined;
  queueDepth?: (() => Promise<number>) | undefined;
  /** Sessions with work to do that no harness node drives (compose/observability.ts). */
  sessionsWaiting?: (() => Promise<number>) | undefined;
  webhookStats?: (() => Promise<WebhookEndpointStats[]>) | undefined;
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * The node's Prometheus series, in a registry of its own (never prom-client's global one),
 * so several servers in one process (tests, embedders) keep separate counts.
 */
export class PrometheusMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly requestSeconds: Histogram<'method' | 'route'>;
  readonly turns: Counter<'stop_reason'>;
  readonly modelRequests: Counter<'model' | 'outcome'>;
  readonly modelSeconds: Histogram<'model'>;
  readonly modelTokens: Counter<'model' | 'direction'>;
  readonly toolCalls: Counter<'tool' | 'kind' | 'outcome'>;
  readonly toolSeconds: Histogram<'tool' | 'kind'>;
  readonly sandboxStarts: Counter<'outcome'>;
  readonly sandboxStartSeconds: Histogram;
  readonly leases: Counter<'event'>;
  readonly mcpFailures: Counter<'server'>;

  constructor(sources: MetricSources = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'paddock_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'paddock_http_request_duration_seconds',
      help: 'Time to answer an HTTP request (an event stream counts until it closes).',
      labelNames: ['method', 'route'],
      buckets: SECONDS,
      registers,
    });
    this.turns = new Counter({
      name: 'paddock_turns_total',
      help: 'Turns ended (session.status_idle), by stop reason.',
      labelNames: ['stop_reason'],
      registers,
    });
    this.modelRequests = new Counter({
      name: 'paddock_model_requests_total',
      help: 'Model requests, by model and outcome.',
      labelNames: ['model', 'outcome'],
      registers,
    });
    this.modelSeconds = new Histogram({
      name: 'paddock_model_request_duration_seconds',
      help: 'Model request latency, from the request to the end of its stream.',
      labelNames: ['model'],
      buckets: SECONDS,
      registers,
    });
    this.modelTokens = new Counter({
      name: 'paddock_model_tokens_total',
      help: 'Tokens by model and direction (input, output).',
      labelNames: ['model', 'direction'],
      registers,
    });
    this.toolCalls = new Counter({
      name: 'paddock_tool_calls_total',
      help: 'Tool calls run by the harness, by tool, kind and outcome.',
      labelNames: ['tool', 'kind', 'outcome'],
      registers,
    });
    this.toolSeconds = new Histogram({
      name: 'paddock_tool_call_duration_seconds',
      help: 'Tool call duration, by tool and kind.',
      labelNames: ['tool', 'kind'],
      buckets: SECONDS,
      registers,
    });
    this.sandboxStarts = new Counter({
      name: 'paddock_sandbox_starts_total',
      help: 'Sandboxes started on this node, by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.sandboxStartSeconds = new Histogram({
      name: 'paddock_sandbox_start_duration_seconds',
      help: 'Time from a session first needing a sandbox to the sandbox being ready.',
      buckets: SECONDS,
      registers,
    });
    this.leases = new Counter({
      name: 'paddock_session_leases_total',
      help: 'Session leases taken, lost and released by this node.',
      labelNames: ['event'],
      registers,
    });
    this.mcpFailures = new Counter({
      name: 'paddock_mcp_failures_total',
      help: 'MCP tool calls that failed, by MCP server name.',
      labelNames: ['server'],
      registers,
    });
    const sessionsByStatus = sources.sessionsByStatus;
    if (sessionsByStatus) {
      new Gauge({
        name: 'paddock_sessions',
        help: 'Sessions by status (all workspaces), read at scrape time.',
        labelNames: ['status'],
        registers,
        async collect() {
          this.reset();
          for (const [status, count] of Object.entries(await sessionsByStatus())) this.set({ status }, count);
        },
      });
    }
    registerScrapedGauge(
      registers,
      'paddock_work_queue_depth',
      'Work items waiting for a self-hosted worker, read at scrape time.',
      sources.queueDepth,
    );
    registerScrapedGauge(
      registers,
      'paddock_sessions_waiting_for_node',
      'Sessions with work to do that no harness node drives (no live lease, or a lost wake-up), read at scrape time.',
      sources.sessionsWaiting,
    );
    if (sources.webhookStats) registerWebhookGauges(registers, sources.webhookStats);
  }

  observeRequest(request: { method: string; route: string; status: number; seconds: number }): void {
    this.requests.inc({ method: request.method, route: request.route, status: String(request.status) });
    this.requestSeconds.observe({ method: request.method, route: request.route }, request.seconds);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * The delivery log in numbers, per endpoint, read from the database at scrape time: fleet-wide
 * (any node's scrape says the same) and surviving restarts. Deleting an endpoint drops its series.
 */
function registerWebhookGauges(registers: Registry[], read: () => Promise<WebhookEndpointStats[]>): void {
  // One read serves the three series of a scrape.
  let pending: Promise<WebhookEndpointStats[]> | undefined;
  const stats = () => {
    pending ??= read().finally(() => setTimeout(() => (pending = undefined), 0));
    return pending;
  };
  new Gauge({
    name: 'paddock_webhook_deliveries',
    help: 'Webhook deliveries by endpoint and status (pending, succeeded, failed).',
    labelNames: ['endpoint', 'status'],
    registers,
    async collect() {
      this.reset();
      for (const entry of await stats())
        for (const [status, count] of Object.entries(entry.deliveries))
          this.set({ endpoint: entry.endpointId, status }, count);
    },
  });
  const perEndpoint = (name: string, help: string, value: (entry: WebhookEndpointStats) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['endpoint'],
      registers,
      async collect() {
        this.reset();
        for (const entry of await stats()) this.set({ endpoint: entry.endpointId }, value(entry));
      },
    });
  perEndpoint(
    'paddock_webhook_delivery_attempts',
    'Webhook delivery attempts made, by endpoint.',
    (entry) => entry.attempts,
  );
  perEndpoint(
    'paddock_webhook_delivery_attempt_failures',
    'Webhook delivery attempts that got no 2xx answer (an error status, a timeout, a refused connection), by endpoint.',
    (entry) => entry.failedAttempts,
  );
}

/** A gauge whose one value is read at scrape time; none when this node has no source for it. */
function registerScrapedGauge(
  registers: Registry[],
  name: string,
  help: string,
  read: (() => Promise<number>) | undefined,
): void {
  if (!read) return;
  new Gauge({
    name,
    help,
    registers,
    async collect() {
      this.set(await read());
    },
  });
}
