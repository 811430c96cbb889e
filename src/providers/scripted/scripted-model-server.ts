import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { anthropicErrorBody, anthropicMessage, anthropicStreamEvents } from './anthropic-messages-wire.js';
import { lastUserText } from './last-user-text.js';
import { openAIChatChunks, openAIChatCompletion, openAIErrorBody } from './openai-chat-wire.js';
import { type PlannedReply, planReply } from './plan-reply.js';
import { RequestGate, WAIT_FOR_LIMIT_MS } from './request-gate.js';
import { parseScript, type ScriptedTurn } from './scripted-turn.js';
import { ScriptedTurnQueue } from './scripted-turn-queue.js';

/**
 * Paddock's test mode: a real HTTP server speaking the Anthropic Messages API
 * and OpenAI chat completions, playing scripted turns. Real HTTP (not an
 * in-process stub) so the providers are tested with their real clients, and
 * so a Paddock started in another process can use it.
 */
export interface ScriptedModelServerOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  turns?: ScriptedTurn[];
}

/** One request the server received, for assertions. */
export interface ScriptedRequest {
  method: string;
  /** `/v1/messages` or `/v1/chat/completions`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

export interface ScriptedModelServer {
  /** `http://host:port`, without `/v1`: the Anthropic SDK's baseURL. */
  url: string;
  push(turns: ScriptedTurn[]): void;
  requests(): ScriptedRequest[];
  /** Forgets the remaining turns and the recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

type Api = 'anthropic' | 'openai';

export async function startScriptedModelServer(
  options: ScriptedModelServerOptions = {},
): Promise<ScriptedModelServer> {
  const queue = new ScriptedTurnQueue(options.turns ?? []);
  let recorded: ScriptedRequest[] = [];
  const gate = new RequestGate();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const route = `${request.method} ${path}`;
    if (route === 'POST /_scripted/turns') {
      queue.push(parseScript(await readJson(request)));
      return sendJson(response, 200, { remaining: queue.remaining() });
    }
    if (route === 'DELETE /_scripted/turns') {
      queue.reset();
      recorded = [];
      gate.reset();
      return sendJson(response, 200, { remaining: 0 });
    }
    if (route === 'GET /_scripted/requests') return sendJson(response, 200, recorded);
    const api: Api | undefined =
      route === 'POST /v1/messages'
        ? 'anthropic'
        : route === 'POST /v1/chat/completions'
          ? 'openai'
          : undefined;
    if (!api) return sendJson(response, 404, anthropicErrorBody(404, undefined, `no route ${route}`));

    const body = (await readJson(request)) as Record<string, unknown>;
    recorded.push({ method: request.method ?? 'POST', path, headers: request.headers, body });
    const userText = lastUserText(body.messages);
    const turn = queue.take(userText);
    gate.arrived(userText);
    if (turn.wait_for !== undefined) {
      const hungUp = new AbortController();
      response.once('close', () => hungUp.abort());
      const arrived = await gate.waitFor(turn.wait_for, hungUp.signal);
      if (hungUp.signal.aborted) return;
      if (!arrived) {
        const message = `scripted: waited ${WAIT_FOR_LIMIT_MS} ms for a request containing "${turn.wait_for}"`;
        const errorBody =
          api === 'anthropic'
            ? anthropicErrorBody(400, undefined, message)
            : openAIErrorBody(400, undefined, message);
        return sendJson(response, 400, errorBody);
      }
    }
    if (turn.error) {
      const { status, type, message } = turn.error;
      const errorBody =
        api === 'anthropic'
          ? anthropicErrorBody(status, type, message)
          : openAIErrorBody(status, type, message);
      return sendJson(response, status, errorBody);
    }
    const reply = planReply(turn, {
      requestNumber: recorded.length,
      model: typeof body.model === 'string' ? body.model : 'scripted',
      inputText: JSON.stringify([body.system ?? '', body.messages ?? [], body.tools ?? []]),
    });
    if (body.stream !== true) {
      await sleep(reply.delayMs);
      return sendJson(
        response,
        200,
        api === 'anthropic' ? anthropicMessage(reply) : openAIChatCompletion(reply),
      );
    }
    await streamReply(api, reply, body, response);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) return void response.destroy();
      sendJson(response, 400, anthropicErrorBody(400, undefined, (error as Error).message));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    push: (turns) => queue.push(parseScript(turns)),
    requests: () => [...recorded],
    reset() {
      queue.reset();
      recorded = [];
      gate.reset();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Streams paused in a delay would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

async function streamReply(
  api: Api,
  reply: PlannedReply,
  body: Record<string, unknown>,
  response: ServerResponse,
): Promise<void> {
  let clientGone = false;
  response.on('close', () => {
    clientGone = true;
  });
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
  const frames =
    api === 'anthropic'
      ? Array.from(anthropicStreamEvents(reply), (wire) => ({
          text: `event: ${wire.event}\ndata: ${JSON.stringify(wire.data)}\n\n`,
          isChunk: wire.isChunk,
        }))
      : [
          ...Array.from(openAIChatChunks(reply, streamOptions?.include_usage === true), (wire) => ({
            text: `data: ${JSON.stringify(wire.data)}\n\n`,
            isChunk: wire.isChunk,
          })),
          { text: 'data: [DONE]\n\n', isChunk: false },
        ];
  for (const frame of frames) {
    if (frame.isChunk && reply.delayMs > 0) await sleep(reply.delayMs);
    // A client that hung up (abort, kill -9) ends the reply; nothing to clean up.
    if (clientGone) return;
    response.write(frame.text);
  }
  response.end();
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text === '' ? {} : JSON.parse(text);
  } catch {
    throw new Error('request body is not valid JSON');
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
