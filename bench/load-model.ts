import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  anthropicMessage,
  anthropicStreamEvents,
} from '../src/providers/scripted/anthropic-messages-wire.js';
import { planReply } from '../src/providers/scripted/plan-reply.js';

/**
 * The load benchmark's model: stateless, so any number of sessions share it
 * without a script. A request whose turn (since the last user text) holds fewer
 * than `toolSteps` assistant replies gets a `bash` call; the next one gets a final answer.
 * Each reply waits `delayMs` once before it is sent (a model's latency), not
 * once per chunk as the scripted server's `delay_ms` does.
 */
export interface LoadModel {
  url: string;
  requests(): number;
  close(): Promise<void>;
}

type WireMessage = { role?: unknown; content?: unknown };

/** Assistant replies since the last user message that is not only tool results (the turn's start). */
function repliesThisTurn(messages: unknown): number {
  const list = Array.isArray(messages) ? (messages as WireMessage[]) : [];
  const isToolResults = (message: WireMessage) =>
    Array.isArray(message.content) &&
    (message.content as Array<{ type?: unknown }>).every((block) => block.type === 'tool_result');
  let replies = 0;
  for (let index = list.length - 1; index >= 0; index--) {
    const message = list[index] as WireMessage;
    if (message.role === 'assistant') replies++;
    else if (!isToolResults(message)) break;
  }
  return replies;
}

export async function startLoadModel(options: { toolSteps: number; delayMs: number }): Promise<LoadModel> {
  let requestCount = 0;
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    const requestNumber = ++requestCount;
    const replies = repliesThisTurn(body.messages);
    const reply = planReply(
      replies < options.toolSteps
        ? { content: [{ type: 'tool_use', name: 'bash', input: { command: `echo step ${replies + 1}` } }] }
        : { content: [{ type: 'text', text: 'done' }] },
      { requestNumber, model: typeof body.model === 'string' ? body.model : 'scripted', inputText: '' },
    );
    await sleep(options.delayMs);
    if (body.stream !== true) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(anthropicMessage(reply)));
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    });
    // One write: the figures are the server's, not this process's chunking.
    let text = '';
    for (const wire of anthropicStreamEvents(reply))
      text += `event: ${wire.event}\ndata: ${JSON.stringify(wire.data)}\n\n`;
    response.end(text);
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(400, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: String(error) } }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requestCount,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
