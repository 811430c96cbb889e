import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GRADER_MARKER } from '../../src/core/outcomes/grader-request.js';
import {
  bwrapSessionSkip,
  bwrapSessionSuite,
  createLimitedEnvironment,
  createToolsetAgent,
} from '../support/bwrap-sessions.js';
import { isIdle, openEventReader } from '../support/harness-fixture.js';

/**
 * The outcome grader sees the deliverable files: what the agent left in /mnt/session/outputs
 * of its real bwrap sandbox reaches the grader's request (listing and text), and the agent's
 * own shell keeps its working directory.
 */
const skip = await bwrapSessionSkip();

describe('outcome grader and the sandbox outputs (bwrap)', { skip }, () => {
  const served = bwrapSessionSuite();

  it('gives the grader the files under /mnt/session/outputs', async () => {
    const { server, model } = served;
    const { client } = server;
    const agent = await createToolsetAgent(client, 'writer');
    const environment = await createLimitedEnvironment(client, 'outcome');
    const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
    model.push([
      {
        match: 'TASK-FILE',
        content: [
          {
            type: 'tool_use',
            name: 'bash',
            input: { command: 'cd /tmp && echo POEM-IN-FILE > /mnt/session/outputs/poem.txt' },
          },
        ],
      },
      { content: [{ type: 'text', text: 'I wrote poem.txt.' }] },
      {
        match: GRADER_MARKER,
        content: [
          { type: 'tool_use', name: 'submit_verdict', input: { result: 'satisfied', explanation: 'ok' } },
        ],
      },
      { match: 'PWD-CHECK', content: [{ type: 'tool_use', name: 'bash', input: { command: 'pwd' } }] },
      { content: [{ type: 'text', text: 'checked' }] },
    ]);
    const reader = await openEventReader(client, session.id);
    try {
      await client.beta.sessions.events.send(session.id, {
        events: [
          { type: 'user.define_outcome', description: 'TASK-FILE', rubric: { type: 'text', content: 'x' } },
        ],
      });
      const events = await reader.until(isIdle, 120_000);
      assert.equal(events.find((event) => event.type === 'span.outcome_evaluation_end')?.result, 'satisfied');
      const grader = model.requests().find((request) => JSON.stringify(request.body).includes(GRADER_MARKER));
      const text = JSON.stringify(grader?.body);
      assert.match(text, /=== poem\.txt \(13 bytes\)/);
      assert.match(text, /POEM-IN-FILE/);
      assert.match(text, /I wrote poem\.txt\./);

      // The grader's look ran in a subshell: the agent's shell is still where the agent left it.
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'PWD-CHECK' }] }],
      });
      const next = await reader.until(isIdle, 120_000);
      const result = next.find((event) => event.type === 'agent.tool_result');
      assert.match(JSON.stringify(result?.['content']), /\/tmp/);
    } finally {
      reader.close();
    }
  });
});
