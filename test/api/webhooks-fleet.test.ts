import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { WebhookCreateParams } from '@anthropic-ai/sdk/resources/beta/organization/webhooks.js';
import { createPaddock, type Paddock } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { TEST_ADMIN_KEY, testServerConfig } from '../support/server.js';
import { startWebhookReceiver, until, type WebhookReceiver } from '../support/webhook-receiver.js';

const events = (...types: string[]) => types as unknown as WebhookCreateParams['enabled_events'];

/**
 * Two harness nodes on one Postgres, both dispatching: every delivery is claimed by one of them
 * for each attempt, so the receiver gets each event exactly once (no failures, no kill here).
 */
describe('webhook deliveries from two nodes on one Postgres', () => {
  let database: TestDatabase;
  let receiver: WebhookReceiver;
  let otherDir: string;
  const nodes: Paddock[] = [];
  before(async () => {
    database = await createTestDatabase('postgres');
    receiver = await startWebhookReceiver();
    otherDir = await mkdtemp(join(tmpdir(), 'paddock-webhook-node-'));
    // Nodes sharing a database share its secret key (endpoint secrets are sealed with it).
    const secretKey = randomBytes(32).toString('hex');
    for (const dataDir of [database.dataDir, otherDir]) {
      const config = testServerConfig(dataDir, {
        databaseUrl: database.url,
        allowPrivateNetworks: true,
        secretKey,
        webhooks: { timeoutMs: 10_000, pollMs: 20 },
      });
      const node = await createPaddock({ config, store: await database.open() });
      await node.listen();
      nodes.push(node);
    }
  });
  after(async () => {
    for (const node of nodes) await node.close();
    await receiver.close();
    await database.drop();
    await rm(otherDir, { recursive: true, force: true });
  });

  it('sends each event once although both nodes look for due deliveries', async () => {
    const [first] = nodes;
    assert.ok(first);
    const address = first.app.server.address();
    assert.ok(address && typeof address === 'object');
    const client = new Anthropic({
      baseURL: `http://127.0.0.1:${address.port}`,
      apiKey: TEST_ADMIN_KEY,
      maxRetries: 0,
    });
    const endpoint = await client.beta.organization.webhooks.create({
      url: receiver.url,
      enabled_events: events('vault.created'),
    });
    const count = 40;
    await Promise.all(
      Array.from({ length: count }, (_, index) => client.beta.vaults.create({ display_name: `v${index}` })),
    );
    type Page = { data: Array<{ status: string }>; has_more: boolean };
    await until(
      'every delivery to succeed',
      async () =>
        (await client.get(`/v1/organizations/webhooks/${endpoint.id}/deliveries`, {
          query: { limit: 100 },
        })) as Page,
      (page) => page.data.length === count && page.data.every((entry) => entry.status === 'succeeded'),
    );
    const ids = receiver.received.map((received) => received.headers['webhook-id']);
    assert.equal(new Set(ids).size, count, 'every event arrived');
    assert.equal(ids.length, count, 'and none twice');
  });
});
