import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

for (const dialect of DIALECTS) {
  describe(`dreams: invalid requests (${dialect})`, () => {
    let server: TestServer;
    let storeId: string;
    let sessionIds: string[];
    before(async () => {
      server = await startTestServer(dialect);
      const { client } = server;
      storeId = (await client.beta.memoryStores.create({ name: 'validated' })).id;
      const agent = await client.beta.agents.create({ name: 'a', model: 'claude-haiku-4-5' });
      const environment = await client.beta.environments.create({ name: `dream-validation-${dialect}` });
      sessionIds = [];
      for (let index = 0; index < 2; index++)
        sessionIds.push(
          (await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id })).id,
        );
    });
    after(async () => server.close());

    it('refuses invalid requests with a 400 naming the field', async () => {
      const { client } = server;
      const storeInput = { type: 'memory_store' as const, memory_store_id: storeId };
      const sessionsInput = { type: 'sessions' as const, session_ids: sessionIds };
      const refused = async (body: unknown, field: RegExp) =>
        assert.rejects(
          client.beta.dreams.create(body as Anthropic.Beta.Dreams.DreamCreateParams),
          (error: unknown) => error instanceof Anthropic.BadRequestError && field.test(error.message),
        );
      await refused({ inputs: [storeInput], model: 'm' }, /inputs/);
      await refused({ inputs: [storeInput, sessionsInput] }, /model/);
      await refused({ inputs: [storeInput, sessionsInput], model: { id: 'm', speed: 'fast' } }, /model/);
      await refused({ inputs: [storeInput, sessionsInput], model: 'x'.repeat(257) }, /model/);
      await refused(
        { inputs: [storeInput, sessionsInput], model: 'm', instructions: 'x'.repeat(4097) },
        /instructions/,
      );
      await refused({ inputs: [storeInput, sessionsInput], model: 'm', instructions: '' }, /instructions/);
      await refused(
        {
          inputs: [storeInput, { type: 'sessions', session_ids: [sessionIds[0], sessionIds[0]] }],
          model: 'm',
        },
        /session_ids/,
      );
      await refused(
        { inputs: [storeInput, { type: 'sessions', session_ids: [] }], model: 'm' },
        /session_ids/,
      );
      await refused(
        { inputs: [storeInput, { type: 'sessions', session_ids: ['sesn_missing'] }], model: 'm' },
        /inputs\[1\]\.session_ids\[0\]/,
      );
      await refused(
        {
          inputs: [{ type: 'memory_store', memory_store_id: 'memstore_missing' }, sessionsInput],
          model: 'm',
        },
        /inputs\[0\]\.memory_store_id/,
      );
      await refused(
        {
          inputs: [storeInput, sessionsInput],
          model: 'm',
          output_behavior: { type: 'update_existing', memory_store_id: 'memstore_other' },
        },
        /output_behavior\.memory_store_id/,
      );
      await assert.rejects(client.beta.dreams.retrieve('drm_missing'), Anthropic.NotFoundError);
      await assert.rejects(client.beta.dreams.cancel('drm_missing'), Anthropic.NotFoundError);
      await assert.rejects(client.beta.dreams.list({ statuses: ['sleeping' as 'pending'] }), /statuses/);
    });
  });
}
