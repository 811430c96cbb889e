import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Fake SearXNG and Brave Search APIs: real HTTP servers on 127.0.0.1 that
 * record every request and answer like the real ones (or as a test says).
 * They ignore `site:` terms on purpose, so results from other domains come
 * back and the tool's own filtering is what the tests see.
 */
export interface RecordedRequest {
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export interface Reply {
  status?: number;
  /** A string is sent as it is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface FakeSearchServer {
  url: string;
  requests: RecordedRequest[];
  /** Queues one-shot answers; once they are used up the default answer comes back. */
  reply(...replies: Reply[]): void;
  close(): Promise<void>;
}

/** What both fakes return, in their own shapes: markup, entities, and several domains. */
export const FAKE_RESULTS = [
  {
    title: 'Paddock &amp; friends',
    url: 'https://example.com/paddock',
    text: 'A <b>self-hostable</b> Managed   Agents server.',
  },
  { title: 'Paddock docs', url: 'https://docs.example.com/start', text: 'Getting started &#8212; install.' },
  { title: 'Look-alike', url: 'https://notexample.com/paddock', text: 'Not the same domain.' },
  { title: 'Elsewhere', url: 'https://other.org/paddock', text: 'Another site.' },
];

export const BRAVE_TEST_KEY = 'BSA-test-subscription-token-0123456789';

export function startFakeSearxng(): Promise<FakeSearchServer> {
  return startFake((request) => {
    if (!request.path.endsWith('/search')) return { status: 404, body: 'not found' };
    // SearXNG answers 403 when the json format is not enabled in settings.yml.
    if (request.query.get('format') !== 'json') return { status: 403, body: '<h1>Forbidden</h1>' };
    return {
      body: {
        query: request.query.get('q'),
        number_of_results: FAKE_RESULTS.length,
        results: [
          ...FAKE_RESULTS.map((result) => ({ title: result.title, url: result.url, content: result.text })),
          // SearXNG merges engines; a duplicate URL may slip through.
          { title: 'dup', url: FAKE_RESULTS[0]?.url, content: 'duplicate' },
        ],
        answers: [],
        infoboxes: [],
      },
    };
  });
}

export function startFakeBrave(apiKey = BRAVE_TEST_KEY): Promise<FakeSearchServer> {
  return startFake((request) => {
    if (request.path !== '/res/v1/web/search') return { status: 404, body: { error: 'not found' } };
    if (request.headers['x-subscription-token'] !== apiKey) {
      return {
        status: 401,
        body: { type: 'ErrorResponse', error: { status: 401, code: 'SUBSCRIPTION_TOKEN_INVALID' } },
      };
    }
    return {
      body: {
        type: 'search',
        query: { original: request.query.get('q') },
        web: {
          type: 'search',
          results: FAKE_RESULTS.map((result) => ({
            title: result.title,
            url: result.url,
            description: result.text.replace('self-hostable', '<strong>self-hostable</strong>'),
          })),
        },
      },
    };
  });
}

async function startFake(answer: (request: RecordedRequest) => Reply): Promise<FakeSearchServer> {
  const requests: RecordedRequest[] = [];
  const queued: Reply[] = [];
  const server = createServer((incoming, response) => {
    const url = new URL(incoming.url ?? '/', 'http://fake');
    const request = { path: url.pathname, query: url.searchParams, headers: incoming.headers };
    requests.push(request);
    const reply = queued.shift() ?? answer(request);
    const send = () => {
      const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      const type = typeof reply.body === 'string' ? 'text/html' : 'application/json';
      response.writeHead(reply.status ?? 200, { 'content-type': type, ...reply.headers });
      response.end(body);
    };
    if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (...replies) => queued.push(...replies),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
