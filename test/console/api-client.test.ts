import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toFile } from '@anthropic-ai/sdk';
import { ApiError, ConsoleClient, type Wire } from '../../src/console/static/api.js';
import { pendingConfirmations } from '../../src/console/static/format.js';
import { type FollowOptions, followEvents } from '../../src/console/static/live.js';
import { streamErrorOf } from '../../src/console/static/sse.js';
import { startScriptedModelServer } from '../../src/providers/scripted/scripted-model-server.js';
import { createSession, type HarnessFixture, startHarnessFixture } from '../support/harness-fixture.js';
import { startTestServer, TEST_ADMIN_KEY } from '../support/server.js';

/**
 * The console's API client, imported as the browser gets it, against a real
 * server whose model is the scripted upstream. Nothing here uses the SDK's
 * client for what is tested: the SDK only sets up and cross-checks.
 */

/** Reads stored events from a follower until one matches. */
function eventCollector() {
  const events: Wire[] = [];
  const waiters: Array<{ test: (event: Wire) => boolean; resolve: () => void }> = [];
  return {
    events,
    push(event: Wire) {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.test(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    },
    until(test: (event: Wire) => boolean, timeoutMs = 15_000): Promise<void> {
      if (events.some(test)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out; saw ${events.map((event) => event.type).join(', ')}`)),
          timeoutMs,
        );
        waiters.push({
          test,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

const idleCount = (events: Wire[]) => events.filter((event) => event.type === 'session.status_idle').length;

/** startHarnessFixture, with heartbeats every 50 ms so a test sees some. */
async function startFixture(): Promise<HarnessFixture> {
  const model = await startScriptedModelServer({ turns: [] });
  const server = await startTestServer(
    'sqlite',
    {
      anthropic: { baseUrl: model.url, apiKey: 'test-upstream-key' },
      sandboxDriver: 'process',
      sseHeartbeatMs: 50,
    },
    { retry: { baseDelayMs: 20, maxDelayMs: 50, maxAttempts: 3 } },
  );
  return {
    server,
    model,
    client: server.client,
    async close() {
      await server.close();
      await model.close();
    },
  };
}

/** Follows a session into a collector; resolves once the stream is open. */
async function follow(client: ConsoleClient, sessionId: string, options: Partial<FollowOptions> = {}) {
  const collected = eventCollector();
  let live: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    live = resolve;
  });
  const follower = followEvents(client, sessionId, {
    ...options,
    onEvent: collected.push,
    onState: (state) => {
      options.onState?.(state);
      if (state === 'live') live();
    },
  });
  await opened;
  return { collected, follower };
}

describe('the console API client against a real server', () => {
  let fixture: HarnessFixture;
  let client: ConsoleClient;
  before(async () => {
    fixture = await startFixture();
    client = new ConsoleClient({ apiKey: TEST_ADMIN_KEY, baseUrl: fixture.server.url });
  });
  after(async () => fixture.close());

  it('sign-in: a wrong key fails with the API’s own message; the right one passes', async () => {
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

  it('creates an agent and a session; reads a live stream; heartbeats are not events', async () => {
    const agent = await client.createAgent({
      name: 'Console agent',
      model: 'claude-sonnet-4-6',
      system: 'Be brief.',
      toolset: true,
    });
    assert.deepEqual(
      agent.tools.map((tool: Wire) => tool.type),
      ['agent_toolset_20260401'],
    );
    assert.equal(agent.system, 'Be brief.');
    const environment = await fixture.client.beta.environments.create({ name: 'console-env' });
    const session = await client.createSession({
      agentId: agent.id,
      environmentId: environment.id,
      title: 'From the console',
    });
    assert.equal(session.title, 'From the console');
    assert.equal(session.agent.id, agent.id);

    fixture.model.push([{ content: [{ type: 'text', text: 'Hello from the console test.' }] }]);
    const controller = new AbortController();
    let heartbeats = 0;
    const frames = await client.openStream(session.id, {
      signal: controller.signal,
      onComment: () => heartbeats++,
    });
    const sent = await client.sendMessage(session.id, 'Say hello');
    assert.equal(sent[0]?.type, 'user.message');
    const seen: Wire[] = [];
    for await (const frame of frames) {
      assert.notEqual(frame.event, 'message', 'every frame names its event');
      const event = JSON.parse(frame.data);
      assert.equal(frame.event, event.type);
      assert.equal(frame.id, event.id);
      seen.push(event);
      if (event.type === 'session.status_idle') break;
    }
    controller.abort();
    const types = seen.map((event) => event.type);
    assert.equal(types[0], 'user.message');
    assert.equal(seen[0]?.id, sent[0]?.id);
    assert.ok(types.includes('session.status_running'));
    assert.ok(types.includes('session.usage'));
    const message = seen.find((event) => event.type === 'agent.message');
    assert.equal(message?.content[0]?.text, 'Hello from the console test.');

    // The history equals the stream, and a stream resumed with Last-Event-ID replays what follows.
    const history = await client.listAllEvents(session.id);
    assert.deepEqual(
      history.map((event) => event.id),
      seen.map((event) => event.id),
    );
    const resumed = await client.openStream(session.id, { lastEventId: seen[2]?.id });
    const replay: Wire[] = [];
    for await (const frame of resumed) {
      replay.push(JSON.parse(frame.data));
      if (replay.length === seen.length - 3) break;
    }
    assert.deepEqual(
      replay.map((event) => event.id),
      seen.slice(3).map((event) => event.id),
    );

    // Heartbeats (`: ping`) reach the comment callback and are never yielded as frames.
    heartbeats = 0;
    const quietController = new AbortController();
    const quiet = await client.openStream(session.id, {
      lastEventId: seen.at(-1)?.id,
      signal: quietController.signal,
      onComment: () => heartbeats++,
    });
    const timer = setTimeout(() => quietController.abort(), 400);
    await assert.rejects(async () => {
      for await (const frame of quiet) assert.fail(`unexpected frame ${frame.event}`);
    }, /abort/i);
    clearTimeout(timer);
    assert.ok(heartbeats >= 3, `saw ${heartbeats} heartbeats`);
  });

  it('interrupts a slow turn', async () => {
    const { session } = await createSession(fixture.client);
    fixture.model.push([{ content: [{ type: 'text', text: 'too slow' }], delay_ms: 10_000 }]);
    const { collected, follower } = await follow(client, session.id);
    await client.sendMessage(session.id, 'take your time');
    await collected.until((event) => event.type === 'span.model_request_start');
    const started = Date.now();
    const [interrupt] = await client.interrupt(session.id);
    assert.equal(interrupt?.type, 'user.interrupt');
    await collected.until((event) => event.type === 'session.status_idle');
    assert.ok(Date.now() - started < 5000, 'the interrupt stopped the turn promptly');
    assert.ok(collected.events.some((event) => event.id === interrupt?.id));
    assert.ok(!collected.events.some((event) => event.type === 'agent.message'));
    assert.equal(await follower.stop(), 'stopped');
  });

  it('always_ask: the pending tool use is found from the events, then allowed', async () => {
    const agent = await client.createAgent({
      name: 'Asker',
      model: 'claude-sonnet-4-6',
      toolset: true,
      askBeforeTools: true,
    });
    assert.deepEqual(agent.tools[0].default_config.permission_policy, { type: 'always_ask' });
    const environment = await fixture.client.beta.environments.create({ name: 'ask-env' });
    const session = await client.createSession({ agentId: agent.id, environmentId: environment.id });
    fixture.model.push([
      {
        content: [{ type: 'tool_use', name: 'bash', input: { command: 'echo console-allowed' } }],
        stop_reason: 'tool_use',
      },
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    const { collected, follower } = await follow(client, session.id);
    await client.sendMessage(session.id, 'run it');
    await collected.until((event) => event.type === 'session.status_idle');
    const idle = collected.events.find((event) => event.type === 'session.status_idle');
    assert.equal(idle?.stop_reason.type, 'requires_action');
    const pending = pendingConfirmations(collected.events);
    assert.equal(pending.length, 1);
    assert.equal(pending[0]?.name, 'bash');
    assert.deepEqual(idle?.stop_reason.event_ids, [pending[0]?.id]);

    await client.confirmTool(session.id, pending[0]?.id, 'allow');
    await collected.until(
      (event) => idleCount(collected.events) === 2 && event.type === 'session.status_idle',
    );
    assert.deepEqual(pendingConfirmations(collected.events), []);
    const result = collected.events.find((event) => event.type === 'agent.tool_result');
    assert.equal(result?.tool_use_id, pending[0]?.id);
    assert.match(JSON.stringify(result?.content), /console-allowed/);
    await follower.stop();
  });

  it('follows across a dropped connection, resuming with Last-Event-ID: no gap, no repeat', async () => {
    const { session } = await createSession(fixture.client);
    const streamRequests: Array<string | null> = [];
    const lastSeenAtRequest: Array<string | undefined> = [];
    let seenSoFar: Wire[] = [];
    let cut = false;
    // Ends the first stream's body after its first event, as a flaky proxy would.
    const flakyFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).endsWith('/events/stream')) return response;
      streamRequests.push(new Headers(init?.headers).get('last-event-id'));
      lastSeenAtRequest.push(seenSoFar.at(-1)?.id);
      if (cut || !response.body) return response;
      cut = true;
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let text = '';
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { done, value } = await reader.read();
          if (done) return controller.close();
          controller.enqueue(value);
          text += decoder.decode(value, { stream: true });
          if (/\nid: /.test(text)) {
            controller.close();
            await reader.cancel();
          }
        },
      });
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const flaky = new ConsoleClient({
      apiKey: TEST_ADMIN_KEY,
      baseUrl: fixture.server.url,
      fetch: flakyFetch,
    });
    fixture.model.push([{ content: [{ type: 'text', text: 'after the drop' }], delay_ms: 300 }]);
    const states: string[] = [];
    const { collected, follower } = await follow(flaky, session.id, {
      onState: (state) => states.push(state),
      retryDelayMs: 20,
    });
    seenSoFar = collected.events;
    await client.sendMessage(session.id, 'survive a drop');
    await collected.until((event) => event.type === 'session.status_idle');
    await follower.stop();
    const ids = collected.events.map((event) => event.id);
    assert.equal(new Set(ids).size, ids.length, 'no event twice');
    const history = await client.listAllEvents(session.id);
    assert.deepEqual(
      ids,
      history.map((event) => event.id),
    );
    assert.ok(streamRequests.length >= 2);
    assert.equal(streamRequests[0], null);
    assert.ok(streamRequests[1], 'the reconnect sent Last-Event-ID');
    assert.equal(streamRequests[1], lastSeenAtRequest[1], 'the reconnect resumed after the last event seen');
    assert.ok(states.includes('waiting'));
  });

  it('stops following a stream the server refuses, with its message', async () => {
    const errors: Array<{ message: string; fatal: boolean }> = [];
    const follower = followEvents(client, 'sesn_missing', {
      onEvent: () => {},
      onError: (e) => errors.push(e),
    });
    assert.equal(await follower.done, 'failed');
    assert.equal(errors[0]?.fatal, true);
    assert.match(errors[0]?.message ?? '', /sesn_missing/);
  });

  it('lists threads and a thread’s events', async () => {
    const worker = await client.createAgent({ name: 'Worker', model: 'claude-sonnet-4-6', toolset: false });
    const lead = await fixture.client.beta.agents.create({
      name: 'Lead',
      model: 'claude-sonnet-4-6',
      system: 'Delegate.',
      // @ts-expect-error the guide's roster form
      agents: [{ agent_id: worker.id, name: 'Worker' }],
    });
    const environment = await fixture.client.beta.environments.create({ name: 'thread-env' });
    const session = await client.createSession({ agentId: lead.id, environmentId: environment.id });
    fixture.model.push([
      {
        match: 'Delegate this',
        content: [
          { type: 'tool_use', name: 'send_to_agent', input: { agent: 'Worker', message: 'WORK-ITEM' } },
        ],
        stop_reason: 'tool_use',
      },
      { match: 'WORK-ITEM', content: [{ type: 'text', text: 'worker finished' }] },
      { match: 'Sent to', content: [{ type: 'text', text: 'waiting for the worker' }] },
    ]);
    const { collected, follower } = await follow(client, session.id);
    await client.sendMessage(session.id, 'Delegate this');
    await collected.until((event) => event.type === 'agent.thread_message_received', 30_000);
    await collected.until((event) => event.type === 'session.status_idle', 30_000);
    await follower.stop();
    const threads = await client.listThreads(session.id);
    const child = threads.find((thread) => thread.parent_thread_id !== null);
    assert.ok(child, 'a child thread');
    const events = await client.listAllEvents(session.id, { threadId: child.id });
    assert.ok(events.length > 0);
    const reply = events.find((event) => event.type === 'agent.message');
    assert.match(JSON.stringify(reply?.content), /worker finished/);
    // The thread's own stream, resumed after its first event, replays the rest of them.
    const controller = new AbortController();
    const frames = await client.openStream(session.id, {
      threadId: child.id,
      lastEventId: events[0]?.id,
      signal: controller.signal,
    });
    const replayed: string[] = [];
    for await (const frame of frames) {
      replayed.push(JSON.parse(frame.data).id);
      if (replayed.length === events.length - 1) break;
    }
    controller.abort();
    assert.deepEqual(
      replayed,
      events.slice(1).map((event) => event.id),
    );
    // The primary timeline does not carry the worker's messages.
    const primary = await client.listAllEvents(session.id);
    assert.ok(!primary.some((event) => event.id === reply?.id));
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
      const follower = followEvents(client, session.id, {
        onEvent: () => {},
        onError: (error) => errors.push(error),
        reconnect: false,
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
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
