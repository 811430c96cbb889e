/**
 * Storage of webhook endpoints, the outbox of published events and their deliveries
 * (src/core/webhooks/). Endpoints carry their workspace and every read names it, so one
 * workspace never sees another's; deliveries are claimed with a lease per attempt, so two
 * nodes never send the same attempt.
 */

export type WebhookEndpointState = 'enabled' | 'disabled';

export interface WebhookEndpointRow {
  id: string;
  workspaceId: string;
  url: string;
  name: string;
  description: string;
  enabledEvents: string[];
  state: WebhookEndpointState;
  disabledReason: string;
  /** The `whsec_` secret, sealed at rest (SecretBox, bound to the endpoint id). */
  sealedSecret: string;
  createdAt: string;
  updatedAt: string;
}

/** One published event (the SDK's `BetaWebhookEvent`, as JSON), kept until its deliveries end. */
export interface WebhookEventRow {
  id: string;
  workspaceId: string;
  type: string;
  createdAt: string;
  /** The exact body every delivery of this event sends. */
  payload: string;
}

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface WebhookDeliveryRow {
  id: string;
  eventId: string;
  endpointId: string;
  workspaceId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  /** Attempts made so far (the retry schedule's position). */
  attempts: number;
  nextAttemptAt: string;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  lastStatusCode: number | null;
  lastError: string;
  /** Made by a manual redelivery rather than by publishing. */
  manual: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookAttemptRow {
  deliveryId: string;
  attempt: number;
  endpointId: string;
  startedAt: string;
  durationMs: number;
  /** The HTTP status, or null when no response came (refused, timed out, reset). */
  statusCode: number | null;
  error: string;
  /** The start of the response body, at most a few hundred bytes. */
  responseExcerpt: string;
}

/** A delivery claimed for one attempt, with what sending it needs. */
export interface ClaimedDelivery {
  delivery: WebhookDeliveryRow;
  event: WebhookEventRow;
  endpoint: WebhookEndpointRow;
}

/** One endpoint's delivery log in numbers (operators' metrics, read at scrape time). */
export interface WebhookEndpointStats {
  endpointId: string;
  deliveries: Record<WebhookDeliveryStatus, number>;
  attempts: number;
  /** Attempts answered with anything but a 2xx, or with no answer at all. */
  failedAttempts: number;
}

export interface WebhookRepository {
  insertEndpoint(row: WebhookEndpointRow): Promise<void>;
  getEndpoint(workspaceId: string, id: string): Promise<WebhookEndpointRow | undefined>;
  /**
   * Inside a transaction: reads the endpoint and holds its row until commit, so a
   * read-modify-write (an update, a secret rotation, disabling after failures) cannot overwrite
   * a concurrent one. Outside a transaction, getEndpoint.
   */
  getEndpointForUpdate(workspaceId: string, id: string): Promise<WebhookEndpointRow | undefined>;
  /** Replaces the row; false when it no longer exists. */
  updateEndpoint(row: WebhookEndpointRow): Promise<boolean>;
  /** Removes the endpoint with its deliveries and their attempts. */
  deleteEndpoint(workspaceId: string, id: string): Promise<boolean>;
  listEndpoints(workspaceId: string): Promise<WebhookEndpointRow[]>;
  countEndpoints(workspaceId: string): Promise<number>;
  /** The workspace's enabled endpoints that subscribe to `type`. */
  subscribers(workspaceId: string, type: string): Promise<WebhookEndpointRow[]>;

  insertEvent(row: WebhookEventRow): Promise<void>;
  insertDelivery(row: WebhookDeliveryRow): Promise<void>;
  getDelivery(endpointId: string, id: string): Promise<WebhookDeliveryRow | undefined>;
  /** Newest first, after the `before` delivery id when given. */
  listDeliveries(endpointId: string, limit: number, before?: string): Promise<WebhookDeliveryRow[]>;
  listAttempts(deliveryIds: readonly string[]): Promise<WebhookAttemptRow[]>;
  /** Every endpoint's delivery and attempt counts, all workspaces (for /metrics). */
  stats(): Promise<WebhookEndpointStats[]>;

  /** Pending deliveries of enabled endpoints due by `now` whose lease is free, oldest first. */
  due(now: string, limit: number): Promise<WebhookDeliveryRow[]>;
  /**
   * Takes the delivery for one attempt if it is still pending at `attempts` and its lease is
   * free at `now` (one statement: of two nodes, one wins). Undefined when another node has it.
   */
  claim(
    id: string,
    attempts: number,
    owner: string,
    leaseExpiresAt: string,
    now: string,
  ): Promise<ClaimedDelivery | undefined>;
  /**
   * Retention: removes up to `limit` finished (succeeded or failed) deliveries last changed
   * before `before`, with their attempts, then the events older than `before` that no delivery
   * refers to any more. Pending deliveries and their events are kept whatever their age.
   */
  purgeFinished(before: string, limit: number): Promise<{ deliveries: number; events: number }>;
  /** Records an attempt and moves the delivery on, if `owner` still holds it; false otherwise. */
  finishAttempt(
    attempt: WebhookAttemptRow,
    owner: string,
    next: Pick<WebhookDeliveryRow, 'status' | 'attempts' | 'nextAttemptAt' | 'lastStatusCode' | 'lastError'>,
  ): Promise<boolean>;
}
