import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../support/databases.js';
import { TEST_ADMIN_KEY } from '../support/server.js';
import {
  startWebhookReceiver,
  startWebhookServer,
  until,
  type WebhookReceiver,
  type WebhookTestServer,
} from '../support/webhook-receiver.js';
import { runInProcess } from './cli-process.js';

/** `paddock webhooks ...`: the SDK's organization webhooks and Paddock's delivery log, from the CLI. */
for (const dialect of DIALECTS) {
  describe(`paddock webhooks (${dialect})`, () => {
    let server: WebhookTestServer;
    let receiver: WebhookReceiver;
    let cli: (args: string[]) => Promise<{ code: number; output: string }>;
    before(async () => {
      receiver = await startWebhookReceiver();
      server = await startWebhookServer(dialect, { allowPrivateNetworks: true });
      cli = (args) =>
        runInProcess([...args, '--base-url', server.client.baseURL, '--api-key', TEST_ADMIN_KEY]);
    });
    after(async () => {
      await server.close();
      await receiver.close();
    });

    it('creates, lists, updates, shows deliveries, redelivers, rotates the secret and deletes', async () => {
      const created = await cli([
        'webhooks',
        'create',
        '--url',
        receiver.url,
        '--events',
        'agent.created,session.status_idled',
        '--name',
        'ci',
      ]);
      assert.equal(created.code, 0, created.output);
      const id = /created webhook endpoint (whep_\w+)/.exec(created.output)?.[1] ?? '';
      assert.ok(id, created.output);
      assert.match(created.output, /signing secret \(shown once\): whsec_/);

      const listed = await cli(['webhooks', 'list']);
      assert.match(
        listed.output,
        new RegExp(`${id}\\s+enabled\\s+${receiver.url}\\s+agent.created,session.status_idled`),
      );

      await server.client.beta.agents.create({ name: 'from-cli', model: 'claude-haiku-4-5' });
      await until(
        'the delivery',
        async () => receiver.received.length,
        (n) => n >= 1,
      );
      const log = await until(
        'the delivery log',
        () => cli(['webhooks', 'deliveries', id, '--json']),
        (result) => result.output.includes('"succeeded"'),
      );
      const [delivery] = JSON.parse(log.output) as Array<{ id: string; event_type: string }>;
      assert.equal(delivery?.event_type, 'agent.created');
      const table = await cli(['webhooks', 'deliveries', id]);
      assert.match(table.output, /agent\.created\s+succeeded\s+1\s+200/);

      const redelivered = await cli(['webhooks', 'redeliver', id, delivery?.id ?? '']);
      assert.equal(redelivered.code, 0, redelivered.output);
      await until(
        'the redelivery',
        async () => receiver.received.length,
        (n) => n >= 2,
      );

      const updated = await cli([
        'webhooks',
        'update',
        id,
        '--state',
        'disabled',
        '--events',
        'vault.created',
      ]);
      assert.match(updated.output, /updated webhook endpoint whep_\w+ \(disabled\)/);
      const shown = await cli(['webhooks', 'get', id, '--json']);
      assert.deepEqual((JSON.parse(shown.output) as { enabled_events: string[] }).enabled_events, [
        'vault.created',
      ]);

      const rotated = await cli(['webhooks', 'rotate-secret', id]);
      assert.match(rotated.output, /whsec_/);
      const bad = await cli(['webhooks', 'update', id, '--events', 'no.such_event']);
      assert.equal(bad.code, 1);
      assert.match(bad.output, /enabled_events/);
      const deleted = await cli(['webhooks', 'delete', id]);
      assert.match(deleted.output, /deleted webhook endpoint/);
    });
  });
}
