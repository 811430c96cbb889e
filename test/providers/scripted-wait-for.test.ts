import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { ModelRequest } from '../../src/core/ports/model-provider.js';
import { RequestGate } from '../../src/providers/scripted/request-gate.js';
import { startScriptedModelServer } from '../../src/providers/scripted/scripted-model-server.js';
import { createScriptedProvider } from '../../src/providers/scripted/scripted-provider.js';

/** `wait_for`: a turn held until another request has arrived, so tests prove overlap without sleeps. */
const server = await startScriptedModelServer();
after(() => server.close());
const client = new Anthropic({ baseURL: server.url, apiKey: 'sk-test', maxRetries: 0 });
const ask = (text: string) => ({
  model: 'claude-test',
  max_tokens: 64,
  messages: [{ role: 'user' as const, content: text }],
});
const textOf = (message: Anthropic.Message) =>
  message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');

test('two turns each held for the other answer only once both requests are in flight', async () => {
  server.reset();
  server.push([
    { match: 'LEFT', content: [{ type: 'text', text: 'left done' }], wait_for: 'RIGHT' },
    { match: 'RIGHT', content: [{ type: 'text', text: 'right done' }], wait_for: 'LEFT' },
  ]);
  let leftAnswered = false;
  const left = client.messages
    .stream(ask('LEFT'))
    .finalMessage()
    .then((message) => {
      leftAnswered = true;
      return message;
    });
  // The left request is held until the right one arrives: poll until it reached the server.
  const deadline = Date.now() + 30_000;
  while (server.requests().length < 1) {
    if (Date.now() > deadline) throw new Error('the left request never arrived');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(leftAnswered, false, 'held while alone');
  const right = await client.messages.create(ask('RIGHT'));
  assert.equal(textOf(right), 'right done');
  assert.equal(textOf(await left), 'left done');
});

test('a request that arrived earlier opens the gate at once', async () => {
  server.reset();
  server.push([{ match: 'SECOND', content: [{ type: 'text', text: 'ok' }], wait_for: 'FIRST' }]);
  await client.messages.create(ask('FIRST'));
  assert.equal(textOf(await client.messages.create(ask('SECOND'))), 'ok');
});

test('a held request whose client hangs up ends without an answer; the server keeps serving', async () => {
  server.reset();
  server.push([
    { match: 'HELD', content: [{ type: 'text', text: 'never' }], wait_for: 'NOTHING-SENDS-THIS' },
  ]);
  const controller = new AbortController();
  const held = client.messages.create(ask('HELD'), { signal: controller.signal });
  const deadline = Date.now() + 30_000;
  while (server.requests().length < 1) {
    if (Date.now() > deadline) throw new Error('the held request never arrived');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  controller.abort();
  await assert.rejects(held);
  assert.match(textOf(await client.messages.create(ask('after'))), /scripted: after/);
});

test('the gate gives up after its limit; the in-process provider drops a held turn on abort', async () => {
  const gate = new RequestGate();
  assert.equal(await gate.waitFor('never', undefined, 20), false);
  gate.arrived('now it came');
  assert.equal(await gate.waitFor('came', undefined, 20), true);

  const provider = createScriptedProvider({
    turns: [{ match: 'ONE', content: [{ type: 'text', text: 'one' }], wait_for: 'TWO' }],
  });
  const request: ModelRequest = {
    model: 'm',
    max_tokens: 16,
    tools: [],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'ONE' }] }],
  };
  const controller = new AbortController();
  const parts = provider.stream(request, controller.signal)[Symbol.asyncIterator]();
  const first = parts.next();
  controller.abort(new Error('stopped'));
  await assert.rejects(first, /stopped/);
});
