import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { WebhookCreateParams } from '@anthropic-ai/sdk/resources/beta/organization/webhooks.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { childEnv, freePort, type PaddockProcess, spawnPaddock } from '../support/paddock-process.js';
import { startWebhookReceiver, until, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * "A kill -9 of the sending node never loses a pending delivery": the real `paddock serve` in a
 * child process sends a delivery the receiver holds unanswered, is killed with SIGKILL mid-attempt,
 * and a new process on the same database sends it again once the attempt's lease lapses.
 */
const ADMIN_KEY = 'sk-paddock-webhook-kill-test';
const events = (...types: string[]) => types as unknown as WebhookCreateParams['enabled_events'];

for (const dialect of DIALECTS) {
  describe(`webhook delivery across a kill -9 (${dialect})`, () => {
    let database: TestDatabase;
    let receiver: WebhookReceiver;
    let node: PaddockProcess | undefined;
    before(async () => {
      database = await createTestDatabase(dialect);
      receiver = await startWebhookReceiver();
    });
    after(async () => {
      await node?.kill();
      await receiver.close();
      await database.drop();
    });

    it('another start delivers what the killed node was sending', async () => {
      const env = childEnv({
        PADDOCK_DATA_DIR: database.dataDir,
        PADDOCK_PORT: String(await freePort()),
        PADDOCK_HOST: '127.0.0.1',
        PADDOCK_ADMIN_KEY: ADMIN_KEY,
        PADDOCK_ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
        ANTHROPIC_API_KEY: 'test-upstream-key',
        PADDOCK_ALLOW_PRIVATE_NETWORKS: 'true',
        // A short attempt, so its lease (attempt + 5 s) lapses soon after the kill.
        PADDOCK_WEBHOOK_TIMEOUT_MS: '1500',
        PADDOCK_WEBHOOK_POLL_MS: '100',
        ...(dialect === 'postgres' ? { PADDOCK_DATABASE_URL: database.url } : {}),
      });
      node = await spawnPaddock(env);
      let client = new Anthropic({ baseURL: node.url, apiKey: ADMIN_KEY, maxRetries: 0 });
      const endpoint = await client.beta.organization.webhooks.create({
        url: receiver.url,
        enabled_events: events('agent.created'),
      });
      receiver.hold();
      const agent = await client.beta.agents.create({ name: 'survivor', model: 'claude-haiku-4-5' });
      await until(
        'the first attempt to arrive',
        async () => receiver.received.length,
        (n) => n === 1,
      );
      await node.kill();
      receiver.release();

      node = await spawnPaddock(env);
      client = new Anthropic({ baseURL: node.url, apiKey: ADMIN_KEY, maxRetries: 0 });
      await until(
        'the delivery after the restart',
        async () => receiver.received.length,
        (n) => n >= 2,
      );
      const [first, again] = receiver.received;
      assert.ok(first && again);
      assert.equal(again.headers['webhook-id'], first.headers['webhook-id'], 'the same event, again');
      const event = client.beta.webhooks.unwrap(again.body, {
        headers: again.headers,
        key: endpoint.signing_secret,
      });
      assert.equal(event.data.type, 'agent.created');
      assert.equal(event.data.id, agent.id);
      type Page = { data: Array<{ status: string; attempt_count: number }> };
      const log = await until(
        'the delivery log to show it',
        async () => (await client.get(`/v1/organizations/webhooks/${endpoint.id}/deliveries`)) as Page,
        (page) => page.data[0]?.status === 'succeeded',
      );
      assert.equal(log.data.length, 1);
      assert.equal(log.data[0]?.attempt_count, 1, 'the killed attempt was never recorded as made');
    });
  });
}
