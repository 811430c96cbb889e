import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { type Fleet, startFleet } from '../support/fleet.js';
import { createSession, isIdle, openEventReader, type StreamEvent } from '../support/harness-fixture.js';

/** Real processes on a loaded machine: these take minutes, not the suite's default 2. */
const SLOW = { timeout: 600_000 };
/**
 * Ownership by liveness, with real processes (an API node and two `paddock worker`s on one
 * Postgres): a live worker keeps the sessions it ran, however the nodes are scheduled; another
 * worker takes one over only when the owner's heartbeat lapsed (kill -9) or the owner drains
 * (SIGTERM). Every wait is on an event or a condition, never on a sleep.
 */
const TIMING = {
  PADDOCK_NODE_HEARTBEAT_MS: '500',
  PADDOCK_NODE_TTL_MS: '4000',
  PADDOCK_LEASE_TTL_MS: '4000',
};

const bashTurn = (command: string, delayMs: number) => [
  {
    content: [{ type: 'tool_use' as const, name: 'bash', input: { command } }],
    stop_reason: 'tool_use' as const,
    delay_ms: delayMs,
  },
  { content: [{ type: 'text' as const, text: 'done' }], delay_ms: delayMs },
];

const toolText = (events: StreamEvent[]) =>
  JSON.stringify(events.filter((event) => event.type === 'agent.tool_result').map((event) => event.content));

describe('fleet ownership: heartbeats, not head starts', () => {
  let database: TestDatabase;
  let fleet: Fleet;
  let db: pg.Client;

  before(async () => {
    database = await createTestDatabase('postgres');
    fleet = await startFleet({ databaseUrl: database.url, env: TIMING });
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  }, SLOW);

  after(async () => {
    await db?.end();
    await fleet?.close();
    await database?.drop();
  });

  /** The worker (index) whose node holds the session's lease right now. */
  async function leaseHolder(sessionId: string): Promise<number> {
    const { rows } = await db.query<{ owner: string }>('select owner from leases where session_id = $1', [
      sessionId,
    ]);
    const names = await Promise.all(
      fleet.workerDirs.map(async (dir) => (await readFile(join(dir, 'node-id'), 'utf8')).trim()),
    );
    return names.indexOf(rows[0]?.owner ?? '');
  }

  async function send(sessionId: string, text: string): Promise<void> {
    await fleet.client.beta.sessions.events.send(sessionId, {
      events: [{ type: 'user.message', content: [{ type: 'text', text }] }],
    });
  }

  it('ten later turns with a slow model all run on the worker that owns the session', SLOW, async () => {
    const { session } = await createSession(fleet.client);
    const stream = await openEventReader(fleet.client, session.id);
    const places: number[] = [];
    for (let turn = 0; turn < 10; turn++) {
      // 100–300 ms per streamed chunk: long turns, and the next message lands right after each.
      fleet.model.push(bashTurn('echo turn >> turns.txt; pwd; wc -l < turns.txt', 100 + ((turn * 47) % 201)));
      await send(session.id, `turn ${turn}`);
      const text = toolText(await stream.until(isIdle, 60_000));
      places.push(fleet.workerOf(text));
      assert.match(
        text,
        new RegExp(`\\\\n${turn + 1}`),
        `turn ${turn} sees every earlier turn's file: ${text}`,
      );
    }
    stream.close();
    assert.equal(new Set(places).size, 1, `turns ran on workers ${places.join(', ')}`);
  });

  it(
    'kill -9 of an idle owner: the other worker takes the session once its heartbeat lapsed',
    SLOW,
    async () => {
      const { session } = await createSession(fleet.client);
      const stream = await openEventReader(fleet.client, session.id);
      fleet.model.push(bashTurn('pwd', 0));
      await send(session.id, 'first');
      const owner = fleet.workerOf(toolText(await stream.until(isIdle, 60_000)));
      assert.ok(owner >= 0);
      const other = 1 - owner;
      await fleet.workers[owner]?.kill();
      fleet.model.push(bashTurn('pwd', 0));
      await send(session.id, 'second');
      const events = await stream.until(isIdle, 60_000);
      stream.close();
      assert.equal(fleet.workerOf(toolText(events)), other);
      assert.equal(events.at(-1)?.stop_reason?.type, 'end_turn');
      assert.match(
        fleet.workers[other]?.output() ?? '',
        new RegExp(`took over ${session.id} from node \\S+ \\(heartbeat_lapsed\\)`),
      );
      await fleet.restartWorker(owner);
    },
  );

  it('kill -9 of the owner mid-turn: the other worker finishes the turn from the log', SLOW, async () => {
    const { session } = await createSession(fleet.client);
    const stream = await openEventReader(fleet.client, session.id);
    fleet.model.push([
      { match: 'slow one', content: [{ type: 'text', text: 'never finished' }], delay_ms: 2_000 },
      { match: 'slow one', content: [{ type: 'text', text: 'finished by the survivor' }] },
    ]);
    const asked = fleet.model.requests().length;
    await send(session.id, 'slow one');
    // The owner's model call is in flight (the model has it), not merely announced in the log.
    while (fleet.model.requests().length === asked) await new Promise((resolve) => setTimeout(resolve, 20));
    const owner = await leaseHolder(session.id);
    assert.ok(owner >= 0, 'a worker holds the lease');
    await fleet.workers[owner]?.kill();
    const events = await stream.until(isIdle, 60_000);
    stream.close();
    const messages = events.filter((event) => event.type === 'agent.message');
    assert.deepEqual(
      messages.map((event) => event.content[0]?.text),
      ['finished by the survivor'],
    );
    assert.equal(events.at(-1)?.stop_reason?.type, 'end_turn');
    assert.match(fleet.workers[1 - owner]?.output() ?? '', new RegExp(`took over ${session.id} from node`));
    await fleet.restartWorker(owner);
  });

  it(
    'SIGTERM drains: the running turn finishes there, the worker exits 0, the next turn moves',
    SLOW,
    async () => {
      const { session } = await createSession(fleet.client);
      const stream = await openEventReader(fleet.client, session.id);
      fleet.model.push([
        { match: 'drain me', content: [{ type: 'text', text: 'finished while draining' }], delay_ms: 300 },
      ]);
      await send(session.id, 'drain me');
      await stream.until((event) => event.type === 'span.model_request_start', 60_000);
      const owner = await leaseHolder(session.id);
      assert.ok(owner >= 0, 'a worker holds the lease');
      const draining = fleet.workers[owner];
      const exited = draining?.stop();
      const events = await stream.until(isIdle, 60_000);
      await exited;
      assert.equal(draining?.child.exitCode, 0, draining?.output());
      assert.match(draining?.output() ?? '', /draining/);
      assert.deepEqual(
        events.filter((event) => event.type === 'agent.message').map((event) => event.content[0]?.text),
        ['finished while draining'],
      );
      fleet.model.push(bashTurn('pwd', 0));
      await send(session.id, 'after the drain');
      const next = await stream.until(isIdle, 60_000);
      stream.close();
      assert.equal(fleet.workerOf(toolText(next)), 1 - owner);
      assert.match(
        fleet.workers[1 - owner]?.output() ?? '',
        new RegExp(`took over ${session.id} from node \\S+ \\(gone\\)`),
      );
      await fleet.restartWorker(owner);
    },
  );
});
