import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { createPaddock } from '../../src/server.js';
import { createPostgresStore } from '../../src/store/postgres/create-postgres-store.js';
import { startPrivatePostgres } from '../support/private-postgres.js';
import { TEST_ADMIN_KEY, testServerConfig } from '../support/server.js';

/**
 * While the database is down the API says "retry" instead of "bug": a write (and a read) gets
 * 503 api_error with x-should-retry: true and a retry-after, which the official SDK retries.
 * The database is a Postgres server of this test's own, stopped under a running server.
 */
test('with its database stopped, the API answers 503 api_error, retryable', {
  timeout: 300_000,
}, async () => {
  const database = await startPrivatePostgres();
  const dataDir = await mkdtemp(join(tmpdir(), 'paddock-store-down-'));
  const config = testServerConfig(dataDir, { sandboxDriver: 'process' });
  const paddock = await createPaddock({ config, store: await createPostgresStore(database.url, 5) });
  const url = await paddock.listen();
  const client = new Anthropic({ baseURL: url, apiKey: TEST_ADMIN_KEY, maxRetries: 0 });
  try {
    const agent = await client.beta.agents.create({ name: 'before', model: 'claude-sonnet-4-6' });
    await database.stop();

    for (const call of [
      () => client.beta.agents.create({ name: 'during', model: 'claude-sonnet-4-6' }),
      () => client.beta.agents.retrieve(agent.id),
    ]) {
      const error = await call().then(
        () => assert.fail('answered without its database'),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof Anthropic.APIError, String(error));
      assert.equal(error.status, 503, String(error));
      assert.equal((error.error as { error?: { type?: string } }).error?.type, 'api_error');
      assert.equal(error.headers?.get('x-should-retry'), 'true');
      assert.ok(Number(error.headers?.get('retry-after')) > 0);
    }
    const health = await fetch(`${url}/health`);
    assert.equal(health.status, 200, 'the process itself still answers');
  } finally {
    await paddock.close().catch(() => undefined);
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
