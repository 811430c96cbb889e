import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WebhookCreateParams } from '@anthropic-ai/sdk/resources/beta/organization/webhooks.js';
import {
  createScriptedProvider,
  type ScriptedProvider,
} from '../../src/providers/scripted/scripted-provider.js';
import { DIALECTS } from '../support/databases.js';
import { createSession, isIdle, openEventReader } from '../support/harness-fixture.js';
import { agentSays, graderSays } from '../support/outcome-script.js';
import {
  startWebhookReceiver,
  startWebhookServer,
  until,
  type WebhookReceiver,
  type WebhookTestServer,
} from '../support/webhook-receiver.js';

/** Every outcome verdict reaches webhook endpoints as `session.outcome_evaluation_ended` (docs/outcomes.md). */
for (const dialect of DIALECTS) {
  describe(`outcomes: the session.outcome_evaluation_ended webhook (${dialect})`, () => {
    let model: ScriptedProvider;
    let server: WebhookTestServer;
    let receiver: WebhookReceiver;
    before(async () => {
      model = createScriptedProvider();
      receiver = await startWebhookReceiver();
      server = await startWebhookServer(dialect, { allowPrivateNetworks: true, model });
    });
    after(async () => {
      await server.close();
      await receiver.close();
    });

    it('delivers one signed event per evaluation end, for the session', async () => {
      const { client } = server;
      const endpoint = await client.beta.organization.webhooks.create({
        url: receiver.url,
        enabled_events: [
          'session.outcome_evaluation_ended',
        ] as unknown as WebhookCreateParams['enabled_events'],
      });
      const { session } = await createSession(client);
      model.push([
        agentSays('TASK-HOOK', 'v1'),
        graderSays('needs_revision', 'FEEDBACK-HOOK'),
        agentSays('FEEDBACK-HOOK', 'v2'),
        graderSays('satisfied', 'ok'),
      ]);
      const reader = await openEventReader(client, session.id);
      try {
        await client.beta.sessions.events.send(session.id, {
          events: [
            { type: 'user.define_outcome', description: 'TASK-HOOK', rubric: { type: 'text', content: 'x' } },
          ],
        });
        await reader.until(isIdle, 60_000);
      } finally {
        reader.close();
      }
      await until(
        'two deliveries',
        async () => receiver.received.length,
        (count) => count >= 2,
      );
      const events = receiver.received.map((delivery) =>
        client.beta.webhooks.unwrap(delivery.body, {
          headers: delivery.headers,
          key: endpoint.signing_secret,
        }),
      );
      assert.deepEqual(
        events.map((event) => event.data),
        [1, 2].map(() => ({
          id: session.id,
          type: 'session.outcome_evaluation_ended',
          organization_id: 'org_paddock',
          workspace_id: 'wrkspc_default',
        })),
      );
    });
  });
}
