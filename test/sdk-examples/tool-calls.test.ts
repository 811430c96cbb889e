import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../support/databases.js';
import { createSession, type HarnessFixture, startHarnessFixture } from '../support/harness-fixture.js';

/**
 * In the style of the SDK's tool-call examples: an agent with a custom tool; the client watches
 * the stream, sees the call, answers it, and the agent finishes from the answer.
 */
for (const dialect of DIALECTS) {
  describe(`SDK example: observe and answer a custom tool call (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect, [
        {
          match: 'weather in Paris',
          content: [{ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } }],
        },
        { match: 'sunny, 21', content: [{ type: 'text', text: 'It is sunny in Paris.' }] },
      ]);
    });
    after(async () => fixture.close());

    it('streams agent.custom_tool_use, idles with requires_action once, resumes on the result', async () => {
      const { client } = fixture;
      const { session } = await createSession(client, {
        tools: [
          {
            type: 'custom',
            name: 'get_weather',
            description: 'Current weather for a city',
            input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        ],
      });
      const stream = await client.beta.sessions.events.stream(session.id);
      await client.beta.sessions.events.send(session.id, {
        events: [
          { type: 'user.message', content: [{ type: 'text', text: 'What is the weather in Paris?' }] },
        ],
      });
      const types: string[] = [];
      let reply = '';
      for await (const event of stream) {
        types.push(event.type);
        if (event.type === 'agent.custom_tool_use') {
          assert.equal(event.name, 'get_weather');
          assert.deepEqual(event.input, { city: 'Paris' });
          continue;
        }
        if (event.type === 'session.status_idle' && event.stop_reason.type === 'requires_action') {
          for (const id of event.stop_reason.event_ids) {
            await client.beta.sessions.events.send(session.id, {
              events: [
                {
                  type: 'user.custom_tool_result',
                  custom_tool_use_id: id,
                  content: [{ type: 'text', text: 'sunny, 21' }],
                },
              ],
            });
          }
          continue;
        }
        if (event.type === 'agent.message')
          for (const block of event.content) if (block.type === 'text') reply += block.text;
        if (event.type === 'session.status_idle') break;
      }
      assert.equal(reply, 'It is sunny in Paris.');
      // Each state change once: never two session.usage in a row.
      for (const [index, type] of types.entries())
        if (type === 'session.usage')
          assert.notEqual(types[index + 1], 'session.usage', `events: ${types.join(', ')}`);
    });
  });
}
