import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { WebhookCreateParams } from '@anthropic-ai/sdk/resources/beta/organization/webhooks.js';
import { createPaddock, type Paddock } from '../../src/server.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { createSession } from '../support/harness-fixture.js';
import { TEST_ADMIN_KEY, testServerConfig } from '../support/server.js';
import {
  startWebhookReceiver,
  startWebhookServer,
  until,
  type WebhookReceiver,
  type WebhookTestServer,
} from '../support/webhook-receiver.js';

/** One sample's value from the Prometheus text, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const present = (/\{([^}]*)\}/.exec(line)?.[1] ?? '').split(',');
    if (wanted.every((pair) => present.includes(pair))) return Number(line.split(' ').at(-1));
  }
  return undefined;
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
  assert.equal(response.status, 200);
  return response.text();
}

const events = (...types: string[]) => types as unknown as WebhookCreateParams['enabled_events'];

for (const dialect of DIALECTS) {
  describe(`queue depth: sessions waiting for a harness node (${dialect})`, () => {
    let database: TestDatabase;
    let paddock: Paddock;
    let url: string;
    let client: Anthropic;
    before(async () => {
      database = await createTestDatabase(dialect);
      // An API-only node: nothing drives sessions, so whatever needs a node waits.
      const config = testServerConfig(database.dataDir, {
        databaseUrl: dialect === 'postgres' ? database.url : undefined,
        harness: false,
      });
      paddock = await createPaddock({ config, store: await database.open() });
      url = await paddock.listen();
      client = new Anthropic({ baseURL: url, apiKey: TEST_ADMIN_KEY, maxRetries: 0 });
    });
    after(async () => {
      await paddock?.close();
      await database?.drop();
    });

    it('counts a message no node picked up and a running session whose lease lapsed', async () => {
      assert.equal(sample(await scrape(url), 'paddock_sessions_waiting_for_node'), 0);
      const { session } = await createSession(client);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'anyone there?' }] }],
      });
      assert.equal(sample(await scrape(url), 'paddock_sessions_waiting_for_node'), 1);

      // A running session whose node died: its lease expired an hour ago.
      const { session: orphan } = await createSession(client);
      await paddock.context.events.append(orphan.id, [{ type: 'session.status_running' }]);
      assert.equal((await client.beta.sessions.retrieve(orphan.id)).status, 'running');
      const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
      assert.ok(await paddock.store.leases.acquire(orphan.id, 'node-gone', hourAgo, hourAgo));
      assert.equal(sample(await scrape(url), 'paddock_sessions_waiting_for_node'), 2);
      // A live lease means a node drives it.
      const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
      assert.ok(
        await paddock.store.leases.acquire(orphan.id, 'node-live', inAnHour, new Date().toISOString()),
      );
      assert.equal(sample(await scrape(url), 'paddock_sessions_waiting_for_node'), 1);
    });
  });

  describe(`webhook delivery metrics by endpoint (${dialect})`, () => {
    let server: WebhookTestServer;
    let failing: WebhookReceiver;
    let healthy: WebhookReceiver;
    before(async () => {
      server = await startWebhookServer(dialect, { allowPrivateNetworks: true });
      failing = await startWebhookReceiver();
      failing.respondWith(500);
      healthy = await startWebhookReceiver();
    });
    after(async () => {
      await server?.close();
      await failing?.close();
      await healthy?.close();
    });

    it('reports deliveries by status, attempts and failed attempts per endpoint', async () => {
      const webhooks = server.client.beta.organization.webhooks;
      const bad = await webhooks.create({ url: failing.url, enabled_events: events('agent.created') });
      const good = await webhooks.create({ url: healthy.url, enabled_events: events('agent.created') });
      await server.client.beta.agents.create({ name: 'metered', model: 'claude-sonnet-4-6' });
      const url = server.client.baseURL;
      const text = await until(
        'both endpoints to have one attempt each',
        () => scrape(url),
        (current) =>
          sample(current, 'paddock_webhook_delivery_attempts', { endpoint: bad.id }) === 1 &&
          sample(current, 'paddock_webhook_delivery_attempts', { endpoint: good.id }) === 1,
      );
      assert.equal(sample(text, 'paddock_webhook_delivery_attempt_failures', { endpoint: bad.id }), 1);
      assert.equal(sample(text, 'paddock_webhook_delivery_attempt_failures', { endpoint: good.id }), 0);
      // The failed attempt is retried later (hours away on this clock): its delivery is pending.
      assert.equal(sample(text, 'paddock_webhook_deliveries', { endpoint: bad.id, status: 'pending' }), 1);
      assert.equal(sample(text, 'paddock_webhook_deliveries', { endpoint: good.id, status: 'succeeded' }), 1);
      assert.equal(sample(text, 'paddock_webhook_deliveries', { endpoint: good.id, status: 'failed' }), 0);
    });
  });
}
