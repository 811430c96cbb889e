import type {
  WebhookAttemptRow,
  WebhookDeliveryRow,
  WebhookEndpointRow,
} from '../ports/webhook-repository.js';

/** The SDK's `BetaOrganizationWebhookEndpoint` (no secret in it). */
export const toEndpointWire = (row: WebhookEndpointRow) => ({
  id: row.id,
  url: row.url,
  name: row.name,
  description: row.description,
  enabled_events: row.enabledEvents,
  state: row.state,
  disabled_reason: row.disabledReason,
  created_at: row.createdAt,
  updated_at: row.updatedAt,
});

/** A delivery in the log (Paddock extension; docs/webhooks.md). */
export const toDeliveryWire = (row: WebhookDeliveryRow, attempts: readonly WebhookAttemptRow[]) => ({
  type: 'webhook_delivery' as const,
  id: row.id,
  webhook_endpoint_id: row.endpointId,
  event_id: row.eventId,
  event_type: row.eventType,
  status: row.status,
  manual: row.manual,
  attempt_count: row.attempts,
  next_attempt_at: row.status === 'pending' ? row.nextAttemptAt : null,
  last_status_code: row.lastStatusCode,
  last_error: row.lastError || null,
  created_at: row.createdAt,
  updated_at: row.updatedAt,
  attempts: attempts.map((attempt) => ({
    attempt: attempt.attempt,
    started_at: attempt.startedAt,
    duration_ms: attempt.durationMs,
    status_code: attempt.statusCode,
    error: attempt.error || null,
    response_body_excerpt: attempt.responseExcerpt,
  })),
});
