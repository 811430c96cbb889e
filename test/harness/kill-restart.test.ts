import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import type { StoredEvent } from '../../src/core/ports/store.js';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import { createStore } from '../../src/store/create-store.js';
import { waitUntil } from '../support/bwrap-serve.js';
import type { Dialect } from '../support/databases.js';
import { createSession, openEventReader, type StreamEvent } from '../support/harness-fixture.js';
import {
  listSessionEvents,
  restartChildNode,
  type ScriptedChildNode,
  startScriptedChildNode,
} from '../support/scripted-child-node.js';

/**
 * "A kill -9 at any moment loses no event; the session resumes on restart."
 * The real `paddock serve` runs in a child process; the test kills it with
 * SIGKILL mid-step, starts it again on the same data, and checks the log
 * through the official SDK (and, for sequence numbers, the store itself).
 */
const ADMIN_KEY = 'sk-paddock-kill-test';
const ANSWER = 'The answer is 42.';

type Node = ScriptedChildNode;

const startNode = (dialect: Dialect, model: ScriptedModelServer) =>
  startScriptedChildNode(dialect, model, ADMIN_KEY);
const waitFor = (check: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000) =>
  waitUntil(check, what, timeoutMs);

async function waitForIdle(node: Node, sessionId: string): Promise<void> {
  await waitFor(async () => (await node.client.beta.sessions.retrieve(sessionId)).status === 'idle', 'idle');
}

/** Stops the node gracefully and reads the session's rows straight from the store. */
async function storedEvents(node: Node, sessionId: string): Promise<StoredEvent[]> {
  await node.process.stop();
  const store = await createStore({
    databaseUrl: node.env['PADDOCK_DATABASE_URL'],
    dataDir: node.database.dataDir,
  });
  try {
    return await store.events.list({ sessionId, order: 'asc', limit: 10_000 });
  } finally {
    await store.close();
  }
}

function assertLogIntact(listed: StreamEvent[], stored: StoredEvent[]): void {
  const ids = listed.map((event) => event.id);
  assert.equal(new Set(ids).size, ids.length, 'no event id appears twice');
  assert.deepEqual(
    stored.map((event) => event.seq),
    stored.map((_event, index) => index + 1),
    'sequence numbers are contiguous from 1',
  );
  assert.deepEqual(
    stored.map((event) => event.id),
    ids,
    'the SDK lists exactly the committed events, in order',
  );
}

async function sendUserMessage(client: Anthropic, sessionId: string, text: string): Promise<void> {
  await client.beta.sessions.events.send(sessionId, {
    events: [{ type: 'user.message', content: [{ type: 'text', text }] }],
  });
}

/** Case A: SIGKILL while the model's answer is still streaming. */
async function killDuringModelCall(dialect: Dialect, model: ScriptedModelServer): Promise<void> {
  model.reset();
  // The first reply is slow (killed mid-stream); the retried call gets the same answer at once.
  model.push([
    { content: [{ type: 'text', text: ANSWER }], delay_ms: 2_000 },
    { content: [{ type: 'text', text: ANSWER }] },
  ]);
  const node = await startNode(dialect, model);
  try {
    const { session } = await createSession(node.client);
    const reader = await openEventReader(node.client, session.id);
    await sendUserMessage(node.client, session.id, 'What is six times seven?');
    await reader.until((event) => event.type === 'span.model_request_start');
    // The upstream has the request: the call is in flight, its answer not yet streamed.
    await waitFor(() => model.requests().length === 1, 'the model request');
    reader.close();
    await node.process.kill();

    await restartChildNode(node);
    await waitForIdle(node, session.id);
    const events = await listSessionEvents(node.client, session.id);
    const types = events.map((event) => event.type);
    assert.deepEqual(types, [
      'user.message',
      'session.status_running',
      'span.model_request_start',
      'span.model_request_end',
      'span.model_request_start',
      'agent.message',
      'span.model_request_end',
      'session.usage',
      'session.status_idle',
    ]);
    const [first, second] = events.filter((event) => event.type === 'span.model_request_start');
    const ends = events.filter((event) => event.type === 'span.model_request_end');
    assert.equal(ends[0]?.model_request_start_id, first?.id, 'the dangling request is closed');
    assert.equal(ends[0]?.is_error, true);
    assert.equal(ends[1]?.model_request_start_id, second?.id);
    assert.equal(ends[1]?.is_error, false);
    const messages = events.filter((event) => event.type === 'agent.message');
    assert.equal(messages.length, 1, 'exactly one completed answer');
    assert.equal(messages[0]?.content[0]?.text, ANSWER);
    assert.equal(events.at(-1)?.stop_reason?.type, 'end_turn');
    assert.equal(model.requests().length, 2, 'the interrupted call was made again, once');
    assertLogIntact(events, await storedEvents(node, session.id));
  } finally {
    await node.process.kill();
    await node.database.drop();
  }
}

/** Case B: SIGKILL while a bash tool call runs; it must not run again. */
async function killDuringToolCall(dialect: Dialect, model: ScriptedModelServer): Promise<void> {
  model.reset();
  const node = await startNode(dialect, model);
  // Each run of the command appends a line here: a re-run would show as a second line.
  const marker = join(node.database.dataDir, 'tool-runs.txt');
  model.push([
    {
      content: [
        { type: 'tool_use', name: 'bash', input: { command: `echo ran >> ${marker}; sleep 5; echo done` } },
      ],
    },
    { content: [{ type: 'text', text: 'The command was interrupted; moving on.' }] },
  ]);
  try {
    const { session } = await createSession(node.client);
    const reader = await openEventReader(node.client, session.id);
    await sendUserMessage(node.client, session.id, 'Run the slow command.');
    const seen = await reader.until((event) => event.type === 'agent.tool_use');
    const toolUse = seen.at(-1);
    // The command has started (and is sleeping) when the server dies.
    await waitFor(() => existsSync(marker), 'the tool to start');
    reader.close();
    await node.process.kill();

    await restartChildNode(node);
    await waitForIdle(node, session.id);
    const events = await listSessionEvents(node.client, session.id);
    const results = events.filter((event) => event.type === 'agent.tool_result');
    assert.equal(results.length, 1);
    assert.equal(results[0]?.tool_use_id, toolUse?.id);
    assert.equal(results[0]?.is_error, true);
    const text = JSON.stringify(results[0]?.content);
    assert.match(text, /interrupted/);
    assert.match(text, /not re-run/);
    assert.equal(readFileSync(marker, 'utf8'), 'ran\n', 'the tool ran exactly once');
    const messages = events.filter((event) => event.type === 'agent.message');
    assert.equal(messages.at(-1)?.content[0]?.text, 'The command was interrupted; moving on.');
    assert.equal(events.at(-1)?.type, 'session.status_idle');
    assert.equal(events.at(-1)?.stop_reason?.type, 'end_turn');
    assertLogIntact(events, await storedEvents(node, session.id));
  } finally {
    await node.process.kill();
    await node.database.drop();
  }
}

describe('kill -9 and restart of paddock serve', () => {
  let model: ScriptedModelServer;
  before(async () => {
    model = await startScriptedModelServer();
  });
  after(async () => model.close());

  it('resumes a model call cut by SIGKILL (sqlite)', () => killDuringModelCall('sqlite', model));
  it('reports a tool call cut by SIGKILL as interrupted, not re-run (sqlite)', () =>
    killDuringToolCall('sqlite', model));
  it('resumes a model call cut by SIGKILL (postgres, lease taken over after its TTL)', () =>
    killDuringModelCall('postgres', model));
});
