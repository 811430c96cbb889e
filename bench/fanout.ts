import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, type ClientRequest, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { loadConfig } from '../src/config/config.js';
import { createPaddock } from '../src/server.js';
import { createSession } from '../test/support/harness-fixture.js';
import { percentile } from './stats.js';
import { type BenchResult, info } from './table.js';

const SUBSCRIBERS = 1_000;
const EVENTS = 30;
const KEY = 'sk-bench';

/** A raw SSE reader: records when each event id first arrives. */
interface Subscriber {
  request: ClientRequest;
  received: Map<string, number>;
}

function subscribe(agent: Agent, url: URL, onEvent: () => void): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const received = new Map<string, number>();
    const request = httpRequest(
      url,
      { agent, headers: { 'x-api-key': KEY, accept: 'text/event-stream' } },
      (response) => {
        if (response.statusCode !== 200) return reject(new Error(`stream answered ${response.statusCode}`));
        let buffer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          const now = performance.now();
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const id = /"id":"([^"]+)"/.exec(buffer.slice(0, end))?.[1];
            if (id && !received.has(id)) {
              received.set(id, now);
              onEvent();
            }
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
          }
        });
        resolve({ request, received });
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/**
 * 1,000 SSE subscribers on one session (node:http, loopback, in this
 * process); events are appended one at a time, each once every subscriber
 * has the previous one. Latency: append call → frame parsed by a subscriber.
 */
export async function benchFanOut(): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'paddock-bench-'));
  const config = loadConfig({}, { port: 0, host: '127.0.0.1', dataDir, adminKey: KEY });
  const paddock = await createPaddock({ config, runHarness: false });
  const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const subscribers: Subscriber[] = [];
  try {
    const base = await paddock.listen();
    const client = new Anthropic({ baseURL: base, apiKey: KEY, maxRetries: 0 });
    const { session } = await createSession(client);
    const url = new URL(`/v1/sessions/${session.id}/events/stream`, base);
    let delivered = 0;
    let wake = () => {};
    const onEvent = () => {
      delivered += 1;
      wake();
    };
    // Connect in waves so the accept queue is not the thing measured.
    for (let wave = 0; wave < SUBSCRIBERS; wave += 100) {
      const batch = Array.from({ length: Math.min(100, SUBSCRIBERS - wave) }, () =>
        subscribe(agent, url, onEvent),
      );
      subscribers.push(...(await Promise.all(batch)));
    }
    const appendedAt = new Map<string, number>();
    const startedAll = performance.now();
    for (let index = 0; index < EVENTS; index++) {
      const target = (index + 1) * SUBSCRIBERS;
      const all = new Promise<void>((resolve) => {
        wake = () => delivered >= target && resolve();
      });
      const started = performance.now();
      const [stored] = await paddock.context.events.append(session.id, [
        { type: 'user.message', content: [{ type: 'text', text: `fan-out ${index}` }] },
      ]);
      if (stored) appendedAt.set(stored.doc.id, started);
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    }
    const elapsed = performance.now() - startedAll;
    const latencies: number[] = [];
    for (const subscriber of subscribers) {
      for (const [id, at] of subscriber.received) {
        const sent = appendedAt.get(id);
        if (sent !== undefined) latencies.push(at - sent);
      }
    }
    return [
      info(
        `SSE fan-out ${SUBSCRIBERS} subscribers, delivered`,
        latencies.length / (EVENTS * SUBSCRIBERS),
        'fraction',
      ),
      info('SSE fan-out latency p50 (append → receipt)', percentile(latencies, 50), 'ms'),
      info('SSE fan-out latency p99 (append → receipt)', percentile(latencies, 99), 'ms'),
      info('SSE fan-out deliveries/s', latencies.length / (elapsed / 1000), 'events/s'),
    ];
  } finally {
    for (const subscriber of subscribers) subscriber.request.destroy();
    agent.destroy();
    await paddock.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
