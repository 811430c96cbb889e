import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { betaTool } from '@anthropic-ai/sdk/helpers/beta/json-schema';
import { DIALECTS } from '../support/databases.js';
import {
  createSession,
  type HarnessFixture,
  isIdle,
  openEventReader,
  type StreamEvent,
  startHarnessFixture,
} from '../support/harness-fixture.js';

const lookupTool = {
  type: 'custom' as const,
  name: 'lookup_order',
  description: 'Look up an order by id',
  input_schema: {
    type: 'object' as const,
    properties: { order_id: { type: 'string' } },
    required: ['order_id'],
  },
};

const stopReason = (events: StreamEvent[]) =>
  events.at(-1)?.['stop_reason'] as { type: string; event_ids?: string[] };

for (const dialect of DIALECTS) {
  describe(`client-side tools (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect);
    });
    after(async () => fixture.close());

    it("a custom tool round trip driven by the SDK's own SessionToolRunner", async () => {
      const { client, model } = fixture;
      const { session } = await createSession(client, { tools: [lookupTool] });
      model.push([
        {
          content: [{ type: 'tool_use', name: 'lookup_order', input: { order_id: 'A-17' } }],
          stop_reason: 'tool_use',
        },
        { content: [{ type: 'text', text: 'Your order has shipped.' }] },
      ]);
      const seen: string[] = [];
      const tool = betaTool({
        name: 'lookup_order',
        description: lookupTool.description,
        inputSchema: {
          type: 'object',
          properties: { order_id: { type: 'string' } },
          required: ['order_id'],
        } as const,
        run: (args) => {
          seen.push(String(args.order_id));
          return `order ${String(args.order_id)}: shipped`;
        },
      });
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'where is A-17?' }] }],
      });
      // The runner stops on its own once the session idles for a reason other than requires_action.
      const runner = client.beta.sessions.events.toolRunner(session.id, {
        tools: [tool],
        maxIdleMs: 500,
        signal: AbortSignal.timeout(20_000),
      });
      const calls = [];
      for await (const call of runner) calls.push(call);
      assert.equal(calls.length, 1);
      assert.equal(calls[0]?.name, 'lookup_order');
      assert.equal(calls[0]?.event.type, 'agent.custom_tool_use');
      assert.equal(calls[0]?.posted, true);
      assert.equal(calls[0]?.isError, false);
      assert.deepEqual(seen, ['A-17']);
      const events: StreamEvent[] = [];
      for await (const event of client.beta.sessions.events.list(session.id))
        events.push(event as StreamEvent);
      const result = events.find((event) => event.type === 'user.custom_tool_result');
      assert.equal(result?.['custom_tool_use_id'], calls[0]?.toolUseId);
      assert.equal(stopReason(events)?.type, 'end_turn');
      assert.match(JSON.stringify(model.requests().at(-1)?.body), /order A-17: shipped/);
    });

    it('keeps several custom tool calls pending; each answer re-idles with the rest', async () => {
      const { client, model } = fixture;
      const { session } = await createSession(client, { tools: [lookupTool] });
      model.push([
        {
          content: ['1', '2', '3'].map((id) => ({
            type: 'tool_use' as const,
            name: 'lookup_order',
            input: { order_id: id },
          })),
          stop_reason: 'tool_use',
        },
        { content: [{ type: 'text', text: 'All three found.' }] },
      ]);
      const stream = await openEventReader(client, session.id);
      try {
        await client.beta.sessions.events.send(session.id, {
          events: [{ type: 'user.message', content: [{ type: 'text', text: 'look up 1, 2 and 3' }] }],
        });
        const first = await stream.until(isIdle);
        const ids = first
          .filter((event) => event.type === 'agent.custom_tool_use')
          .map((event) => String(event.id));
        assert.equal(ids.length, 3);
        assert.deepEqual(stopReason(first), { type: 'requires_action', event_ids: ids });
        const answer = (id: string) =>
          client.beta.sessions.events.send(session.id, {
            events: [
              {
                type: 'user.custom_tool_result',
                custom_tool_use_id: id,
                content: [{ type: 'text', text: `result for ${id}` }],
              },
            ],
          });
        const [a, b, c] = ids as [string, string, string];
        await answer(b);
        assert.deepEqual(stopReason(await stream.until(isIdle)), {
          type: 'requires_action',
          event_ids: [a, c],
        });
        await answer(a);
        assert.deepEqual(stopReason(await stream.until(isIdle)), { type: 'requires_action', event_ids: [c] });
        await answer(c);
        assert.equal(stopReason(await stream.until(isIdle)).type, 'end_turn');
        const body = JSON.stringify(model.requests().at(-1)?.body);
        for (const id of ids) assert.ok(body.includes(`result for ${id}`));
      } finally {
        stream.close();
      }
    });
  });
}
