import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.js';

describe('API keys', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer('sqlite');
  });
  after(async () => server.close());

  const call = (path: string, init: RequestInit = {}, key = TEST_ADMIN_KEY) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { 'x-api-key': key, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });

  it('creates a key shown once, stored hashed, usable by the SDK, and revocable', async () => {
    const created = (await (
      await call('/v1/api_keys', { method: 'POST', body: JSON.stringify({ name: 'ci' }) })
    ).json()) as {
      id: string;
      key: string;
      name: string;
    };
    assert.match(created.key, /^sk-paddock-/);
    const listed = (await (await call('/v1/api_keys')).json()) as { data: Array<Record<string, unknown>> };
    assert.ok(listed.data.some((entry) => entry['id'] === created.id));
    assert.ok(!JSON.stringify(listed).includes(created.key), 'the key is never shown again');
    const stored = await server.paddock.store.apiKeys.list();
    assert.ok(!JSON.stringify(stored).includes(created.key), 'only a hash is stored');

    const client = new Anthropic({ baseURL: server.url, apiKey: created.key, maxRetries: 0 });
    await client.beta.agents.list();
    const revoked = await call(`/v1/api_keys/${created.id}`, { method: 'DELETE' });
    assert.equal(revoked.status, 200);
    await assert.rejects(
      client.beta.agents.list(),
      (error: unknown) => error instanceof Anthropic.AuthenticationError,
    );
    const missing = await call('/v1/api_keys/key_missing', { method: 'DELETE' });
    assert.equal(missing.status, 404);
    const bad = await call('/v1/api_keys', { method: 'POST', body: JSON.stringify({ name: '' }) });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /name/);
  });
});
