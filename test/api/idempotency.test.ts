import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.js';

/** Idempotency-Key on POSTs: a caller's retry must not create two agents. */
for (const dialect of DIALECTS) {
  describe(`Idempotency-Key (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server.close());

    const create = (name: string, key: string, client = server.client) =>
      client.beta.agents
        .create({ name, model: 'claude-sonnet-4-6' }, { headers: { 'Idempotency-Key': key } })
        .withResponse();

    it('replays the first response to a retry of the same request, once per caller', async () => {
      const first = await create('retried', 'agent-create-1');
      const again = await create('retried', 'agent-create-1');
      assert.equal(again.data.id, first.data.id);
      assert.deepEqual(again.data, first.data);
      assert.equal(first.response.headers.get('idempotent-replayed'), null);
      assert.equal(again.response.headers.get('idempotent-replayed'), 'true');
      const named = [];
      for await (const agent of server.client.beta.agents.list())
        if (agent.name === 'retried') named.push(agent);
      assert.equal(named.length, 1);

      // Another API key's same key is its own: scoped per caller.
      const issued = (await (
        await fetch(`${server.url}/v1/api_keys`, {
          method: 'POST',
          headers: { 'x-api-key': TEST_ADMIN_KEY, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'second' }),
        })
      ).json()) as { key: string };
      const other = new Anthropic({ baseURL: server.url, apiKey: issued.key, maxRetries: 0 });
      const theirs = await create('retried', 'agent-create-1', other);
      assert.notEqual(theirs.data.id, first.data.id);

      // Without the header nothing is deduplicated (the SDK 1.10.0 sends none by itself).
      const plain = await server.client.beta.environments.create({ name: 'twice' });
      const plainAgain = await server.client.beta.environments.create({ name: 'twice' });
      assert.notEqual(plain.id, plainAgain.id);
    });

    it('refuses the same key with a different request (422 idempotency_key_mismatch)', async () => {
      await create('original', 'agent-create-2');
      await assert.rejects(create('changed', 'agent-create-2'), (error: unknown) => {
        assert.ok(error instanceof Anthropic.APIError, String(error));
        assert.equal(error.status, 422);
        assert.equal((error as { errorCode?: string }).errorCode, 'idempotency_key_mismatch');
        return true;
      });
    });

    it('replays a 4xx too (the request was answered), and refuses a malformed key', async () => {
      const bad = () =>
        server.client.beta.agents.create({ name: 'x', model: '' } as never, {
          headers: { 'Idempotency-Key': 'bad-agent' },
        });
      await assert.rejects(bad(), Anthropic.BadRequestError);
      await assert.rejects(bad(), (error: unknown) => {
        assert.ok(error instanceof Anthropic.BadRequestError);
        assert.equal(error.headers?.get('idempotent-replayed'), 'true');
        return true;
      });
      await assert.rejects(
        server.client.beta.agents.create(
          { name: 'x', model: 'm' },
          { headers: { 'Idempotency-Key': 'bad key with spaces' } },
        ),
        Anthropic.BadRequestError,
      );
    });
  });
}
