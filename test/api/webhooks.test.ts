import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { WebhookCreateParams } from '@anthropic-ai/sdk/resources/beta/organization/webhooks.js';
import { DIALECTS } from '../support/databases.js';
import {
  startWebhookReceiver,
  startWebhookServer,
  until,
  type WebhookReceiver,
  type WebhookTestServer,
} from '../support/webhook-receiver.js';

/** The SDK types `enabled_events` with the organization-only events; Paddock takes the whole union. */
const events = (...types: string[]) => types as unknown as WebhookCreateParams['enabled_events'];

interface DeliveryLog {
  data: Array<{
    id: string;
    event_id: string;
    event_type: string;
    status: string;
    manual: boolean;
    attempt_count: number;
    attempts: Array<{ status_code: number | null; duration_ms: number; response_body_excerpt: string }>;
  }>;
}

const deliveries = async (client: Anthropic, endpointId: string) =>
  (await client.get(`/v1/organizations/webhooks/${endpointId}/deliveries`)) as DeliveryLog;

for (const dialect of DIALECTS) {
  describe(`webhook endpoints over the SDK (${dialect})`, () => {
    let server: WebhookTestServer;
    before(async () => {
      server = await startWebhookServer(dialect);
    });
    after(async () => server.close());

    it('creates, retrieves, lists, updates, regenerates the secret and deletes', async () => {
      const webhooks = server.client.beta.organization.webhooks;
      const created = await webhooks.create({
        url: 'https://hooks.example.com/paddock',
        enabled_events: events('session.status_idled', 'agent.created'),
        name: 'ci',
      });
      assert.match(created.id, /^whep_/);
      assert.match(created.signing_secret, /^whsec_[A-Za-z0-9+/=]{40,}$/);
      assert.equal(created.state, 'enabled');
      assert.equal(created.disabled_reason, '');
      assert.equal(created.description, '');
      assert.deepEqual(created.enabled_events, ['session.status_idled', 'agent.created']);
      const fetched = await webhooks.retrieve(created.id);
      assert.equal('signing_secret' in fetched, false);
      const { signing_secret: _secret, ...shown } = created;
      assert.deepEqual(fetched, shown);

      const second = await webhooks.create({
        url: 'https://hooks.example.com/two',
        enabled_events: events('vault.created'),
      });
      const newestFirst = [];
      for await (const endpoint of webhooks.list()) newestFirst.push(endpoint.id);
      assert.deepEqual(newestFirst, [second.id, created.id]);
      const oldestFirst = (await webhooks.list({ order: 'asc', limit: 1 })).data.map((e) => e.id);
      assert.deepEqual(oldestFirst, [created.id]);

      const updated = await webhooks.update(created.id, {
        description: 'notifies CI',
        enabled_events: [],
        state: 'disabled',
      });
      assert.equal(updated.description, 'notifies CI');
      assert.deepEqual(updated.enabled_events, created.enabled_events, 'an empty list leaves them');
      assert.equal(updated.state, 'disabled');
      const replaced = await webhooks.update(created.id, { enabled_events: events('agent.updated') });
      assert.deepEqual(replaced.enabled_events, ['agent.updated']);

      const regenerated = await webhooks.regenerateSigningSecret(created.id);
      assert.match(regenerated.signing_secret, /^whsec_/);
      assert.notEqual(regenerated.signing_secret, created.signing_secret);

      assert.deepEqual(await webhooks.delete(created.id), {
        id: created.id,
        type: 'webhook_endpoint_deleted',
      });
      await assert.rejects(webhooks.retrieve(created.id), Anthropic.NotFoundError);
      await assert.rejects(webhooks.delete(created.id), Anthropic.NotFoundError);
      await webhooks.delete(second.id);
    });

    it('refuses invalid input with a 400 naming the field', async () => {
      const webhooks = server.client.beta.organization.webhooks;
      const url = 'https://hooks.example.com/x';
      await assert.rejects(
        webhooks.create({ url, enabled_events: events('session.exploded') }),
        (error: unknown) =>
          error instanceof Anthropic.BadRequestError && /enabled_events\[0\]/.test(error.message),
      );
      await assert.rejects(webhooks.create({ url, enabled_events: [] }), /enabled_events/);
      await assert.rejects(
        webhooks.create({ url: 'not a url', enabled_events: events('agent.created') }),
        /url/,
      );
      await assert.rejects(
        webhooks.create({ url: 'ftp://hooks.example.com/', enabled_events: events('agent.created') }),
        /url: must be an https:\/\//,
      );
    });

    it('refuses loopback, private, metadata and plain http:// URLs without the operator opt-in', async () => {
      const webhooks = server.client.beta.organization.webhooks;
      for (const url of [
        'http://hooks.example.com/x',
        'https://127.0.0.1:8443/x',
        'https://localhost/x',
        'https://10.1.2.3/x',
        'https://[::1]/x',
        'https://169.254.169.254/latest',
      ])
        await assert.rejects(
          webhooks.create({ url, enabled_events: events('agent.created') }),
          (error: unknown) => error instanceof Anthropic.BadRequestError && /^.*url: /.test(error.message),
          url,
        );
      const ok = await webhooks.create({
        url: 'https://hooks.example.com/x',
        enabled_events: events('agent.created'),
      });
      await assert.rejects(webhooks.update(ok.id, { url: 'https://192.168.1.1/x' }), /url: /);
      await webhooks.delete(ok.id);
    });
  });

  describe(`webhook deliveries (${dialect})`, () => {
    let server: WebhookTestServer;
    let receiver: WebhookReceiver;
    before(async () => {
      receiver = await startWebhookReceiver();
      server = await startWebhookServer(dialect, { allowPrivateNetworks: true });
    });
    after(async () => {
      await server.close();
      await receiver.close();
    });

    it('delivers signed events that webhooks.unwrap verifies; a tampered one fails', async () => {
      const { client } = server;
      const endpoint = await client.beta.organization.webhooks.create({
        url: receiver.url,
        enabled_events: events(
          'agent.created',
          'environment.created',
          'session.created',
          'session.status_run_started',
          'session.status_idled',
          'session.archived',
          'session.deleted',
          'agent.updated',
          'agent.archived',
        ),
      });
      const agent = await client.beta.agents.create({ name: 'hooked', model: 'claude-haiku-4-5' });
      const first = await until(
        'the agent.created delivery',
        async () => receiver.received.length,
        (n) => n >= 1,
      );
      assert.ok(first >= 1);
      const delivery = receiver.received[0];
      assert.ok(delivery);
      const event = client.beta.webhooks.unwrap(delivery.body, {
        headers: delivery.headers,
        key: endpoint.signing_secret,
      });
      assert.equal(event.type, 'event');
      assert.match(event.id, /^wevt_/);
      assert.equal(delivery.headers['webhook-id'], event.id);
      assert.deepEqual(event.data, {
        id: agent.id,
        type: 'agent.created',
        organization_id: 'org_paddock',
        workspace_id: 'wrkspc_default',
      });

      // A changed body, a changed signature or another endpoint's secret fail to verify.
      const tampered = delivery.body.replace(agent.id, 'agent_someone_else');
      assert.throws(() =>
        client.beta.webhooks.unwrap(tampered, { headers: delivery.headers, key: endpoint.signing_secret }),
      );
      const signature = delivery.headers['webhook-signature'] ?? '';
      const forged = `${signature.slice(0, -4)}AAA=`;
      assert.throws(() =>
        client.beta.webhooks.unwrap(delivery.body, {
          headers: { ...delivery.headers, 'webhook-signature': forged },
          key: endpoint.signing_secret,
        }),
      );
      const { signing_secret: otherSecret } = await client.beta.organization.webhooks.regenerateSigningSecret(
        endpoint.id,
      );
      assert.throws(() =>
        client.beta.webhooks.unwrap(delivery.body, { headers: delivery.headers, key: otherSecret }),
      );

      // A session's life: created, its turn starts and it goes idle (the scripted model's echo).
      const environment = await client.beta.environments.create({ name: `hooks-${dialect}` });
      const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'hello' }] }],
      });
      const readTypes = async () =>
        receiver.received.map((received) => {
          const unwrapped = client.beta.webhooks.unwrap(received.body, {
            headers: received.headers,
            key: received === delivery ? endpoint.signing_secret : otherSecret,
          });
          return `${unwrapped.data.type} ${unwrapped.data.id}`;
        });
      await until('the session to go idle', readTypes, (seen) =>
        seen.includes(`session.status_idled ${session.id}`),
      );
      // Archive and delete the session, update and archive the agent: each one event.
      await client.beta.sessions.archive(session.id);
      await client.beta.sessions.delete(session.id);
      await client.beta.agents.update(agent.id, { version: agent.version, name: 'hooked-2' });
      await client.beta.agents.archive(agent.id);
      const expected = [
        `environment.created ${environment.id}`,
        `session.created ${session.id}`,
        `session.status_run_started ${session.id}`,
        `session.archived ${session.id}`,
        `session.deleted ${session.id}`,
        `agent.updated ${agent.id}`,
        `agent.archived ${agent.id}`,
      ];
      // Deliveries run in parallel: they may arrive in any order.
      const types = await until('the later events', readTypes, (seen) =>
        expected.every((type) => seen.includes(type)),
      );
      for (const type of expected)
        assert.equal(types.filter((seen) => seen === type).length, 1, `${type} once in ${types.join(', ')}`);

      // The delivery log: response codes and durations; a manual redelivery sends the same id again.
      const log = await deliveries(client, endpoint.id);
      const agentDelivery = log.data.find((entry) => entry.event_type === 'agent.created');
      assert.ok(agentDelivery);
      assert.equal(agentDelivery.status, 'succeeded');
      assert.equal(agentDelivery.attempts[0]?.status_code, 200);
      assert.equal(agentDelivery.attempts[0]?.response_body_excerpt, 'ok');
      assert.ok((agentDelivery.attempts[0]?.duration_ms ?? -1) >= 0);
      const before = receiver.received.length;
      const again = (await client.post(
        `/v1/organizations/webhooks/${endpoint.id}/deliveries/${agentDelivery.id}/redeliver`,
      )) as { id: string; manual: boolean; event_id: string };
      assert.equal(again.manual, true);
      assert.equal(again.event_id, agentDelivery.event_id);
      await until(
        'the redelivery',
        async () => receiver.received.length,
        (n) => n > before,
      );
      assert.ok(receiver.received.slice(before).some((r) => r.headers['webhook-id'] === event.id));
      await client.beta.organization.webhooks.delete(endpoint.id);
    });

    it('never delivers events of other workspaces, or events an endpoint did not enable', async () => {
      const { client } = server;
      const endpoint = await client.beta.organization.webhooks.create({
        url: receiver.url,
        enabled_events: events('vault.created'),
      });
      const other = await client.beta.organization.workspaces.create({ name: 'elsewhere' });
      const elsewhere = new Anthropic({
        baseURL: client.baseURL,
        apiKey: client.apiKey,
        maxRetries: 0,
        defaultHeaders: { 'anthropic-workspace-id': other.id },
      });
      await assert.rejects(
        elsewhere.beta.organization.webhooks.retrieve(endpoint.id),
        Anthropic.NotFoundError,
      );
      await elsewhere.beta.vaults.create({ display_name: 'not yours' });
      await client.beta.agents.create({ name: 'not enabled', model: 'claude-haiku-4-5' });
      const mine = await client.beta.vaults.create({ display_name: 'yours' });
      const log = await until(
        'the vault delivery',
        () => deliveries(client, endpoint.id),
        (page) => page.data.some((entry) => entry.status === 'succeeded'),
      );
      assert.deepEqual(
        log.data.map((entry) => entry.event_type),
        ['vault.created'],
      );
      const body = receiver.received.at(-1)?.body ?? '';
      assert.match(body, new RegExp(mine.id));
      await client.beta.organization.webhooks.delete(endpoint.id);
    });
  });
}
