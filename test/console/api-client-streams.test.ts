import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConsoleClient, type Wire } from '../../src/console/static/api.js';
import { createSession } from '../support/harness-fixture.js';
import { TEST_ADMIN_KEY } from '../support/server.js';
import { consoleSuite, follow } from './api-client-fixture.js';

/** The console's API client reading live streams: frames, resumption, heartbeats, dropped connections. */

describe('the console API client following streams', () => {
  const suite = consoleSuite();

  it('creates an agent and a session; reads a live stream; heartbeats are not events', async () => {
    const { fixture, client } = suite;
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
      onComment: () => {
        if (++heartbeats === 3) quietController.abort();
      },
    });
    // Ends once three heartbeats came; the bound only keeps a broken server from hanging the test.
    const timer = setTimeout(() => quietController.abort(), 60_000);
    await assert.rejects(async () => {
      for await (const frame of quiet) assert.fail(`unexpected frame ${frame.event}`);
    }, /abort/i);
    clearTimeout(timer);
    assert.ok(heartbeats >= 3, `saw ${heartbeats} heartbeats`);
  });

  it('follows across a dropped connection, resuming with Last-Event-ID: no gap, no repeat', async () => {
    const { fixture, client } = suite;
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
});
