import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import type { OutboundFetch } from '../ports/outbound-http.js';
import type { Store } from '../ports/store.js';
import type { ClaimedDelivery, WebhookAttemptRow } from '../ports/webhook-repository.js';
import type { WebhookSigner } from '../ports/webhook-signer.js';
import { checkEndpointUrl } from './endpoint-url.js';
import { MAX_ATTEMPTS, retryDelay } from './retry-schedule.js';

export interface SecretOpener {
  open(ownerId: string, sealed: string): string;
}

export interface WebhookDispatcherOptions {
  store: Store;
  clock: Clock;
  fetch: OutboundFetch;
  sign: WebhookSigner;
  secrets: SecretOpener;
  /** This node's name in the delivery leases. */
  nodeId: string;
  /** One attempt's limit: connect, send and read the response (PADDOCK_WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /** How often due deliveries are looked for when nothing wakes the dispatcher. */
  pollMs: number;
  /** Plain http:// and private addresses are allowed (PADDOCK_ALLOW_PRIVATE_NETWORKS). */
  allowPrivate: boolean;
  /**
   * Succeeded and failed deliveries (with their attempts and events) are removed this long after
   * their last change (PADDOCK_WEBHOOK_RETENTION_DAYS); 0 or absent keeps them forever.
   */
  retentionMs?: number | undefined;
  /** How often, by `clock`, a node runs the retention sweep (default hourly). */
  sweepEveryMs?: number | undefined;
  random?: () => number;
  onError?: (error: unknown) => void;
}

/** At most this much of a response body is read (and kept in the delivery log). */
export const RESPONSE_EXCERPT_BYTES = 1024;
const BATCH = 10;
/** A lease outlives its attempt by this much, so a slow attempt is never sent twice. */
const LEASE_GRACE_MS = 5_000;
const SWEEP_EVERY_MS = 60 * 60 * 1000;
/** Deliveries one statement of the sweep removes; it repeats until fewer are left. */
const SWEEP_BATCH = 500;

/**
 * Sends due deliveries from the outbox (every `serve` and `worker` node runs one). Each
 * attempt is claimed with a lease in the database first, so two nodes never send the same
 * attempt, and a node killed mid-attempt leaves a lease that lapses: another node sends the
 * delivery again (at least once; receivers deduplicate by `webhook-id`).
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private wakeRequested = false;
  private nextSweepAt: number | undefined;

  constructor(private readonly options: WebhookDispatcherOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Something was queued and committed: look now (or right after the pass under way). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.wakeRequested = true;
    else this.schedule(0);
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: sends what is due now; resolves to how many attempts were made. */
  async runOnce(): Promise<number> {
    const { store, clock, nodeId, timeoutMs } = this.options;
    const now = toTimestamp(clock.now());
    const due = await store.webhooks.due(now, BATCH);
    const claimed: ClaimedDelivery[] = [];
    for (const delivery of due) {
      const leaseExpiresAt = toTimestamp(clock.now() + timeoutMs + LEASE_GRACE_MS);
      const claim = await store.webhooks.claim(delivery.id, delivery.attempts, nodeId, leaseExpiresAt, now);
      if (claim) claimed.push(claim);
    }
    await Promise.all(claimed.map((claim) => this.attempt(claim)));
    return claimed.length;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.loop().finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        const again = this.wakeRequested;
        this.wakeRequested = false;
        this.schedule(again ? 0 : this.options.pollMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  /**
   * The retention sweep: removes succeeded and failed deliveries last changed more than
   * `retentionMs` ago, their attempts and their events; resolves to how many deliveries went.
   */
  async sweep(): Promise<number> {
    const { retentionMs, clock, store } = this.options;
    if (!retentionMs) return 0;
    const before = toTimestamp(clock.now() - retentionMs);
    let removed = 0;
    for (;;) {
      const { deliveries } = await store.webhooks.purgeFinished(before, SWEEP_BATCH);
      removed += deliveries;
      if (deliveries < SWEEP_BATCH || this.stopped) return removed;
    }
  }

  private async loop(): Promise<void> {
    try {
      // A full batch means more may be due.
      while (!this.stopped && (await this.runOnce()) >= BATCH);
      await this.sweepWhenDue();
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /** A node sweeps on its first pass, then every `sweepEveryMs` by its clock. */
  private async sweepWhenDue(): Promise<void> {
    if (!this.options.retentionMs || this.stopped) return;
    const now = this.options.clock.now();
    if (this.nextSweepAt !== undefined && now < this.nextSweepAt) return;
    this.nextSweepAt = now + (this.options.sweepEveryMs ?? SWEEP_EVERY_MS);
    await this.sweep();
  }

  private async attempt({ delivery, event, endpoint }: ClaimedDelivery): Promise<void> {
    const { clock, store, nodeId } = this.options;
    const started = clock.now();
    const startedAt = toTimestamp(started);
    const wallStart = performance.now();
    const outcome = await this.send(
      endpoint.url,
      endpoint.id,
      endpoint.sealedSecret,
      event.id,
      event.payload,
    );
    const attemptNumber = delivery.attempts + 1;
    const attempt: WebhookAttemptRow = {
      deliveryId: delivery.id,
      attempt: attemptNumber,
      endpointId: endpoint.id,
      startedAt,
      durationMs: Math.round(performance.now() - wallStart),
      statusCode: outcome.statusCode,
      error: outcome.error,
      responseExcerpt: outcome.excerpt,
    };
    const ok = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
    const delay = ok ? undefined : retryDelay(attemptNumber, this.options.random);
    const status = ok ? 'succeeded' : delay === undefined ? 'failed' : 'pending';
    const finished = await store.webhooks.finishAttempt(attempt, nodeId, {
      status,
      attempts: attemptNumber,
      nextAttemptAt: toTimestamp(clock.now() + (delay ?? 0)),
      lastStatusCode: outcome.statusCode,
      lastError: outcome.error,
    });
    if (finished && status === 'failed' && attemptNumber >= MAX_ATTEMPTS)
      await this.disable(
        endpoint.workspaceId,
        endpoint.id,
        delivery.id,
        attemptNumber,
        outcome,
        delivery.createdAt,
      );
  }

  private async send(
    url: string,
    endpointId: string,
    sealedSecret: string,
    messageId: string,
    body: string,
  ): Promise<{ statusCode: number | null; error: string; excerpt: string }> {
    try {
      // The policy may have changed since the endpoint was written (a restart without the opt-in).
      const refused = checkEndpointUrl(url, this.options.allowPrivate);
      if (refused) return { statusCode: null, error: refused, excerpt: '' };
      const secret = this.options.secrets.open(endpointId, sealedSecret);
      const timestamp = new Date(this.options.clock.now());
      const response = await this.options.fetch(url, {
        method: 'POST',
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Paddock-Webhooks/1',
          'webhook-id': messageId,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': this.options.sign(secret, messageId, timestamp, body),
        },
      });
      const excerpt = await readExcerpt(response);
      return { statusCode: response.status, error: '', excerpt };
    } catch (error) {
      return { statusCode: null, error: describeError(error), excerpt: '' };
    }
  }

  private async disable(
    workspaceId: string,
    endpointId: string,
    deliveryId: string,
    attempts: number,
    outcome: { statusCode: number | null; error: string },
    since: string,
  ): Promise<void> {
    const { store, clock } = this.options;
    const last = outcome.statusCode === null ? outcome.error : `HTTP ${outcome.statusCode}`;
    // The row is held while it changes: a concurrent update or secret rotation is not overwritten.
    await store.transaction(async (tx) => {
      const endpoint = await tx.webhooks.getEndpointForUpdate(workspaceId, endpointId);
      if (endpoint?.state !== 'enabled') return;
      await tx.webhooks.updateEndpoint({
        ...endpoint,
        state: 'disabled',
        disabledReason: `delivery ${deliveryId} failed all ${attempts} attempts since ${since} (last: ${last}); fix the endpoint, then set state to enabled`,
        updatedAt: toTimestamp(clock.now()),
      });
    });
  }
}

/** The first RESPONSE_EXCERPT_BYTES of the body; the rest is never read. */
async function readExcerpt(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < RESPONSE_EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return `${error.message}${detail}`.slice(0, 500);
  }
  return String(error).slice(0, 500);
}
