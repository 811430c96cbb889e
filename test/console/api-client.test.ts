import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toFile } from '@anthropic-ai/sdk';
import { ApiError, ConsoleClient, type Wire } from '../../src/console/static/api.js';
import { followEvents } from '../../src/console/static/live.js';
import { streamErrorOf } from '../../src/console/static/sse.js';
import { createSession, startHarnessFixture } from '../support/harness-fixture.js';
import { TEST_ADMIN_KEY } from '../support/server.js';
import { consoleSuite } from './api-client-fixture.js';

/**
 * The console's API client against a real server: sign-in, lists, downloads and refusals.
 * Nothing here uses the SDK's client for what is tested: the SDK only sets up and cross-checks.
 * Streams: api-client-streams.test.ts; turns: api-client-turns.test.ts.
 */

describe('the console API client against a real server', () => {
  const suite = consoleSuite();

  it('sign-in: a wrong key fails with the API’s own message; the right one passes', async () => {
    const { fixture, client } = suite;
    const raw = await fetch(`${fixture.server.url}/v1/agents?limit=1`, {
      headers: { 'x-api-key': 'sk-wrong' },
    });
    const expected = ((await raw.json()) as { error: { message: string } }).error.message;
    const wrong = new ConsoleClient({ apiKey: 'sk-wrong', baseUrl: fixture.server.url });
    await assert.rejects(wrong.signIn(), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 401);
      assert.equal(error.type, 'authentication_error');
      assert.equal(error.message, expected);
      assert.match(error.requestId ?? '', /^req_/);
      return true;
    });
    assert.equal(await client.signIn(), true);
  });

  it('lists every resource, paging with the cursors the API returns', async () => {
    const { fixture, client } = suite;
    const created = [];
    for (let index = 0; index < 5; index++) {
      created.push(await client.createAgent({ name: `pager-${index}`, model: 'claude-sonnet-4-6' }));
    }
    const all = [];
    for await (const agent of fixture.client.beta.agents.list()) all.push(agent.id);
    const paged: string[] = [];
    let page: string | undefined;
    let pages = 0;
    do {
      const answer = await client.listAgents({ limit: 2, page });
      assert.ok(answer.data.length <= 2);
      paged.push(...answer.data.map((agent) => agent.id as string));
      page = answer.next_page ?? undefined;
      pages++;
    } while (page);
    assert.deepEqual(paged, all);
    assert.ok(pages >= 3);
    for (const agent of created) assert.ok(paged.includes(agent.id));

    // Sessions come with a prev_page too (BidirectionalPageCursor).
    for (let index = 0; index < 3; index++) await createSession(fixture.client);
    const first = await client.listSessions({ limit: 2 });
    assert.equal(first.prev_page, null);
    assert.ok(first.next_page);
    const second = await client.listSessions({ limit: 2, page: first.next_page });
    assert.ok(second.prev_page);
    const back = await client.listSessions({ limit: 2, page: second.prev_page ?? undefined });
    assert.deepEqual(
      back.data.map((session) => session.id),
      first.data.map((session) => session.id),
    );
    const session = first.data[0] as Wire;
    for (const field of ['status', 'agent', 'created_at', 'usage']) assert.ok(field in session, field);

    const vault = await fixture.client.beta.vaults.create({ display_name: 'console vault' });
    assert.ok((await client.listVaults()).data.some((item) => item.id === vault.id));
    assert.ok((await client.listEnvironments({ limit: 100 })).data.length >= 1);
    await assert.rejects(client.listAgents({ page: 'not-a-cursor' }), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 400);
      assert.match(error.message, /page: not a cursor/);
      return true;
    });
  });

  it('lists files and downloads one with the key', async () => {
    const { fixture, client } = suite;
    const bytes = Buffer.from('console download ✓\n');
    const uploaded = await fixture.client.beta.files.upload({
      file: await toFile(bytes, 'notes ü.txt', { type: 'text/plain' }),
    });
    assert.ok((await client.listFiles()).data.some((file) => file.id === uploaded.id));
    const { blob, filename } = await client.downloadFile(uploaded.id);
    assert.equal(filename, 'notes ü.txt');
    assert.deepEqual(Buffer.from(await blob.arrayBuffer()), bytes);
    await assert.rejects(client.downloadFile('file_missing'), (error: unknown) => {
      return error instanceof ApiError && error.status === 404;
    });
  });

  it('stops following a stream the server refuses, with its message', async () => {
    const { client } = suite;
    const errors: Array<{ message: string; fatal: boolean }> = [];
    const follower = followEvents(client, 'sesn_missing', {
      onEvent: () => {},
      onError: (e) => errors.push(e),
    });
    assert.equal(await follower.done, 'failed');
    assert.equal(errors[0]?.fatal, true);
    assert.match(errors[0]?.message ?? '', /sesn_missing/);
  });
});

describe('the stream’s terminal error event', () => {
  it('is surfaced to the follower when the server shuts down', async () => {
    const fixture = await startHarnessFixture('sqlite');
    let closed = false;
    try {
      const client = new ConsoleClient({ apiKey: TEST_ADMIN_KEY, baseUrl: fixture.server.url });
      const { session } = await createSession(fixture.client);
      // Raw frames first: the last frame is `event: error` with the API's error body.
      const frames = await client.openStream(session.id);
      const errors: Array<{ type: string; message: string; fatal: boolean }> = [];
      let live: () => void = () => {};
      const opened = new Promise<void>((resolve) => {
        live = resolve;
      });
      const follower = followEvents(client, session.id, {
        onEvent: () => {},
        onError: (error) => errors.push(error),
        onState: (state) => state === 'live' && live(),
        reconnect: false,
      });
      await opened;
      const closing = fixture.close();
      closed = true;
      const received = [];
      for await (const frame of frames) received.push(frame);
      const last = received.at(-1);
      assert.equal(last?.event, 'error');
      assert.equal(streamErrorOf(last ?? { data: '' }).type, 'overloaded_error');
      assert.match(streamErrorOf(last ?? { data: '' }).message, /shutting down.*Last-Event-ID/);
      assert.equal(await follower.done, 'stopped');
      assert.equal(errors[0]?.type, 'overloaded_error');
      assert.equal(errors[0]?.fatal, false, 'a shutdown is worth reconnecting after');
      await closing;
    } finally {
      if (!closed) await fixture.close();
    }
  });
});
