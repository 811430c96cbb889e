import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import type { ScriptedModelServer } from '../../src/providers/scripted/scripted-model-server.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { type Fleet, startFleet } from '../support/fleet.js';
import { createSession, isIdle, openEventReader } from '../support/harness-fixture.js';

/** Real processes on a loaded machine: these take minutes, not the suite's default 2. */
const SLOW = { timeout: 600_000 };
/**
 * A fleet in miniature: an API node that drives no sessions (PADDOCK_HARNESS=false) and two
 * `paddock worker`s with their own data directories, sharing one Postgres database and secret
 * key (test/support/fleet.ts). The SDK talks only to the API node.
 */
describe('API node + paddock worker on one Postgres', () => {
  let database: TestDatabase;
  let fleet: Fleet;
  let model: ScriptedModelServer;
  let workerDirs: string[];
  let client: Anthropic;

  before(async () => {
    database = await createTestDatabase('postgres');
    fleet = await startFleet({ databaseUrl: database.url });
    ({ model, workerDirs, client } = fleet);
  }, SLOW);

  after(async () => {
    await fleet?.close();
    await database?.drop();
  });

  it('the worker runs the turn (model and bash) and the API node streams it', SLOW, async () => {
    model.push([
      {
        content: [{ type: 'tool_use', name: 'bash', input: { command: 'echo ran-at "$PWD"' } }],
        stop_reason: 'tool_use',
      },
      { content: [{ type: 'text', text: 'Done on the worker.' }] },
    ]);
    const { session } = await createSession(client);
    const stream = await openEventReader(client, session.id);
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'go' }] }],
    });
    const events = await stream.until(isIdle, 30_000);
    stream.close();
    const result = events.find((event) => event.type === 'agent.tool_result');
    // The process driver works under the node's data directory: a worker's, not the API node's.
    const ranAt = /ran-at (\S+?)\/sandbox/.exec(JSON.stringify(result?.content))?.[1];
    assert.ok(ranAt && workerDirs.some((dir) => ranAt.startsWith(dir)), String(ranAt));
    const message = events.find((event) => event.type === 'agent.message');
    assert.equal(message?.content[0]?.text, 'Done on the worker.');
    assert.equal(events.at(-1)?.stop_reason?.type, 'end_turn');
  });

  // Ownership by liveness: the worker that ran the session keeps it while its heartbeat is fresh,
  // whichever worker hears the signal first (no head start to lose under load).
  it(
    'later turns go back to the worker that ran the session (its sandbox files are there)',
    SLOW,
    async () => {
      const { session } = await createSession(client);
      const stream = await openEventReader(client, session.id);
      const places: string[] = [];
      for (let turn = 0; turn < 4; turn++) {
        model.push([
          {
            content: [
              {
                type: 'tool_use',
                name: 'bash',
                input: { command: 'echo turn >> turns.txt; pwd; wc -l < turns.txt' },
              },
            ],
            stop_reason: 'tool_use',
          },
          { content: [{ type: 'text', text: `turn ${turn} done` }] },
        ]);
        await client.beta.sessions.events.send(session.id, {
          events: [{ type: 'user.message', content: [{ type: 'text', text: `turn ${turn}` }] }],
        });
        const events = await stream.until(isIdle, 30_000);
        const text = JSON.stringify(events.find((event) => event.type === 'agent.tool_result')?.content);
        places.push(workerDirs.findIndex((dir) => text.includes(dir)).toString());
        assert.match(
          text,
          new RegExp(`\\\\n${turn + 1}`),
          `turn ${turn} sees the files of the turns before: ${text}`,
        );
      }
      stream.close();
      assert.equal(new Set(places).size, 1, `turns ran on workers ${places.join(', ')}`);
    },
  );

  it('an interrupt sent to the API node stops the turn running on the worker', SLOW, async () => {
    model.push([{ content: [{ type: 'text', text: 'too slow' }], delay_ms: 20_000 }]);
    const { session } = await createSession(client);
    const stream = await openEventReader(client, session.id);
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'take your time' }] }],
    });
    await stream.until((event) => event.type === 'span.model_request_start', 30_000);
    await client.beta.sessions.events.send(session.id, { events: [{ type: 'user.interrupt' }] });
    // The answer streams for minutes (20 s per chunk): going idle without it is the interrupt
    // working; no wall-clock threshold, which a loaded machine would break.
    const events = await stream.until(isIdle, 60_000);
    stream.close();
    assert.ok(!events.some((event) => event.type === 'agent.message'), 'the slow answer never landed');
  });

  it('refuses an API-only node or a worker on SQLite, saying why', async () => {
    const { main } = await import('../../src/cli/main.js');
    const saved = { ...process.env };
    try {
      delete process.env['PADDOCK_DATABASE_URL'];
      process.env['PADDOCK_DATA_DIR'] = workerDirs[0];
      await assert.rejects(main(['worker']), /paddock worker needs PADDOCK_DATABASE_URL=postgres/);
      await assert.rejects(main(['serve', '--no-harness']), /leaves sessions to `paddock worker` nodes/);
    } finally {
      process.env = saved;
    }
  });
});
