import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { type Fleet, startFleet } from '../support/fleet.js';
import {
  createSession,
  type EventReader,
  isIdle,
  openEventReader,
  type StreamEvent,
} from '../support/harness-fixture.js';
import { type PrivatePostgres, startPrivatePostgres } from '../support/private-postgres.js';

/** Real processes on a loaded machine: these take minutes, not the suite's default 2. */
const SLOW = { timeout: 600_000 };
/**
 * A database restart under load, with real processes: an API node and two workers on a
 * Postgres server of this test's own (so restarting it disturbs no other test). Sessions run
 * turns with a tool and a slow model while the server restarts (`pg_ctl restart -m fast`:
 * every connection is terminated with 57P01). Every turn finishes, the log has each event
 * once, every SSE stream saw exactly the log, no process exits, and a message posted while the
 * nodes were reconnecting is answered.
 */
const SESSIONS = 6;
const TURNS = 3;

/** A client's send: retried while the API answers 5xx (its database is restarting). */
async function sendWithRetry(client: Anthropic, sessionId: string, text: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await client.beta.sessions.events.send(sessionId, {
        events: [{ type: 'user.message', content: [{ type: 'text', text }] }],
      });
      return;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if ((status !== undefined && status < 500) || Date.now() > deadline) throw error;
      if (process.env['FLEET_DEBUG']) console.error(`send ${text}: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // A 5xx may come after the message was stored: look before sending it again.
      const stored = await logOf(client, sessionId).catch(() => []);
      if (
        stored.some((event) => event.type === 'user.message' && JSON.stringify(event.content).includes(text))
      )
        return;
    }
  }
}

/** Every event of a session's log, oldest first, through the API (pages of 100). */
async function logOf(client: Anthropic, sessionId: string): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of client.beta.sessions.events.list(sessionId, { limit: 100, order: 'asc' }))
    events.push(event as StreamEvent);
  return events;
}

describe('a Postgres restart under load', () => {
  let server: PrivatePostgres;
  let fleet: Fleet;

  before(async () => {
    server = await startPrivatePostgres();
    fleet = await startFleet({
      databaseUrl: server.url,
      env: { PADDOCK_NODE_HEARTBEAT_MS: '500', PADDOCK_NODE_TTL_MS: '5000', PADDOCK_LEASE_TTL_MS: '10000' },
    });
  }, SLOW);

  after(async () => {
    await fleet?.close();
    await server?.stop();
  });

  it('finishes every turn once, streams exactly the log, keeps every process up', SLOW, async () => {
    const sessions: Array<{ id: string; stream: EventReader; seen: StreamEvent[] }> = [];
    for (let index = 0; index < SESSIONS; index++) {
      const { session } = await createSession(fleet.client);
      sessions.push({ id: session.id, stream: await openEventReader(fleet.client, session.id), seen: [] });
      for (let turn = 0; turn < TURNS; turn++) {
        const tag = `s${index}t${turn}`;
        const delay = 50 + ((index * 31 + turn * 17) % 100);
        fleet.model.push([
          {
            match: `run ${tag}`,
            content: [{ type: 'tool_use', name: 'bash', input: { command: `echo done-${tag}` } }],
            stop_reason: 'tool_use',
            delay_ms: delay,
          },
          { match: `done-${tag}`, content: [{ type: 'text', text: `answer ${tag}` }], delay_ms: delay },
        ]);
      }
    }
    const late = await createSession(fleet.client);
    const lateStream = await openEventReader(fleet.client, late.session.id);

    let started = 0;
    let restarted: Promise<void> | undefined;
    const runTurns = async (index: number) => {
      const session = sessions[index];
      if (!session) return;
      for (let turn = 0; turn < TURNS; turn++) {
        await sendWithRetry(fleet.client, session.id, `run s${index}t${turn}`);
        session.seen.push(...(await session.stream.until(isIdle, 120_000)));
        // Restart once half the sessions are into their first turn's answers.
        if (turn === 0 && ++started === SESSIONS / 2) restarted = server.restart();
      }
    };
    const running = Promise.all(sessions.map((_session, index) => runTurns(index)));
    while (!restarted) await new Promise((resolve) => setTimeout(resolve, 50));
    // Posted at once, while the nodes' connections are still down or reconnecting.
    await restarted;
    await sendWithRetry(fleet.client, late.session.id, 'are you there after the restart?');
    await server.ready();
    await running;
    const lateEvents = await lateStream.until(isIdle, 120_000);
    lateStream.close();
    assert.ok(
      lateEvents.some((event) => event.type === 'agent.message'),
      `the late message was answered: ${lateEvents.map((event) => event.type).join(', ')}`,
    );

    if (process.env['FLEET_DEBUG'])
      for (const node of [fleet.api, ...fleet.workers]) console.error(node.output());
    for (const session of sessions) {
      session.stream.close();
      const log = await logOf(fleet.client, session.id);
      const ids = log.map((event) => event.id);
      assert.equal(new Set(ids).size, ids.length, `${session.id}: no event twice in the log`);
      const count = (type: string) => log.filter((event) => event.type === type).length;
      assert.equal(count('user.message'), TURNS, `${session.id}: every message once`);
      assert.equal(
        count('agent.message'),
        TURNS,
        `${session.id}: one answer per turn: ${log.map((e) => e.type)}`,
      );
      const idles = log.filter((event) => event.type === 'session.status_idle');
      assert.equal(idles.at(-1)?.stop_reason?.type, 'end_turn');
      assert.ok(
        idles.every((event) => event.stop_reason?.type === 'end_turn'),
        `${session.id}: no turn ended in an error: ${idles.map((event) => event.stop_reason?.type)}`,
      );
      const toolUses = log.filter((event) => event.type === 'agent.tool_use').map((event) => event.id);
      const results = log
        .filter((event) => event.type === 'agent.tool_result')
        .map((event) => event.tool_use_id);
      assert.deepEqual([...results].sort(), [...toolUses].sort(), `${session.id}: one result per tool use`);
      // The live stream from the API node saw exactly the log (from the first message on), in order.
      const first = log.findIndex((event) => event.type === 'user.message');
      assert.deepEqual(
        session.seen.map((event) => event.id),
        ids.slice(first),
        `${session.id}: the stream matches the log`,
      );
    }
    for (const node of [fleet.api, ...fleet.workers]) {
      assert.equal(node.child.exitCode, null, node.output());
      assert.equal(node.child.signalCode, null, node.output());
    }
  });
  it('an idle fleet rides out a restart too: nobody exits, the next message is answered', SLOW, async () => {
    const { session } = await createSession(fleet.client);
    const stream = await openEventReader(fleet.client, session.id);
    // Every node idle: its only handles are database sockets, which the restart closes.
    await server.restart();
    await server.ready();
    await sendWithRetry(fleet.client, session.id, 'still there?');
    const events = await stream.until(isIdle, 120_000);
    stream.close();
    assert.ok(events.some((event) => event.type === 'agent.message'));
    for (const node of [fleet.api, ...fleet.workers]) {
      assert.equal(node.child.exitCode, null, node.output());
      assert.equal(node.child.signalCode, null, node.output());
    }
  });
});
