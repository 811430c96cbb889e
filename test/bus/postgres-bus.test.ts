import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PostgresBus } from '../../src/bus/postgres/postgres-bus.js';
import type { BusMessage } from '../../src/core/ports/event-bus.js';
import type { Store, StoredEvent } from '../../src/core/ports/store.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

const waitFor = async (check: () => boolean, timeoutMs = 3000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('PostgresBus across two nodes', () => {
  let database: TestDatabase;
  let store: Store;
  let nodeA: PostgresBus;
  let nodeB: PostgresBus;
  before(async () => {
    database = await createTestDatabase('postgres');
    store = await database.open();
    nodeA = await PostgresBus.connect(database.url, store.events);
    nodeB = await PostgresBus.connect(database.url, store.events);
  });
  after(async () => {
    await nodeA.close();
    await nodeB.close();
    await store.close();
    await database.drop();
  });

  it('delivers small events inline, large ones by reference, previews and signals', async () => {
    const seen: BusMessage[] = [];
    const local: BusMessage[] = [];
    nodeB.subscribe('sesn_1', (message) => seen.push(message));
    nodeA.subscribe('sesn_1', (message) => local.push(message));
    const signals: string[] = [];
    nodeB.onSessionSignal((id) => signals.push(id));
    const big = 'x'.repeat(20_000);
    const events = await store.events.append('sesn_1', [
      {
        id: 'sevt_a',
        type: 'agent.thinking',
        threadId: null,
        processedAt: '2026-01-01T00:00:00.000Z',
        doc: {},
      },
      {
        id: 'sevt_b',
        type: 'agent.message',
        threadId: null,
        processedAt: '2026-01-01T00:00:00.000Z',
        doc: { content: [{ type: 'text', text: big }] },
      },
    ]);
    for (const event of events) nodeA.publish(event);
    nodeA.publishEphemeral('sesn_1', { type: 'event_start', event: { type: 'agent.message', id: 'sevt_c' } });
    nodeA.signalSession('sesn_1');
    assert.equal(local.length, 3, 'the publishing node delivers synchronously');
    await waitFor(() => seen.length === 3 && signals.length === 1);
    const ids = seen.map((m) => (m.kind === 'event' ? m.event.id : m.payload.type));
    assert.deepEqual(new Set(ids), new Set(['sevt_a', 'sevt_b', 'event_start']));
    const large = seen.find((m) => m.kind === 'event' && m.event.id === 'sevt_b');
    assert.ok(large?.kind === 'event');
    assert.equal(JSON.stringify((large.event as StoredEvent).doc).length > 20_000, true);
    assert.deepEqual(signals, ['sesn_1']);
  });
});
