import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WebhookCreateParams } from '@anthropic-ai/sdk/resources/beta/organization/webhooks.js';
import {
  createScriptedProvider,
  type ScriptedProvider,
} from '../../src/providers/scripted/scripted-provider.js';
import { DIALECTS } from '../support/databases.js';
import { createSession, isIdle, openEventReader } from '../support/harness-fixture.js';
import { agentSays, graderSays } from '../support/outcome-script.js';
import { until, unwrapAll, webhookSuite } from '../support/webhook-receiver.js';

/** Every outcome verdict reaches webhook endpoints as `session.outcome_evaluation_ended` (docs/outcomes.md). */
for (const dialect of DIALECTS) {
  describe(`outcomes: the session.outcome_evaluation_ended webhook (${dialect})`, () => {
    const model: ScriptedProvider = createScriptedProvider();
    const suite = webhookSuite(dialect, () => ({ allowPrivateNetworks: true, model }));

    it('delivers one signed event per evaluation end, for the session', async () => {
      const { server, receiver } = suite;
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
      const events = unwrapAll(client, receiver, endpoint.signing_secret);
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
