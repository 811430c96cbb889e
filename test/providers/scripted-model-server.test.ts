import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { startScriptedModelServer } from '../../src/providers/scripted/scripted-model-server.js';

/** The mock server on its own: wire fidelity (checked by the official SDK) and the control endpoints. */
const server = await startScriptedModelServer();
after(() => server.close());
beforeEach(() => server.reset());

const client = new Anthropic({ baseURL: server.url, apiKey: 'sk-test', maxRetries: 0 });
const ask = (text: string) => ({
  model: 'claude-test',
  max_tokens: 256,
  messages: [{ role: 'user' as const, content: text }],
});

test('the SDK accumulates the SSE stream into the scripted message', async () => {
  server.push([
    {
      content: [
        { type: 'thinking', thinking: 'The user wants a file.' },
        { type: 'text', text: 'Reading it now.' },
        { type: 'tool_use', id: 'toolu_x', name: 'read_file', input: { path: 'a.txt' } },
      ],
    },
  ]);
  const message = await client.messages.stream(ask('read a.txt')).finalMessage();
  assert.equal(message.stop_reason, 'tool_use');
  assert.deepEqual(
    message.content.map((block) => block.type),
    ['thinking', 'text', 'tool_use'],
  );
  const [thinking, text, toolUse] = message.content;
  assert.equal(thinking?.type === 'thinking' && thinking.thinking, 'The user wants a file.');
  assert.ok(thinking?.type === 'thinking' && thinking.signature.length > 0);
  assert.equal(text?.type === 'text' && text.text, 'Reading it now.');
  assert.deepEqual(toolUse?.type === 'tool_use' && toolUse.input, { path: 'a.txt' });
});

test('sends the exact Anthropic event sequence, with ping', async () => {
  server.push([{ content: [{ type: 'text', text: 'one two' }] }]);
  const response = await fetch(`${server.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...ask('hi'), stream: true }),
  });
  assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
  const events = [...(await response.text()).matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
  assert.deepEqual(events, [
    'message_start',
    'ping',
    'content_block_start',
    'content_block_delta',
    'content_block_delta',
    'content_block_stop',
    'message_delta',
    'message_stop',
  ]);
});

test('answers non-streaming requests with a JSON message', async () => {
  server.push([{ content: [{ type: 'text', text: 'plain' }], usage: { output_tokens: 9 } }]);
  const message = await client.messages.create(ask('hi'));
  assert.deepEqual(message.content, [{ type: 'text', text: 'plain' }]);
  assert.equal(message.usage.output_tokens, 9);
  assert.equal(message.stop_reason, 'end_turn');
});

test('echoes the last user text once the script is exhausted', async () => {
  const message = await client.messages.create(ask('ping me back'));
  assert.deepEqual(message.content, [{ type: 'text', text: 'scripted: ping me back' }]);
});

test('picks the first unconsumed turn whose match fits', async () => {
  server.push([
    { match: 'session B', content: [{ type: 'text', text: 'for B' }] },
    { match: 'session A', content: [{ type: 'text', text: 'for A' }] },
    { content: [{ type: 'text', text: 'for anyone' }] },
  ]);
  const reply = async (text: string) => {
    const message = await client.messages.create(ask(text));
    return message.content[0]?.type === 'text' ? message.content[0].text : undefined;
  };
  assert.equal(await reply('hello from session A'), 'for A');
  assert.equal(await reply('hello from session A again'), 'for anyone');
  assert.equal(await reply('hello from session B'), 'for B');
  assert.equal(await reply('session A, third time'), 'scripted: session A, third time');
});

test('control endpoints append turns, list requests and reset', async () => {
  const pushed = await fetch(`${server.url}/_scripted/turns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ turns: [{ content: [{ type: 'text', text: 'over http' }] }] }),
  });
  assert.deepEqual(await pushed.json(), { remaining: 1 });
  const message = await client.messages.create(ask('hi'));
  assert.deepEqual(message.content, [{ type: 'text', text: 'over http' }]);

  const requests = (await (await fetch(`${server.url}/_scripted/requests`)).json()) as Array<{
    path: string;
    body: { messages: unknown };
  }>;
  assert.equal(requests.length, 1);
  assert.equal(requests[0]?.path, '/v1/messages');
  assert.deepEqual(requests[0]?.body.messages, [{ role: 'user', content: 'hi' }]);

  await fetch(`${server.url}/_scripted/turns`, { method: 'DELETE' });
  assert.deepEqual(server.requests(), []);
});

test('rejects an invalid script with a 400 naming the problem', async () => {
  const response = await fetch(`${server.url}/_scripted/turns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([{ content: [{ type: 'tool_use', input: {} }] }]),
  });
  assert.equal(response.status, 400);
  assert.match(JSON.stringify(await response.json()), /invalid script at 0\.content\.0/);
});

test('answers OpenAI chat completions without streaming', async () => {
  server.push([{ content: [{ type: 'tool_use', id: 'call_1', name: 'bash', input: { command: 'ls' } }] }]);
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'llama', messages: [{ role: 'user', content: 'list files' }] }),
  });
  const body = (await response.json()) as { choices: Array<{ message: unknown; finish_reason: string }> };
  assert.equal(body.choices[0]?.finish_reason, 'tool_calls');
  assert.deepEqual(body.choices[0]?.message, {
    role: 'assistant',
    content: null,
    tool_calls: [
      { id: 'call_1', type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } },
    ],
  });
});
