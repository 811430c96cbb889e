import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../support/databases.js';
import {
  createSession,
  type HarnessFixture,
  isIdle,
  openEventReader,
  startHarnessFixture,
} from '../support/harness-fixture.js';

for (const dialect of DIALECTS) {
  describe(`the agent loop over the SDK (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect);
    });
    after(async () => fixture.close());

    it('runs the guide flow: message → running → model → message → idle(end_turn)', async () => {
      const { client, model } = fixture;
      const { session } = await createSession(client);
      assert.equal(session.status, 'idle');
      model.push([{ content: [{ type: 'text', text: 'Hello from the scripted model.' }] }]);
      const stream = await openEventReader(client, session.id);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'Say hello' }] }],
      });
      const events = await stream.until(isIdle);
      assert.deepEqual(
        events.map((event) => event.type),
        [
          'user.message',
          'session.status_running',
          'span.model_request_start',
          'agent.message',
          'span.model_request_end',
          'session.usage',
          'session.status_idle',
        ],
      );
      const idle = events.at(-1) as unknown as { stop_reason: { type: string } };
      assert.equal(idle.stop_reason.type, 'end_turn');
      const message = events.find((event) => event.type === 'agent.message') as unknown as {
        content: Array<{ text: string }>;
      };
      assert.equal(message.content[0]?.text, 'Hello from the scripted model.');
      // The history equals the stream, ids included.
      const listed = [];
      for await (const event of client.beta.sessions.events.list(session.id)) listed.push(event.id);
      assert.deepEqual(
        listed,
        events.map((event) => event.id),
      );
      const after = await client.beta.sessions.retrieve(session.id);
      assert.equal(after.status, 'idle');
      assert.ok((after.usage.input_tokens ?? 0) > 0);
      // The upstream got the system prompt and the user's text.
      const request = model.requests().at(-1)?.body as unknown as {
        system: Array<{ text: string }>;
        messages: unknown[];
      };
      assert.match(JSON.stringify(request.system), /expert Python developer/);
    });

    it('runs several tool calls in one turn in the sandbox and feeds results back', async () => {
      const { client, model } = fixture;
      const { session } = await createSession(client);
      model.push([
        {
          content: [
            { type: 'text', text: 'Writing and running.' },
            { type: 'tool_use', name: 'write', input: { file_path: 'hello.py', content: 'print(6 * 7)\n' } },
            { type: 'tool_use', name: 'bash', input: { command: 'echo from-bash && cat hello.py' } },
          ],
          stop_reason: 'tool_use',
        },
        { content: [{ type: 'text', text: 'Done: it prints 42.' }] },
      ]);
      const stream = await openEventReader(client, session.id);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'write hello.py and run it' }] }],
      });
      const events = await stream.until(isIdle);
      const uses = events.filter((event) => event.type === 'agent.tool_use');
      const results = events.filter((event) => event.type === 'agent.tool_result') as unknown as Array<{
        tool_use_id: string;
        is_error: boolean;
        content: Array<{ text: string }>;
      }>;
      assert.equal(uses.length, 2);
      assert.equal(results.length, 2);
      assert.equal(uses[0]?.['evaluated_permission'], 'allow');
      assert.deepEqual(uses[0]?.['evaluation'], { type: 'always_allow' });
      assert.equal(results[1]?.tool_use_id, uses[1]?.id);
      assert.match(results[1]?.content[0]?.text ?? '', /from-bash[\s\S]*print\(6 \* 7\)/);
      assert.equal(results[1]?.is_error, false);
      // The second model request carried both tool results, keyed by our event ids.
      const second = model.requests().at(-1)?.body as unknown as {
        messages: Array<{ role: string; content: unknown }>;
      };
      const lastUser = second.messages.at(-1);
      assert.equal(lastUser?.role, 'user');
      assert.match(JSON.stringify(lastUser?.content), new RegExp(String(uses[1]?.id)));
    });

    it('retries retryable upstream errors with rescheduled status, then gives up with retries_exhausted', async () => {
      const { client, model } = fixture;
      const { session } = await createSession(client);
      model.push([
        { error: { status: 529, type: 'overloaded_error', message: 'overloaded' } },
        { content: [{ type: 'text', text: 'recovered' }] },
      ]);
      const stream = await openEventReader(client, session.id);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'hi' }] }],
      });
      const events = await stream.until(isIdle);
      const types = events.map((event) => event.type);
      assert.ok(types.includes('session.error'));
      assert.ok(types.includes('session.status_rescheduled'));
      const error = events.find((event) => event.type === 'session.error') as unknown as {
        error: { type: string; retry_status: { type: string } };
      };
      assert.equal(error.error.type, 'model_overloaded_error');
      assert.equal(error.error.retry_status.type, 'retrying');
      assert.equal(
        (events.at(-1) as unknown as { stop_reason: { type: string } }).stop_reason.type,
        'end_turn',
      );

      model.push([
        { error: { status: 500, message: 'boom' } },
        { error: { status: 500, message: 'boom' } },
        { error: { status: 500, message: 'boom' } },
      ]);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'again' }] }],
      });
      const more = await stream.until(isIdle);
      assert.equal(
        (more.at(-1) as unknown as { stop_reason: { type: string } }).stop_reason.type,
        'retries_exhausted',
      );
      const last = more.filter((event) => event.type === 'session.error').at(-1) as unknown as {
        error: { retry_status: { type: string } };
      };
      assert.equal(last.error.retry_status.type, 'exhausted');
    });

    it('custom tools: requires_action with event_ids, resumed by user.custom_tool_result', async () => {
      const { client, model } = fixture;
      const { session } = await createSession(client, {
        tools: [
          {
            type: 'custom',
            name: 'trigger_deploy',
            description: 'Trigger a deployment',
            input_schema: {
              type: 'object',
              properties: { service: { type: 'string' } },
              required: ['service'],
            },
          },
        ],
      });
      model.push([
        {
          content: [{ type: 'tool_use', name: 'trigger_deploy', input: { service: 'api' } }],
          stop_reason: 'tool_use',
        },
        { content: [{ type: 'text', text: 'Deployed.' }] },
      ]);
      const stream = await openEventReader(client, session.id);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'deploy api' }] }],
      });
      const first = await stream.until(isIdle);
      const use = first.find((event) => event.type === 'agent.custom_tool_use');
      assert.ok(use);
      const idle = first.at(-1) as unknown as { stop_reason: { type: string; event_ids: string[] } };
      assert.deepEqual(idle.stop_reason, { type: 'requires_action', event_ids: [use.id] });
      await client.beta.sessions.events.send(session.id, {
        events: [
          {
            type: 'user.custom_tool_result',
            custom_tool_use_id: String(use.id),
            content: [{ type: 'text', text: 'deployment 42 started' }],
          },
        ],
      });
      const second = await stream.until(isIdle);
      assert.equal(
        (second.at(-1) as unknown as { stop_reason: { type: string } }).stop_reason.type,
        'end_turn',
      );
      assert.match(JSON.stringify(model.requests().at(-1)?.body), /deployment 42 started/);
    });

    it('always_ask: denies one call and allows another', async () => {
      const { client, model } = fixture;
      const { session } = await createSession(client, {
        tools: [
          { type: 'agent_toolset_20260401', default_config: { permission_policy: { type: 'always_ask' } } },
        ],
      });
      model.push([
        {
          content: [
            { type: 'tool_use', name: 'bash', input: { command: 'echo allowed-ran' } },
            { type: 'tool_use', name: 'bash', input: { command: 'echo denied-ran' } },
          ],
          stop_reason: 'tool_use',
        },
        { content: [{ type: 'text', text: 'ok' }] },
      ]);
      const stream = await openEventReader(client, session.id);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'run two things' }] }],
      });
      const first = await stream.until(isIdle);
      const uses = first.filter((event) => event.type === 'agent.tool_use');
      assert.equal(uses.length, 2);
      assert.equal(uses[0]?.['evaluated_permission'], 'ask');
      const [allowUse, denyUse] = uses as unknown as [{ id: string }, { id: string }];
      await client.beta.sessions.events.send(session.id, {
        events: [
          {
            type: 'user.tool_confirmation',
            tool_use_id: denyUse.id,
            result: 'deny',
            deny_message: 'not that one',
          },
        ],
      });
      const partial = await stream.until(isIdle);
      assert.deepEqual((partial.at(-1) as unknown as { stop_reason: unknown }).stop_reason, {
        type: 'requires_action',
        event_ids: [allowUse.id],
      });
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.tool_confirmation', tool_use_id: allowUse.id, result: 'allow' }],
      });
      const rest = await stream.until(isIdle);
      const results = [...partial, ...rest].filter(
        (event) => event.type === 'agent.tool_result',
      ) as unknown as Array<{
        tool_use_id: string;
        is_error: boolean;
        content: Array<{ text: string }>;
      }>;
      const denied = results.find((result) => result.tool_use_id === denyUse.id);
      const allowed = results.find((result) => result.tool_use_id === allowUse.id);
      assert.equal(denied?.is_error, true);
      assert.equal(denied?.content[0]?.text, 'not that one');
      assert.equal(allowed?.is_error, false);
      assert.match(allowed?.content[0]?.text ?? '', /allowed-ran/);
      assert.equal(
        (rest.at(-1) as unknown as { stop_reason: { type: string } }).stop_reason.type,
        'end_turn',
      );
    });

    it('user.interrupt stops a slow turn promptly and goes idle', async () => {
      const { client, model } = fixture;
      const { session } = await createSession(client);
      model.push([{ content: [{ type: 'text', text: 'a '.repeat(200) }], delay_ms: 50 }]);
      const stream = await openEventReader(client, session.id);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'talk slowly' }] }],
      });
      await stream.until((event) => event.type === 'span.model_request_start');
      const started = Date.now();
      await client.beta.sessions.events.send(session.id, { events: [{ type: 'user.interrupt' }] });
      const rest = await stream.until(isIdle);
      assert.ok(Date.now() - started < 3000, 'interrupt took too long');
      assert.equal(
        (rest.at(-1) as unknown as { stop_reason: { type: string } }).stop_reason.type,
        'end_turn',
      );
      assert.ok(!rest.some((event) => event.type === 'agent.message'), 'no half answer is committed');
    });
  });
}
