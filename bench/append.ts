import Anthropic from '@anthropic-ai/sdk';
import { loadConfig } from '../src/config/config.js';
import type { DraftEvent } from '../src/core/events/session-event.js';
import { createPaddock } from '../src/server.js';
import { createTestDatabase, type Dialect } from '../test/support/databases.js';
import { createSession } from '../test/support/harness-fixture.js';
import { type BenchResult, info } from './table.js';

const DURATION_MS = 1_000;
const draft: DraftEvent = { type: 'user.message', content: [{ type: 'text', text: 'benchmark event' }] };

/** Appends for DURATION_MS (after a warm-up); returns events per second. */
async function rate(append: () => Promise<unknown>, eventsPerCall: number): Promise<number> {
  for (let warm = 0; warm < 50; warm++) await append();
  let events = 0;
  const started = performance.now();
  while (performance.now() - started < DURATION_MS) {
    await append();
    events += eventsPerCall;
  }
  return (events / (performance.now() - started)) * 1000;
}

/**
 * EventLog.append throughput, one caller appending sequentially: each append
 * is a transaction (events + session projection) then a bus publish, the
 * path every harness step and POST /events take.
 */
export async function benchAppend(dialect: Dialect): Promise<BenchResult[]> {
  const database = await createTestDatabase(dialect);
  const config = loadConfig(
    {},
    {
      port: 0,
      host: '127.0.0.1',
      dataDir: database.dataDir,
      adminKey: 'sk-bench',
      databaseUrl: dialect === 'postgres' ? database.url : undefined,
    },
  );
  const paddock = await createPaddock({ config, runHarness: false });
  try {
    const client = new Anthropic({ baseURL: await paddock.listen(), apiKey: 'sk-bench', maxRetries: 0 });
    const { session } = await createSession(client);
    const log = paddock.context.events;
    const single = await rate(() => log.append(session.id, [draft]), 1);
    const batch = Array.from({ length: 10 }, () => draft);
    const batched = await rate(() => log.append(session.id, batch), 10);
    return [
      info(`event append, single (${dialect})`, single, 'events/s'),
      info(`event append, batches of 10 (${dialect})`, batched, 'events/s'),
    ];
  } finally {
    await paddock.close();
    await database.drop();
  }
}
