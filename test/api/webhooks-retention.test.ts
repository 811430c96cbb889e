import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WebhookCreateParams } from '@anthropic-ai/sdk/resources/beta/organization/webhooks.js';
import type { WebhookDeliveryRow } from '../../src/core/ports/webhook-repository.js';
import { DEFAULT_WORKSPACE_ID } from '../../src/core/workspaces/workspace-scope.js';
import { DIALECTS } from '../support/databases.js';
import { manualClock, until, webhookSuite } from '../support/webhook-receiver.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

interface DeliveryPage {
  data: Array<{ id: string; status: string }>;
}

/**
 * The outbox's retention sweep (PADDOCK_WEBHOOK_RETENTION_DAYS, default 30 days; docs/webhooks.md):
 * the delivery worker removes finished deliveries, their attempts and their events once they are
 * older than that by its clock, and keeps pending ones whatever their age.
 */
for (const dialect of DIALECTS) {
  describe(`webhook outbox retention (${dialect})`, () => {
    // Near real time: unwrap-style checks elsewhere refuse timestamps far off the wall clock.
    const clock = manualClock(Math.floor(Date.now() / MINUTE) * MINUTE);
    const suite = webhookSuite(dialect, () => ({ clock, allowPrivateNetworks: true }));

    it('the delivery worker sweeps finished deliveries past the retention, by its clock', async () => {
      const { server, receiver } = suite;
      const { client } = server;
      const endpoint = await client.beta.organization.webhooks.create({
        url: receiver.url,
        enabled_events: ['agent.created'] as unknown as WebhookCreateParams['enabled_events'],
      });
      const deliveries = async () =>
        (await client.get(`/v1/organizations/webhooks/${endpoint.id}/deliveries?limit=100`)) as DeliveryPage;
      const succeeded = async (count: number) =>
        until(
          `${count} succeeded deliveries`,
          deliveries,
          (page) => page.data.filter((delivery) => delivery.status === 'succeeded').length === count,
        );

      await client.beta.agents.create({ name: 'old', model: 'claude-haiku-4-5' });
      const [old] = (await succeeded(1)).data;
      clock.advance(20 * DAY);
      await client.beta.agents.create({ name: 'recent', model: 'claude-haiku-4-5' });
      const recent = (await succeeded(2)).data.find((delivery) => delivery.id !== old?.id);
      assert.ok(old && recent);

      // 31 days after the first delivery, 11 after the second: the worker's next sweep takes the first.
      clock.advance(11 * DAY);
      const left = await until(
        'the old delivery to be swept',
        deliveries,
        (page) => !page.data.some((delivery) => delivery.id === old.id),
      );
      assert.deepEqual(
        left.data.map((delivery) => delivery.id),
        [recent.id],
      );
      await assert.rejects(
        client.post(`/v1/organizations/webhooks/${endpoint.id}/deliveries/${old.id}/redeliver`),
        /404|not found/i,
      );
    });

    it('keeps pending deliveries and their events whatever their age', async () => {
      const { store } = suite.server.paddock;
      const long = new Date(clock.now() - 400 * DAY).toISOString();
      const endpoint = await suite.server.client.beta.organization.webhooks.create({
        url: suite.receiver.url,
        enabled_events: ['agent.created'] as unknown as WebhookCreateParams['enabled_events'],
      });
      // Disabled: the dispatcher leaves its pending delivery alone while the sweep runs.
      await suite.server.client.beta.organization.webhooks.update(endpoint.id, { state: 'disabled' });
      const workspaceId = DEFAULT_WORKSPACE_ID;
      await store.webhooks.insertEvent({
        id: 'wevt_retention_pending',
        workspaceId,
        type: 'agent.created',
        createdAt: long,
        payload: '{}',
      });
      const pending: WebhookDeliveryRow = {
        id: 'whdlv_retention_pending',
        eventId: 'wevt_retention_pending',
        endpointId: endpoint.id,
        workspaceId,
        eventType: 'agent.created',
        status: 'pending',
        attempts: 3,
        nextAttemptAt: long,
        leaseOwner: null,
        leaseExpiresAt: null,
        lastStatusCode: 500,
        lastError: '',
        manual: false,
        createdAt: long,
        updatedAt: long,
      };
      await store.webhooks.insertDelivery(pending);
      await store.webhooks.insertDelivery({
        ...pending,
        id: 'whdlv_retention_failed',
        status: 'failed',
        attempts: 8,
      });
      const removed = await store.webhooks.purgeFinished(new Date(clock.now() - 30 * DAY).toISOString(), 500);
      assert.equal(removed.deliveries, 1);
      assert.equal(removed.events, 0, 'the pending delivery still needs its event');
      assert.equal((await store.webhooks.getDelivery(endpoint.id, 'whdlv_retention_failed'))?.id, undefined);
      assert.equal((await store.webhooks.getDelivery(endpoint.id, pending.id))?.status, 'pending');
    });
  });
}
