import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { toErrorResponse } from '../../src/api/error-mapping.js';
import { storeUnavailable } from '../../src/core/store-unavailable.js';
import { isPostgresUnavailable } from '../../src/store/postgres/postgres-unavailable.js';

/**
 * While the database is down a write has decided nothing, so the API says "retry" (503 api_error,
 * x-should-retry: true, retry-after) instead of a 500 the SDK would treat as a server bug.
 * The errors are the driver's own: a refused connection and the SQLSTATE of a shutting-down server.
 * The store recognises them (src/store/postgres/postgres-unavailable.ts) and hands the core its
 * storeUnavailable instead (src/store/kysely/unavailable-translation.ts does this for every query);
 * neither the core nor the API knows a SQLSTATE.
 */
const throughStore = (error: unknown): unknown =>
  isPostgresUnavailable(error) ? storeUnavailable(error) : error;

test('a database outage maps to a retryable 503; other failures stay 500', async () => {
  const client = new pg.Client({
    host: '127.0.0.1',
    port: 1,
    user: 'postgres',
    connectionTimeoutMillis: 60_000,
  });
  const refused = await client.connect().then(
    () => assert.fail('port 1 accepted a connection'),
    (error: unknown) => error,
  );
  const shutdown = new pg.DatabaseError('terminating connection due to administrator command', 0, 'error');
  shutdown.code = '57P01';
  // A driver error wrapped once (with the driver's error as the cause) is still recognised.
  const wrapped = new Error('insert failed', { cause: shutdown });

  for (const error of [refused, shutdown, wrapped]) {
    assert.equal(toErrorResponse(error, 'req_0').status, 500, 'a raw driver error means nothing to the API');
    // What a service that wraps the store's error hands on is recognised too.
    for (const handedOn of [
      throughStore(error),
      new Error('append failed', { cause: throughStore(error) }),
    ]) {
      const response = toErrorResponse(handedOn, 'req_1');
      assert.equal(response.status, 503, String(error));
      assert.equal(response.body.error.type, 'api_error');
      assert.match(response.body.error.message, /database is unreachable/);
      assert.equal(response.headers['x-should-retry'], 'true');
      assert.equal(response.headers['retry-after'], '2');
      assert.doesNotMatch(JSON.stringify(response.body), /127\.0\.0\.1|57P01/);
    }
  }

  const constraint = new pg.DatabaseError('duplicate key value violates unique constraint', 0, 'error');
  constraint.code = '23505';
  for (const error of [constraint, new Error('boom')]) {
    const response = toErrorResponse(throughStore(error), 'req_2');
    assert.equal(response.status, 500);
    assert.equal(response.body.error.type, 'api_error');
    assert.equal(response.headers['x-should-retry'], undefined);
  }
});
