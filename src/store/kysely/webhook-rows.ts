import type { Selectable } from 'kysely';
import type {
  WebhookDeliveryRow,
  WebhookDeliveryStatus,
  WebhookEndpointRow,
  WebhookEndpointState,
} from '../../core/ports/webhook-repository.js';
import type { Database } from './schema.js';

/** Webhook rows between the port's shape and the tables' (webhook-repository.ts). */
export type EndpointTable = Selectable<Database['webhook_endpoints']>;
export type DeliveryTable = Selectable<Database['webhook_deliveries']>;

export const endpointRow = (row: EndpointTable): WebhookEndpointRow => ({
  id: row.id,
  workspaceId: row.workspace_id,
  url: row.url,
  name: row.name,
  description: row.description,
  enabledEvents: JSON.parse(row.enabled_events) as string[],
  state: row.state as WebhookEndpointState,
  disabledReason: row.disabled_reason,
  sealedSecret: row.sealed_secret,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const endpointTable = (row: WebhookEndpointRow): EndpointTable => ({
  id: row.id,
  workspace_id: row.workspaceId,
  url: row.url,
  name: row.name,
  description: row.description,
  enabled_events: JSON.stringify(row.enabledEvents),
  state: row.state,
  disabled_reason: row.disabledReason,
  sealed_secret: row.sealedSecret,
  created_at: row.createdAt,
  updated_at: row.updatedAt,
});

export const deliveryRow = (row: DeliveryTable): WebhookDeliveryRow => ({
  id: row.id,
  eventId: row.event_id,
  endpointId: row.endpoint_id,
  workspaceId: row.workspace_id,
  eventType: row.event_type,
  status: row.status as WebhookDeliveryStatus,
  attempts: Number(row.attempts),
  nextAttemptAt: row.next_attempt_at,
  leaseOwner: row.lease_owner,
  leaseExpiresAt: row.lease_expires_at,
  lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
  lastError: row.last_error,
  manual: Number(row.manual) === 1,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});
