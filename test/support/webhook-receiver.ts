import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { Clock } from '../../src/core/clock.js';
import type { ModelProvider } from '../../src/core/ports/model-provider.js';
import { createPaddock, type Paddock } from '../../src/server.js';
import { createTestDatabase, type Dialect, type TestDatabase } from './databases.js';
import { TEST_ADMIN_KEY, testServerConfig } from './server.js';

/** One request a receiver got: the raw body and the headers, as `webhooks.unwrap` takes them. */
export interface ReceivedWebhook {
  body: string;
  headers: Record<string, string>;
}

/** A local HTTP endpoint that records webhook deliveries and answers with `status()`. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** What the next requests are answered with (200 unless set). */
  respondWith(status: number): void;
  /** Requests are held open without an answer until `release()` (a node killed mid-attempt). */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

const flatHeaders = (headers: IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]],
    ),
  );

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let status = 200;
  let holding = false;
  const held: Array<() => void> = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: flatHeaders(request.headers) });
      const answer = () => {
        response.writeHead(status, { 'content-type': 'text/plain' });
        response.end(status < 300 ? 'ok' : 'receiver says no');
      };
      if (holding) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    respondWith: (next) => {
      status = next;
    },
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const answer of held.splice(0)) answer();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A clock tests move by hand: retries due in hours are reached without waiting. */
export interface ManualClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

export function manualClock(start = Date.now()): ManualClock {
  let now = start;
  return {
    now: () => now,
    set: (ms) => {
      now = ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

export interface WebhookTestServer {
  paddock: Paddock;
  database: TestDatabase;
  client: Anthropic;
  close(): Promise<void>;
}

/**
 * A server like startTestServer's, with the clock injected, a short delivery poll and the
 * scripted model (`*` routes to it), optionally with PADDOCK_ALLOW_PRIVATE_NETWORKS.
 */
export async function startWebhookServer(
  dialect: Dialect,
  options: { clock?: Clock; allowPrivateNetworks?: boolean; model?: ModelProvider; timeoutMs?: number } = {},
): Promise<WebhookTestServer> {
  const database = await createTestDatabase(dialect);
  const config = testServerConfig(database.dataDir, {
    databaseUrl: dialect === 'postgres' ? database.url : undefined,
    allowPrivateNetworks: options.allowPrivateNetworks ?? false,
    webhooks: { timeoutMs: options.timeoutMs ?? 10_000, pollMs: 50 },
    modelRoutes: { '*': 'scripted' },
  });
  const paddock = await createPaddock({
    config,
    store: await database.open(),
    ...(options.clock ? { clock: options.clock } : {}),
    harness: {
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      ...(options.model ? { providers: { scripted: options.model } } : {}),
    },
  });
  const url = await paddock.listen();
  return {
    paddock,
    database,
    client: new Anthropic({ baseURL: url, apiKey: TEST_ADMIN_KEY, maxRetries: 0 }),
    async close() {
      await paddock.close();
      await database.drop();
    },
  };
}

type WebhookServerOptions = NonNullable<Parameters<typeof startWebhookServer>[1]>;

/**
 * For a describe block: a receiver and a webhook server started before its tests and closed
 * after them. `options` is read when the server starts. The fields are set once `before` ran.
 */
export function webhookSuite(
  dialect: Dialect,
  options: () => WebhookServerOptions = () => ({ allowPrivateNetworks: true }),
): { server: WebhookTestServer; receiver: WebhookReceiver } {
  const suite = {} as { server: WebhookTestServer; receiver: WebhookReceiver };
  before(async () => {
    suite.receiver = await startWebhookReceiver();
    suite.server = await startWebhookServer(dialect, options());
  });
  after(async () => {
    await suite.server.close();
    await suite.receiver.close();
  });
  return suite;
}

/** Every delivery the receiver got, verified and parsed by the SDK's `webhooks.unwrap`. */
export function unwrapAll(client: Anthropic, receiver: WebhookReceiver, key: string) {
  return receiver.received.map((delivery) =>
    client.beta.webhooks.unwrap(delivery.body, { headers: delivery.headers, key }),
  );
}

/** Polls until `check` holds; the deadline is generous (a busy 2-core CI machine). */
export async function until<T>(
  what: string,
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
