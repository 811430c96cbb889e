import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock, toTimestamp } from '../../src/core/clock.js';
import { modelRequestEndKey } from '../../src/core/harness/model-step.js';
import { DEFAULT_RETRY_POLICY } from '../../src/core/harness/retry-policy.js';
import { runSession } from '../../src/core/harness/run-session.js';
import { createHarnessLog, createHarnessSessions } from '../../src/core/harness/session-log-adapters.js';
import type { HarnessLog } from '../../src/core/ports/harness-log.js';
import type { ToolRunner } from '../../src/core/ports/tool-runner.js';
import { createScriptedProvider } from '../../src/providers/scripted/scripted-provider.js';
import type { ScriptedTurn } from '../../src/providers/scripted/scripted-turn.js';
import { DIALECTS } from '../support/databases.js';
import { createSession } from '../support/harness-fixture.js';
import { startTestServer, type TestServer } from '../support/server.js';

const NODE = 'node-a';

const TURNS: ScriptedTurn[] = [
  {
    content: [
      { type: 'thinking', thinking: 'I should look first.' },
      { type: 'text', text: 'Looking.' },
      { type: 'tool_use', name: 'bash', input: { command: 'ls' } },
    ],
  },
  { content: [{ type: 'text', text: 'Done.' }] },
];

/**
 * Decision 0002: a retried harness step cannot append twice. A whole turn is
 * run, then run again from the very same folds (what a node that lost its
 * lease, or one that crashed between an append and what followed, replays):
 * every append of the replay carries the key the first run used, so the log
 * does not change.
 */
for (const dialect of DIALECTS) {
  describe(`replayed harness steps append once (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      // Nothing drives sessions on its own: the test runs the loop itself, twice.
      server = await startTestServer(dialect, { harness: false });
    });
    after(async () => server.close());

    it('a turn replayed step by step from the same folds appends nothing', async () => {
      const { client, paddock } = server;
      const { session } = await createSession(client);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'List the files' }] }],
      });
      const now = systemClock.now();
      assert.ok(
        await paddock.store.leases.acquire(session.id, NODE, toTimestamp(now + 600_000), toTimestamp(now)),
      );
      const live = createHarnessLog(paddock.context.events, NODE);
      const sessions = createHarnessSessions(paddock.context.sessions, paddock.context.events, NODE);
      let toolRuns = 0;
      const tools: ToolRunner = {
        async run() {
          toolRuns += 1;
          return { content: [{ type: 'text', text: 'hello.py' }], isError: false };
        },
      };
      const run = (log: HarnessLog, turns: ScriptedTurn[]) => {
        const provider = createScriptedProvider({ turns });
        return runSession(
          {
            log,
            sessions,
            router: { providerFor: () => provider },
            tools,
            clock: systemClock,
            retry: DEFAULT_RETRY_POLICY,
            maxSteps: 50,
          },
          { sessionId: session.id, signal: new AbortController().signal, recovering: false },
        );
      };

      // First run: remember how much of the log each read saw.
      const folds: number[] = [];
      await run(
        {
          ...live,
          async read(sessionId) {
            const events = await live.read(sessionId);
            folds.push(events.length);
            return events;
          },
        },
        TURNS,
      );
      const first = await paddock.context.events.list(session.id, { order: 'asc', limit: 1000 });
      assert.deepEqual(
        first.map((event) => event.type),
        [
          'user.message',
          'session.status_running',
          'span.model_request_start',
          'agent.thinking',
          'agent.message',
          'agent.tool_use',
          'span.model_request_end',
          'session.usage',
          'agent.tool_result',
          'span.model_request_start',
          'agent.message',
          'span.model_request_end',
          'session.usage',
          'session.status_idle',
        ],
      );

      // The replay: each read sees exactly what the first run's read saw, then the live log.
      let reads = 0;
      await run(
        {
          ...live,
          async read(sessionId) {
            const events = await live.read(sessionId);
            const seen = folds[reads++];
            return seen === undefined ? events : events.slice(0, seen);
          },
        },
        TURNS,
      );
      assert.equal(reads, folds.length, 'the replay went through every step again');
      assert.equal(toolRuns, 2, 'the tool step ran again (only its append is idempotent)');
      const second = await paddock.context.events.list(session.id, { order: 'asc', limit: 1000 });
      assert.deepEqual(
        second.map((event) => [event.seq, event.id, event.type]),
        first.map((event) => [event.seq, event.id, event.type]),
      );
      const stored = await client.beta.sessions.retrieve(session.id);
      assert.equal(stored.status, 'idle');
    });

    it('two model-request ends for one start: the second append returns the first', async () => {
      const { client, paddock } = server;
      const { session } = await createSession(client);
      const now = systemClock.now();
      await paddock.store.leases.acquire(session.id, NODE, toTimestamp(now + 600_000), toTimestamp(now));
      const log = createHarnessLog(paddock.context.events, NODE);
      const [start] = await log.append(session.id, [{ type: 'span.model_request_start' }], '@0:start');
      assert.ok(start);
      const end = (isError: boolean) =>
        log.append(
          session.id,
          [
            {
              type: 'span.model_request_end',
              model_request_start_id: start.id,
              is_error: isError,
              model_usage: {
                input_tokens: 0,
                output_tokens: 0,
                cache_read_input_tokens: 0,
                cache_creation_input_tokens: 0,
              },
            },
          ],
          [modelRequestEndKey(start.id)],
        );
      // A late answer from a node that lost its lease, after the new owner closed the request on wake.
      const [closed] = await end(true);
      const [late] = await end(false);
      assert.equal(late?.id, closed?.id);
      const events = await paddock.context.events.list(session.id, { order: 'asc', limit: 100 });
      assert.equal(events.filter((event) => event.type === 'span.model_request_end').length, 1);
    });
  });
}
