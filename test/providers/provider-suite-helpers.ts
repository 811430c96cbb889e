import assert from 'node:assert/strict';
import {
  type ModelMessage,
  type ModelProvider,
  ModelProviderError,
  type ModelRequest,
  type ModelStreamPart,
} from '../../src/core/ports/model-provider.js';

/** Requests and stream readers the provider suite shares across providers. */
const tools: ModelRequest['tools'] = [
  {
    name: 'read_file',
    description: 'Read a file',
    input_schema: { type: 'object', properties: { path: { type: 'string' } } },
  },
  { name: 'bash', description: 'Run a command', input_schema: { type: 'object', properties: {} } },
];

export function request(messages: ModelMessage[]): ModelRequest {
  return {
    model: 'claude-test',
    system: [{ type: 'text', text: 'You are terse.' }],
    messages,
    tools,
    max_tokens: 1024,
  };
}

export const hello: ModelMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }];

export async function collect(
  provider: ModelProvider,
  body: ModelRequest,
  signal = new AbortController().signal,
): Promise<ModelStreamPart[]> {
  const parts: ModelStreamPart[] = [];
  for await (const part of provider.stream(body, signal)) parts.push(part);
  return parts;
}

export function blocks(parts: ModelStreamPart[]) {
  return parts.flatMap((part) => (part.type === 'block-end' ? [part.block] : []));
}

export function end(parts: ModelStreamPart[]) {
  const last = parts.at(-1);
  assert.equal(last?.type, 'message-end');
  return last as Extract<ModelStreamPart, { type: 'message-end' }>;
}

export async function expectProviderError(promise: Promise<unknown>): Promise<ModelProviderError> {
  const error = await promise.then(
    () => assert.fail('expected a ModelProviderError'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ModelProviderError, `expected ModelProviderError, got ${String(error)}`);
  return error;
}
