import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import { invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { Store } from '../ports/store.js';
import type { WebhookDeliveryRow, WebhookEndpointRow } from '../ports/webhook-repository.js';
import type { SecretSealer } from '../sessions/session-resources.js';
import { currentWorkspaceScope, DEFAULT_WORKSPACE_ID } from '../workspaces/workspace-scope.js';
import { checkEndpointUrl } from './endpoint-url.js';
import type { WebhookCreateInput, WebhookUpdateInput } from './webhook-schemas.js';
import { WEBHOOK_LIMITS } from './webhook-schemas.js';
import { toDeliveryWire, toEndpointWire } from './webhook-views.js';

export interface WebhookEndpointServiceDeps {
  store: Store;
  ids: IdGenerator;
  clock: Clock;
  sealer: SecretSealer;
  /** PADDOCK_ALLOW_PRIVATE_NETWORKS: private addresses and plain http:// are accepted. */
  allowPrivate: boolean;
  /** A redelivery was queued: wake this node's dispatcher. */
  onQueued?: () => void;
}

/** A fresh Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** The caller's workspace: every endpoint read and write names it. */
const workspace = () => currentWorkspaceScope()?.workspaceId ?? DEFAULT_WORKSPACE_ID;

/**
 * Webhook endpoints (`client.beta.organization.webhooks`), each in its caller's workspace:
 * the signing secret is shown once (create, regenerate) and kept sealed; the delivery log and
 * manual redelivery are Paddock's extension (docs/webhooks.md).
 */
export class WebhookEndpointService {
  constructor(private readonly deps: WebhookEndpointServiceDeps) {}

  async create(input: WebhookCreateInput) {
    const { store, ids, clock, sealer } = this.deps;
    this.assertUrl(input.url);
    const workspaceId = workspace();
    if ((await store.webhooks.countEndpoints(workspaceId)) >= WEBHOOK_LIMITS.endpointsPerWorkspace)
      throw invalidRequest(
        `url: a workspace can have at most ${WEBHOOK_LIMITS.endpointsPerWorkspace} webhook endpoints; delete one first`,
      );
    const now = toTimestamp(clock.now());
    const id = ids.next('webhookEndpoint');
    const secret = newSecret();
    const row: WebhookEndpointRow = {
      id,
      workspaceId,
      url: input.url,
      name: input.name ?? '',
      description: input.description ?? '',
      enabledEvents: [...new Set(input.enabled_events)],
      state: 'enabled',
      disabledReason: '',
      sealedSecret: sealer.seal(id, secret),
      createdAt: now,
      updatedAt: now,
    };
    await store.webhooks.insertEndpoint(row);
    return { ...toEndpointWire(row), signing_secret: secret };
  }

  async retrieve(id: string) {
    return toEndpointWire(await this.get(id));
  }

  async update(id: string, input: WebhookUpdateInput) {
    if (input.url !== undefined) this.assertUrl(input.url);
    const events = input.enabled_events;
    const next = await this.change(id, (current) => ({
      ...current,
      url: input.url ?? current.url,
      name: input.name ?? current.name,
      description: input.description ?? current.description,
      enabledEvents: events && events.length > 0 ? [...new Set(events)] : current.enabledEvents,
      state: input.state ?? current.state,
      // Enabling clears the reason; disabling by hand leaves it empty (the SDK's docs).
      disabledReason: input.state !== undefined ? '' : current.disabledReason,
    }));
    return toEndpointWire(next);
  }

  async list(order: 'asc' | 'desc') {
    const rows = await this.deps.store.webhooks.listEndpoints(workspace());
    const sorted = order === 'asc' ? rows : [...rows].reverse();
    return sorted.map(toEndpointWire);
  }

  async delete(id: string) {
    if (!(await this.deps.store.webhooks.deleteEndpoint(workspace(), id)))
      throw notFound('Webhook endpoint', id);
    return { id, type: 'webhook_endpoint_deleted' as const };
  }

  async regenerateSecret(id: string) {
    const secret = newSecret();
    await this.change(id, (current) => ({ ...current, sealedSecret: this.deps.sealer.seal(id, secret) }));
    return { signing_secret: secret };
  }

  /** The endpoint's deliveries, newest first, each with its attempts. */
  async deliveries(id: string, limit: number, afterId?: string) {
    await this.get(id);
    const rows = await this.deps.store.webhooks.listDeliveries(id, limit + 1, afterId);
    const page = rows.slice(0, limit);
    const attempts = await this.deps.store.webhooks.listAttempts(page.map((row) => row.id));
    return {
      data: page.map((row) =>
        toDeliveryWire(
          row,
          attempts.filter((attempt) => attempt.deliveryId === row.id),
        ),
      ),
      has_more: rows.length > limit,
      first_id: page[0]?.id ?? null,
      last_id: page.at(-1)?.id ?? null,
    };
  }

  /** Sends a delivery's event again, now, as a new delivery with the same `webhook-id`. */
  async redeliver(id: string, deliveryId: string) {
    const endpoint = await this.get(id);
    if (endpoint.state !== 'enabled')
      throw invalidRequest('state: the endpoint is disabled; enable it before redelivering');
    const original = await this.deps.store.webhooks.getDelivery(id, deliveryId);
    if (!original) throw notFound('Webhook delivery', deliveryId);
    const now = toTimestamp(this.deps.clock.now());
    const row: WebhookDeliveryRow = {
      ...original,
      id: this.deps.ids.next('webhookDelivery'),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      leaseOwner: null,
      leaseExpiresAt: null,
      lastStatusCode: null,
      lastError: '',
      manual: true,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.store.webhooks.insertDelivery(row);
    this.deps.onQueued?.();
    return toDeliveryWire(row, []);
  }

  /**
   * One read-modify-write of the endpoint, its row held until commit (getEndpointForUpdate):
   * a concurrent update, rotation or the dispatcher disabling it waits, then sees this result.
   */
  private async change(
    id: string,
    compute: (current: WebhookEndpointRow) => WebhookEndpointRow,
  ): Promise<WebhookEndpointRow> {
    const workspaceId = workspace();
    return this.deps.store.transaction(async (tx) => {
      const current = await tx.webhooks.getEndpointForUpdate(workspaceId, id);
      if (!current) throw notFound('Webhook endpoint', id);
      const next = { ...compute(current), updatedAt: toTimestamp(this.deps.clock.now()) };
      if (!(await tx.webhooks.updateEndpoint(next))) throw notFound('Webhook endpoint', id);
      return next;
    });
  }

  private async get(id: string): Promise<WebhookEndpointRow> {
    const row = await this.deps.store.webhooks.getEndpoint(workspace(), id);
    if (!row) throw notFound('Webhook endpoint', id);
    return row;
  }

  private assertUrl(url: string): void {
    const problem = checkEndpointUrl(url, this.deps.allowPrivate);
    if (problem) throw invalidRequest(`url: ${problem}`);
  }
}
