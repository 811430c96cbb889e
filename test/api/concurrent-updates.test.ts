import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WebhookCreateParams } from '@anthropic-ai/sdk/resources/beta/organization/webhooks.js';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startWebhookReceiver, until, type WebhookReceiver } from '../support/webhook-receiver.js';

/** Writers racing on one resource: every request's change must survive. */
const WRITERS = 8;
const keys = Array.from({ length: WRITERS }, (_, index) => `writer_${index}`);

/**
 * Read-modify-writes of one resource racing each other (docs/scale-out.md): each holds the row
 * (getForUpdate, SELECT … FOR UPDATE on Postgres) until it commits, so no write is lost. Before,
 * the writers all read the same row and the last write erased the others' changes.
 */
for (const dialect of DIALECTS) {
  describe(`concurrent updates keep every change (${dialect})`, () => {
    let server: TestServer;
    let receiver: WebhookReceiver;
    before(async () => {
      receiver = await startWebhookReceiver();
      server = await startTestServer(dialect, {
        allowPrivateNetworks: true,
        webhooks: { timeoutMs: 10_000, pollMs: 50 },
      });
    });
    after(async () => {
      await server.close();
      await receiver.close();
    });

    it('deployments: concurrent metadata updates and a pause all land', async () => {
      const { client } = server;
      const agent = await client.beta.agents.create({ name: 'racer', model: 'claude-haiku-4-5' });
      const environment = await client.beta.environments.create({ name: `race-${dialect}` });
      const deployment = await client.beta.deployments.create({
        name: 'raced',
        agent: agent.id,
        environment_id: environment.id,
        initial_events: [{ type: 'user.message', content: [{ type: 'text', text: 'go' }] }],
      });
      await Promise.all([
        ...keys.map((key) => client.beta.deployments.update(deployment.id, { metadata: { [key]: 'set' } })),
        client.beta.deployments.pause(deployment.id),
      ]);
      const stored = await client.beta.deployments.retrieve(deployment.id);
      assert.deepEqual(Object.keys(stored.metadata).sort(), [...keys].sort());
      assert.equal((stored as unknown as { status: string }).status, 'paused');
    });

    it('webhook endpoints: a rename, a new description, events and a secret rotation all land', async () => {
      const webhooks = server.client.beta.organization.webhooks;
      const endpoint = await webhooks.create({
        url: receiver.url,
        enabled_events: ['session.created'] as unknown as WebhookCreateParams['enabled_events'],
      });
      const [, , , rotated] = await Promise.all([
        webhooks.update(endpoint.id, { name: 'renamed' }),
        webhooks.update(endpoint.id, { description: 'described' }),
        webhooks.update(endpoint.id, {
          enabled_events: ['agent.created'] as unknown as WebhookCreateParams['enabled_events'],
        }),
        webhooks.regenerateSigningSecret(endpoint.id),
      ]);
      const stored = await webhooks.retrieve(endpoint.id);
      assert.equal(stored.name, 'renamed');
      assert.equal(stored.description, 'described');
      assert.deepEqual(stored.enabled_events, ['agent.created']);
      // The rotated secret is the one kept: the next delivery verifies with it.
      assert.notEqual(rotated.signing_secret, endpoint.signing_secret);
      const agent = await server.client.beta.agents.create({ name: 'signed', model: 'claude-haiku-4-5' });
      const [delivery] = await until(
        'the agent.created delivery',
        async () => receiver.received,
        (received) => received.length > 0,
      );
      assert.ok(delivery);
      const event = server.client.beta.webhooks.unwrap(delivery.body, {
        headers: delivery.headers,
        key: rotated.signing_secret,
      });
      assert.deepEqual([event.data.type, event.data.id], ['agent.created', agent.id]);
    });

    it('vaults: concurrent metadata updates all land; an archive among them is never undone', async () => {
      const vaults = server.client.beta.vaults;
      const vault = await vaults.create({ display_name: `raced-${dialect}` });
      await Promise.all(keys.map((key) => vaults.update(vault.id, { metadata: { [key]: 'set' } })));
      const stored = await vaults.retrieve(vault.id);
      assert.deepEqual(Object.keys(stored.metadata).sort(), [...keys].sort());

      const archived = await vaults.create({ display_name: `archived-${dialect}` });
      const results = await Promise.allSettled([
        ...keys.map((key) => vaults.update(archived.id, { metadata: { [key]: 'set' } })),
        vaults.archive(archived.id),
      ]);
      const final = await vaults.retrieve(archived.id);
      assert.ok(final.archived_at, 'the archive stands');
      // An update that came after the archive is refused; every one that succeeded kept its key.
      const landed = keys.filter((_, index) => results[index]?.status === 'fulfilled');
      assert.deepEqual(Object.keys(final.metadata).sort(), landed.sort());
    });
  });
}
