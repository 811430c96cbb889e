import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GRADER_MARKER } from '../../src/core/outcomes/grader-request.js';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import { waitUntil } from '../support/bwrap-serve.js';
import { createTestDatabase, type Dialect } from '../support/databases.js';
import { createSession, openEventReader } from '../support/harness-fixture.js';
import { spawnPaddock } from '../support/paddock-process.js';
import { childClient, listSessionEvents, scriptedChildEnv } from '../support/scripted-child-node.js';

/**
 * Grading is driven from the log: a `paddock serve` killed with SIGKILL while the
 * grader's answer streams is restarted on the same data, grades the open
 * evaluation again, and applies the verdict exactly once.
 */
const ADMIN_KEY = 'sk-paddock-kill-outcome-test';

const waitFor = (check: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000) =>
  waitUntil(check, what, timeoutMs);

async function killDuringGrading(dialect: Dialect, model: ScriptedModelServer): Promise<void> {
  model.reset();
  model.push([
    { match: 'TASK-KILL', content: [{ type: 'text', text: 'the deliverable' }] },
    // The first grader call is slow (killed mid-stream); the call made again after restart answers at once.
    {
      match: GRADER_MARKER,
      content: [
        { type: 'tool_use', name: 'submit_verdict', input: { result: 'satisfied', explanation: 'late' } },
      ],
      delay_ms: 2_000,
    },
    {
      match: GRADER_MARKER,
      content: [
        { type: 'tool_use', name: 'submit_verdict', input: { result: 'satisfied', explanation: 'ok' } },
      ],
    },
  ]);
  const database = await createTestDatabase(dialect);
  const env = await scriptedChildEnv(dialect, database, model, ADMIN_KEY);
  let node = await spawnPaddock(env);
  try {
    let client = childClient(node.url, ADMIN_KEY);
    const { session } = await createSession(client);
    const reader = await openEventReader(client, session.id);
    await client.beta.sessions.events.send(session.id, {
      events: [
        { type: 'user.define_outcome', description: 'TASK-KILL', rubric: { type: 'text', content: 'x' } },
      ],
    });
    await reader.until((event) => event.type === 'span.outcome_evaluation_start', 60_000);
    const graderCalls = () =>
      model.requests().filter((request) => JSON.stringify(request.body).includes(GRADER_MARKER)).length;
    await waitFor(() => graderCalls() === 1, 'the grader request');
    reader.close();
    await node.kill();

    node = await spawnPaddock(env);
    client = childClient(node.url, ADMIN_KEY);
    await waitFor(
      async () =>
        (await client.beta.sessions.retrieve(session.id)).outcome_evaluations[0]?.result === 'satisfied',
      'the verdict',
    );
    await waitFor(async () => (await client.beta.sessions.retrieve(session.id)).status === 'idle', 'idle');
    const events = await listSessionEvents(client, session.id);
    const starts = events.filter((event) => event.type === 'span.outcome_evaluation_start');
    const ends = events.filter((event) => event.type === 'span.outcome_evaluation_end');
    assert.equal(starts.length, 1, 'the open evaluation is resumed, not started again');
    assert.equal(ends.length, 1, 'the verdict is applied once');
    assert.equal(ends[0]?.outcome_evaluation_start_id, starts[0]?.id);
    assert.equal(ends[0]?.explanation, 'ok');
    assert.equal(graderCalls(), 2, 'the cut grader call was made again, once');
    assert.equal(events.filter((event) => event.type === 'agent.message').length, 1, 'no agent turn re-run');
    const ids = events.map((event) => event.id);
    assert.equal(new Set(ids).size, ids.length, 'no event twice');
    assert.equal(events.at(-1)?.type, 'session.status_idle');
  } finally {
    await node.kill();
    await database.drop();
  }
}

describe('kill -9 during outcome grading', () => {
  let model: ScriptedModelServer;
  before(async () => {
    model = await startScriptedModelServer();
  });
  after(async () => model.close());

  it('grades the open evaluation again after restart and applies one verdict (sqlite)', () =>
    killDuringGrading('sqlite', model));
  it('grades the open evaluation again after restart and applies one verdict (postgres)', () =>
    killDuringGrading('postgres', model));
});
