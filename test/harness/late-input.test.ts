import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DraftEvent } from '../../src/core/events/session-event.js';
import { createHarnessLog } from '../../src/core/harness/session-log-adapters.js';
import { foldSessionState } from '../../src/core/harness/session-state.js';
import type { HarnessLog } from '../../src/core/ports/harness-log.js';
import type { ModelRequest } from '../../src/core/ports/model-provider.js';
import type { ScriptedTurn } from '../../src/providers/scripted/scripted-turn.js';
import { DIALECTS } from '../support/databases.js';
import { createSession } from '../support/harness-fixture.js';
import { holdLease, runLoopOnce } from '../support/run-loop.js';
import { startTestServer, type TestServer } from '../support/server.js';

// Input that lands after a step read the log and before the step's next append (a client, a
// thread reply, a server notice) must reach the model: a step that consumes it without having
// shown it to the model loses a user's message for good.

const NODE = 'node-a';
const message = (text: string): DraftEvent => ({ type: 'user.message', content: [{ type: 'text', text }] });
const texts = (request: ModelRequest | undefined) =>
  (request?.messages ?? []).flatMap((entry) =>
    entry.content.map((block) => (block as { text?: string }).text),
  );

for (const dialect of DIALECTS) {
  describe(`input landing mid-step reaches the model (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      // Nothing drives sessions on its own: the test runs the loop itself.
      server = await startTestServer(dialect, { harness: false });
    });
    after(async () => server.close());

    /**
     * Runs the loop once on a new session whose log holds `history`, with a message landing
     * just before the harness's first append of `type` (after the step read the log).
     */
    async function runWithLateInput(
      history: DraftEvent[],
      type: string,
      turns: ScriptedTurn[],
      windowTokens?: number,
    ) {
      const events = server.paddock.context.events;
      const { session } = await createSession(server.client);
      await events.append(session.id, history);
      await holdLease(server, session.id, NODE);
      const live = createHarnessLog(events, NODE);
      let landed = false;
      const log: HarnessLog = {
        ...live,
        async append(sessionId, drafts, keys) {
          if (!landed && drafts[0]?.type === type) {
            landed = true;
            await events.append(sessionId, [message('late')]);
          }
          return live.append(sessionId, drafts, keys);
        },
      };
      const requests = await runLoopOnce({
        server,
        sessionId: session.id,
        node: NODE,
        log,
        turns,
        contextWindowTokens: windowTokens,
      });
      assert.ok(landed, `no ${type} was appended`);
      const state = foldSessionState(await createHarnessLog(events, 'fresh').read(session.id));
      return { requests, state };
    }

    it('a message landing between the read and span.model_request_start is in that request', async () => {
      const { requests, state } = await runWithLateInput([message('hello')], 'span.model_request_start', [
        { content: [{ type: 'text', text: 'answer' }] },
      ]);
      assert.equal(requests.length, 1);
      assert.deepEqual(texts(requests[0]), ['hello', 'late']);
      assert.equal(state.hasNewInput, false, 'seen by the request, so consumed by it');
    });

    it('a message landing while the history is compacted is in the request after the summary', async () => {
      // A finished turn whose answer fills a 1,500-token window, then a new message.
      const history: DraftEvent[] = [
        message('first request'),
        { type: 'agent.message', content: [{ type: 'text', text: `Noted. ${'x'.repeat(6000)}` }] },
        { type: 'session.status_idle', stop_reason: { type: 'end_turn' } },
        message('second request'),
      ];
      const { requests, state } = await runWithLateInput(
        history,
        'agent.thread_context_compacted',
        [
          { match: 'nearly full', content: [{ type: 'text', text: 'SUMMARY of the first request' }] },
          { content: [{ type: 'text', text: 'answer' }] },
        ],
        1500,
      );
      assert.equal(requests.length, 2, 'the summary request, then the answer');
      const after = texts(requests[1]);
      assert.ok(
        after.some((text) => text?.includes('SUMMARY of the first request')),
        `no summary in ${after}`,
      );
      assert.ok(after.includes('late'), `the late message is not in the request: ${after}`);
      assert.equal(state.hasNewInput, false);
    });
  });
}
