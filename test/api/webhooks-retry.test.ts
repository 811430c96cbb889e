import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import type { WebhookCreateParams } from '@anthropic-ai/sdk/resources/beta/organization/webhooks.js';
import { JITTER, MAX_ATTEMPTS, RETRY_DELAYS_MS } from '../../src/core/webhooks/retry-schedule.js';
import { DIALECTS } from '../support/databases.js';
import {
  type ManualClock,
  manualClock,
  startWebhookReceiver,
  startWebhookServer,
  until,
  type WebhookReceiver,
  type WebhookTestServer,
} from '../support/webhook-receiver.js';

const events = (...types: string[]) => types as unknown as WebhookCreateParams['enabled_events'];

interface Delivery {
  id: string;
  status: string;
  attempt_count: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  attempts: Array<{ status_code: number | null }>;
}

const deliveries = async (client: Anthropic, endpointId: string) =>
  ((await client.get(`/v1/organizations/webhooks/${endpointId}/deliveries`)) as { data: Delivery[] }).data;

for (const dialect of DIALECTS) {
  describe(`a failing webhook endpoint (${dialect})`, () => {
    let server: WebhookTestServer;
    let receiver: WebhookReceiver;
    let clock: ManualClock;
    before(async () => {
      clock = manualClock();
      receiver = await startWebhookReceiver();
      server = await startWebhookServer(dialect, { clock, allowPrivateNetworks: true });
    });
    after(async () => {
      await server.close();
      await receiver.close();
    });

    it('is retried with backoff over hours (the clock advanced by hand), then disabled with a reason', async () => {
      const { client } = server;
      receiver.respondWith(500);
      const endpoint = await client.beta.organization.webhooks.create({
        url: receiver.url,
        enabled_events: events('agent.created'),
      });
      await client.beta.agents.create({ name: 'unlucky', model: 'claude-haiku-4-5' });
      const start = clock.now();
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const [delivery] = await until(
          `attempt ${attempt}`,
          () => deliveries(client, endpoint.id),
          (list) => list[0]?.attempt_count === attempt,
        );
        assert.ok(delivery);
        assert.equal(delivery.last_status_code, 500);
        assert.equal(receiver.received.length, attempt, 'one request per attempt, never two');
        if (attempt === MAX_ATTEMPTS) {
          assert.equal(delivery.status, 'failed');
          assert.equal(delivery.next_attempt_at, null);
          break;
        }
        assert.equal(delivery.status, 'pending');
        const base = RETRY_DELAYS_MS[attempt - 1] ?? 0;
        const wait = Date.parse(delivery.next_attempt_at ?? '') - clock.now();
        assert.ok(
          wait >= base * (1 - JITTER) - 1 && wait <= base * (1 + JITTER) + 1,
          `attempt ${attempt}: next in ${wait} ms, schedule ${base} ms ±${JITTER * 100}%`,
        );
        const before = receiver.received.length;
        clock.set(Date.parse(delivery.next_attempt_at ?? ''));
        await until(
          'the next attempt',
          async () => receiver.received.length,
          (n) => n > before,
        );
      }
      const hours = (clock.now() - start) / 3_600_000;
      assert.ok(hours > 20 && hours < 34, `the schedule spans ${hours.toFixed(1)} h`);

      const disabled = await client.beta.organization.webhooks.retrieve(endpoint.id);
      assert.equal(disabled.state, 'disabled');
      assert.match(disabled.disabled_reason, /failed all 8 attempts/);
      assert.match(disabled.disabled_reason, /HTTP 500/);

      // Events while disabled are never delivered; enabling clears the reason.
      await client.beta.agents.create({ name: 'unseen', model: 'claude-haiku-4-5' });
      assert.equal((await deliveries(client, endpoint.id)).length, 1);
      const enabled = await client.beta.organization.webhooks.update(endpoint.id, { state: 'enabled' });
      assert.equal(enabled.disabled_reason, '');

      // The receiver recovers: a manual redelivery of the failed one succeeds.
      receiver.respondWith(204);
      const [failed] = await deliveries(client, endpoint.id);
      await client.post(`/v1/organizations/webhooks/${endpoint.id}/deliveries/${failed?.id}/redeliver`);
      const after = await until(
        'the redelivery',
        () => deliveries(client, endpoint.id),
        (list) => list[0]?.status === 'succeeded',
      );
      assert.equal(after[0]?.attempts[0]?.status_code, 204);
    });
  });

  describe(`a webhook endpoint that does not answer (${dialect})`, () => {
    let server: WebhookTestServer;
    let receiver: WebhookReceiver;
    before(async () => {
      receiver = await startWebhookReceiver();
      server = await startWebhookServer(dialect, { allowPrivateNetworks: true, timeoutMs: 300 });
    });
    after(async () => {
      await server.close();
      await receiver.close();
    });

    it('times the attempt out, logs it and schedules a retry', async () => {
      const { client } = server;
      receiver.hold();
      const endpoint = await client.beta.organization.webhooks.create({
        url: receiver.url,
        enabled_events: events('agent.created'),
      });
      await client.beta.agents.create({ name: 'unanswered', model: 'claude-haiku-4-5' });
      type Attempted = Delivery & {
        last_error: string | null;
        attempts: Array<{ error: string | null; duration_ms: number }>;
      };
      const [delivery] = (await until(
        'the timed-out attempt',
        () => deliveries(client, endpoint.id),
        (list) => list[0]?.attempt_count === 1,
      )) as Attempted[];
      receiver.release();
      assert.equal(delivery?.status, 'pending');
      assert.equal(delivery?.last_status_code, null);
      assert.equal(delivery?.last_error, 'timed out');
      assert.equal(delivery?.attempts[0]?.error, 'timed out');
      assert.ok((delivery?.attempts[0]?.duration_ms ?? 0) >= 250, `${delivery?.attempts[0]?.duration_ms} ms`);
      assert.ok(delivery?.next_attempt_at);
    });
  });
}
