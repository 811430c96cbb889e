import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { toErrorResponse } from '../../src/api/error-mapping.js';

/**
 * While the database is down a write has decided nothing, so the API says "retry" (503 api_error,
 * x-should-retry: true, retry-after) instead of a 500 the SDK would treat as a server bug.
 * The errors are the driver's own: a refused connection and the SQLSTATE of a shutting-down server.
 */
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
  // How the store layers hand it on: wrapped once with the driver's error as the cause.
  const wrapped = new Error('insert failed', { cause: shutdown });

  for (const error of [refused, shutdown, wrapped]) {
    const response = toErrorResponse(error, 'req_1');
    assert.equal(response.status, 503, String(error));
    assert.equal(response.body.error.type, 'api_error');
    assert.match(response.body.error.message, /database is unreachable/);
    assert.equal(response.headers['x-should-retry'], 'true');
    assert.equal(response.headers['retry-after'], '2');
    assert.doesNotMatch(JSON.stringify(response.body), /127\.0\.0\.1|57P01/);
  }

  const constraint = new pg.DatabaseError('duplicate key value violates unique constraint', 0, 'error');
  constraint.code = '23505';
  for (const error of [constraint, new Error('boom')]) {
    const response = toErrorResponse(error, 'req_2');
    assert.equal(response.status, 500);
    assert.equal(response.body.error.type, 'api_error');
    assert.equal(response.headers['x-should-retry'], undefined);
  }
});
