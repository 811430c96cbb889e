import type { PaddockConfig } from '../config/config.js';
import { webhookRetentionMs } from '../config/webhooks.js';
import type { Clock } from '../core/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { Store } from '../core/ports/store.js';
import type { WebhookOutbox } from '../core/ports/webhook-outbox.js';
import type { SecretBox } from '../core/vaults/secret-box.js';
import { WebhookDispatcher } from '../core/webhooks/webhook-dispatcher.js';
import { WebhookEndpointService } from '../core/webhooks/webhook-endpoint-service.js';
import { StoreWebhookOutbox } from '../core/webhooks/webhook-outbox.js';
import { withWebhookPublishing } from '../core/webhooks/webhook-publishing-store.js';
import { createOutboundFetch } from '../outbound/outbound-fetch.js';
import { standardWebhooksSigner } from '../webhook-signing/standard-webhooks-signer.js';

export interface PublishingStore {
  /** The store every service uses: its writes queue webhook events in their own transaction. */
  store: Store;
  /** What services that publish explicitly (deployments) are given. */
  outbox: WebhookOutbox;
  /** Set once the node's dispatcher exists: a queued event wakes it. */
  onQueued(listener: () => void): void;
}

/** Wraps the opened store so its changes publish webhook events (core/webhooks/webhook-publishing-store.ts). */
export function createPublishingStore(
  opened: Store,
  deps: { ids: IdGenerator; clock: Clock; onError?: (error: unknown) => void },
): PublishingStore {
  let listener: (() => void) | undefined;
  const outbox = new StoreWebhookOutbox({
    store: opened,
    ids: deps.ids,
    clock: deps.clock,
    onQueued: () => listener?.(),
    ...(deps.onError ? { onError: (error: unknown) => deps.onError?.(error) } : {}),
  });
  return {
    store: withWebhookPublishing(opened, outbox),
    outbox,
    onQueued: (next) => {
      listener = next;
    },
  };
}

export interface WebhookNode {
  service: WebhookEndpointService;
  /** Runs on nodes that drive sessions (`serve`, `worker`). */
  dispatcher: WebhookDispatcher;
}

/** The endpoints' service and this node's dispatcher, sending through the one outbound client. */
export function createWebhookNode(
  config: PaddockConfig,
  publishing: PublishingStore,
  deps: {
    ids: IdGenerator;
    clock: Clock;
    secretBox: SecretBox;
    nodeId: string;
    onError: (error: unknown) => void;
  },
): WebhookNode {
  const settings = config.webhooks;
  const allowPrivate = config.allowPrivateNetworks;
  const dispatcher = new WebhookDispatcher({
    store: publishing.store,
    clock: deps.clock,
    fetch: createOutboundFetch({ allowPrivate }),
    sign: standardWebhooksSigner,
    secrets: deps.secretBox,
    nodeId: deps.nodeId,
    timeoutMs: settings.timeoutMs,
    pollMs: settings.pollMs,
    retentionMs: webhookRetentionMs(settings),
    allowPrivate,
    onError: deps.onError,
  });
  publishing.onQueued(() => dispatcher.wake());
  const service = new WebhookEndpointService({
    store: publishing.store,
    ids: deps.ids,
    clock: deps.clock,
    sealer: deps.secretBox,
    allowPrivate,
    onQueued: () => dispatcher.wake(),
  });
  return { service, dispatcher };
}
