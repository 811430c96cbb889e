import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import type { IdGenerator } from '../ids.js';
import type { Store } from '../ports/store.js';
import type { WebhookEventInput, WebhookOutbox } from '../ports/webhook-outbox.js';
import { PADDOCK_ORGANIZATION_ID } from './webhook-event-types.js';

export interface StoreWebhookOutboxOptions {
  /** The store outside any transaction: `publish` writes through it. */
  store: Store;
  ids: IdGenerator;
  clock: Clock;
  /** Called after an event was queued for at least one endpoint (wakes this node's dispatcher). */
  onQueued?: () => void;
  /** Where a failed standalone publish is reported (it never throws into the caller). */
  onError?: (error: unknown, event: WebhookEventInput) => void;
}

/**
 * The durable outbox: publishing an event writes it, with one delivery per enabled endpoint of
 * its workspace that subscribes to its type, to the database. `publishIn` writes through a
 * store the caller passes (its transaction), so the event commits with the change it reports;
 * a `kill -9` after the commit loses nothing, and a rollback leaves no delivery behind.
 * Endpoints disabled when the event happens never receive it (as the SDK's `state` says).
 */
export class StoreWebhookOutbox implements WebhookOutbox {
  /** Transactions (by their store) that queued deliveries and have not committed yet. */
  private readonly queuedIn = new WeakSet<Store>();

  constructor(private readonly options: StoreWebhookOutboxOptions) {}

  async publish(event: WebhookEventInput): Promise<void> {
    try {
      let used: Store | undefined;
      await this.options.store.transaction((tx) => {
        used = tx;
        return this.publishIn(tx, event);
      });
      if (used) this.committed(used);
    } catch (error) {
      this.options.onError?.(error, event);
    }
  }

  /** Queues `event` through `store` (a transaction's store: it commits or rolls back with it). */
  async publishIn(store: Store, event: WebhookEventInput): Promise<void> {
    const endpoints = await store.webhooks.subscribers(event.workspaceId, event.type);
    if (endpoints.length === 0) return;
    const { ids, clock } = this.options;
    const now = toTimestamp(clock.now());
    const eventId = ids.next('webhookEvent');
    const payload = JSON.stringify({
      id: eventId,
      type: 'event',
      created_at: now,
      data: {
        ...event.fields,
        id: event.id,
        type: event.type,
        organization_id: PADDOCK_ORGANIZATION_ID,
        workspace_id: event.workspaceId,
      },
    });
    await store.webhooks.insertEvent({
      id: eventId,
      workspaceId: event.workspaceId,
      type: event.type,
      createdAt: now,
      payload,
    });
    for (const endpoint of endpoints)
      await store.webhooks.insertDelivery({
        id: ids.next('webhookDelivery'),
        eventId,
        endpointId: endpoint.id,
        workspaceId: event.workspaceId,
        eventType: event.type,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        leaseOwner: null,
        leaseExpiresAt: null,
        lastStatusCode: null,
        lastError: '',
        manual: false,
        createdAt: now,
        updatedAt: now,
      });
    this.queuedIn.add(store);
  }

  /** Wakes the dispatcher once the transaction that queued deliveries has committed. */
  committed(store: Store): void {
    if (this.queuedIn.delete(store)) this.options.onQueued?.();
  }
}
