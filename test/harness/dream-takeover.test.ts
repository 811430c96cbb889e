import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { ScriptedTurn } from '../../src/providers/scripted/scripted-turn.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { type Fleet, startFleet } from '../support/fleet.js';

/** Real processes on a loaded machine: these take minutes, not the suite's default 2. */
const SLOW = { timeout: 600_000 };

async function until<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A dream is leased like a session: exactly one `paddock worker` runs it, and when that worker is
 * killed with SIGKILL mid-run, the other takes the dream over once the lease lapses and finishes it.
 * The API node drives nothing (PADDOCK_HARNESS=false): only the workers' sweeps start the dream.
 */
describe('a dream survives kill -9 of the worker running it (Postgres fleet)', () => {
  let database: TestDatabase;
  let fleet: Fleet;

  before(async () => {
    database = await createTestDatabase('postgres');
    fleet = await startFleet({ databaseUrl: database.url, env: { PADDOCK_LEASE_TTL_MS: '2000' } });
  }, SLOW);

  after(async () => {
    await fleet?.close();
    await database?.drop();
  });

  it('the other worker takes the dream over and completes it', SLOW, async () => {
    const { client, model, workers, workerDirs } = fleet;
    const store = await client.beta.memoryStores.create({ name: 'fleet notes' });
    await client.beta.memoryStores.memories.create(store.id, { path: '/a.md', content: 'old' });
    const agent = await client.beta.agents.create({ name: 'a', model: 'claude-sonnet-4-6' });
    const environment = await client.beta.environments.create({ name: 'dream-fleet' });
    const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
    const answer: ScriptedTurn = {
      match: 'dream-fleet',
      content: [
        {
          type: 'tool_use',
          name: 'write_memories',
          input: { memories: [{ path: '/a.md', content: 'new' }] },
        },
      ],
    };
    // The first worker's answer is held (a pause before every chunk); the one after the takeover is not.
    model.push([{ ...answer, delay_ms: 5_000 }, answer]);
    const dream = await client.beta.dreams.create({
      inputs: [
        { type: 'memory_store', memory_store_id: store.id },
        { type: 'sessions', session_ids: [session.id] },
      ],
      model: 'claude-sonnet-4-6',
      instructions: 'dream-fleet',
    });
    const asked = () =>
      model.requests().filter((request) => JSON.stringify(request.body).includes('dream-fleet'));
    await until(
      'a worker to ask the model',
      async () => asked().length,
      (count) => count === 1,
    );

    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      const holder = async () =>
        (await db.query<{ owner: string }>('select owner from leases where session_id = $1', [dream.id]))
          .rows[0]?.owner;
      const first = await holder();
      const nodeIds = workerDirs.map((dir) => readFileSync(join(dir, 'node-id'), 'utf8').trim());
      const running = nodeIds.indexOf(first ?? '');
      assert.ok(running >= 0, `a worker holds the dream's lease (${first})`);
      assert.equal((await client.beta.dreams.retrieve(dream.id)).status, 'running');
      await workers[running]?.kill();

      const done = await until(
        'the dream to end',
        () => client.beta.dreams.retrieve(dream.id),
        (current) => current.status !== 'running',
      );
      assert.equal(done.status, 'completed', JSON.stringify(done.error));
      assert.equal(asked().length, 2, 'the model was asked again once, by the other worker');
      const output = done.outputs[0]?.memory_store_id ?? '';
      const memories = await client.beta.memoryStores.memories.list(output, { view: 'full' });
      assert.deepEqual(
        memories.data.map((memory) => memory.type === 'memory' && memory.content),
        ['new'],
      );
      // The killed worker's lease was taken over, not shared: the finished run released its own.
      assert.equal(await holder(), undefined);
    } finally {
      await db.end();
    }
  });
});
