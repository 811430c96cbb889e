import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { GRADER_MARKER } from '../../src/core/outcomes/grader-request.js';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import { createTestDatabase, type Dialect } from '../support/databases.js';
import { createSession, openEventReader, type StreamEvent } from '../support/harness-fixture.js';
import { childEnv, freePort, spawnPaddock } from '../support/paddock-process.js';

/**
 * Grading is driven from the log: a `paddock serve` killed with SIGKILL while the
 * grader's answer streams is restarted on the same data, grades the open
 * evaluation again, and applies the verdict exactly once.
 */
const ADMIN_KEY = 'sk-paddock-kill-outcome-test';

async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

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
  const env = childEnv({
    PADDOCK_DATA_DIR: database.dataDir,
    PADDOCK_PORT: String(await freePort()),
    PADDOCK_HOST: '127.0.0.1',
    PADDOCK_ADMIN_KEY: ADMIN_KEY,
    PADDOCK_ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'test-upstream-key',
    PADDOCK_SANDBOX: 'process',
    // Short, so a Postgres node (random lease owner) takes over the dead node's session quickly.
    PADDOCK_LEASE_TTL_MS: '2000',
    ...(dialect === 'postgres' ? { PADDOCK_DATABASE_URL: database.url } : {}),
  });
  let node = await spawnPaddock(env);
  try {
    let client = new Anthropic({ baseURL: node.url, apiKey: ADMIN_KEY, maxRetries: 0 });
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
    client = new Anthropic({ baseURL: node.url, apiKey: ADMIN_KEY, maxRetries: 0 });
    await waitFor(
      async () =>
        (await client.beta.sessions.retrieve(session.id)).outcome_evaluations[0]?.result === 'satisfied',
      'the verdict',
    );
    await waitFor(async () => (await client.beta.sessions.retrieve(session.id)).status === 'idle', 'idle');
    const events: StreamEvent[] = [];
    for await (const event of client.beta.sessions.events.list(session.id)) events.push(event as StreamEvent);
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
