import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { SessionEvent } from '../../src/core/events/session-event.js';
import { usageSnapshot } from '../../src/core/metering/list-cost.js';
import { DEFAULT_PRICES } from '../../src/core/metering/prices.js';
import { DIALECTS } from '../support/databases.js';
import {
  type HarnessFixture,
  isIdle,
  openEventReader,
  startHarnessFixture,
} from '../support/harness-fixture.js';
import { TEST_ADMIN_KEY } from '../support/server.js';

const MODEL = 'claude-sonnet-4-6';
// Sonnet 4.6 at $3/$15 per M: 20K in + 1K out = $0.06 + $0.015 = $0.075 per turn.
const TURN_USAGE = { input_tokens: 20_000, output_tokens: 1_000 };
const budget = (amount: string) => ({
  type: 'limit' as const,
  max_list_cost: { amount, currency: 'USD' as const },
});
const stopReason = (events: Array<{ type: string; [key: string]: unknown }>) =>
  (events.at(-1) as { stop_reason?: { type: string } }).stop_reason?.type;

for (const dialect of DIALECTS) {
  describe(`metering: list cost, budgets and reports (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect);
    });
    after(async () => fixture.close());

    const get = (path: string) =>
      fetch(`${fixture.server.url}${path}`, { headers: { 'x-api-key': TEST_ADMIN_KEY } });

    async function createBudgetedSession(amount: string | undefined, model = MODEL) {
      const { client } = fixture;
      const agent = await client.beta.agents.create({ name: `Metered ${Math.random()}`, model });
      const environment = await client.beta.environments.create({
        name: `env-${Math.random().toString(36).slice(2)}`,
        config: { type: 'cloud', networking: { type: 'unrestricted' } },
      });
      const session = await client.beta.sessions.create({
        agent: agent.id,
        environment_id: environment.id,
        ...(amount === undefined ? {} : { budget: budget(amount) }),
      });
      return { agent, session };
    }

    it('stops at the budget with budget_reached, and a raised budget resumes the turn', async () => {
      const { client, model } = fixture;
      const { agent, session } = await createBudgetedSession('5');
      assert.deepEqual(session.budget, budget('5'));
      const stream = await openEventReader(client, session.id);
      const say = (text: string) =>
        client.beta.sessions.events.send(session.id, {
          events: [{ type: 'user.message', content: [{ type: 'text', text }] }],
        });

      model.push([{ content: [{ type: 'text', text: 'first answer' }], usage: TURN_USAGE }]);
      await say('first');
      assert.equal(stopReason(await stream.until(isIdle)), 'end_turn');
      const requestsAfterFirst = model.requests().length;

      // $0.075 spent of a 5-cent budget: the next turn stops before calling the model.
      model.push([{ content: [{ type: 'text', text: 'second answer' }], usage: TURN_USAGE }]);
      await say('second');
      const stopped = await stream.until(isIdle);
      assert.equal(stopReason(stopped), 'budget_reached');
      assert.ok(stopped.some((event) => event.type === 'session.usage'));
      assert.equal(model.requests().length, requestsAfterFirst, 'no model request past the budget');
      const halted = await client.beta.sessions.retrieve(session.id);
      assert.equal(halted.status, 'idle');
      assert.deepEqual(halted.usage.list_cost, { amount: '7', currency: 'USD' });

      // At or below the consumed 7.5 cents is rejected; no budget cannot be added later.
      await assert.rejects(
        client.beta.sessions.update(session.id, { budget: budget('7') }),
        (error) => error instanceof Anthropic.BadRequestError && error.errorCode === 'budget_not_raised',
      );
      const { session: unbudgeted } = await createBudgetedSession(undefined);
      await assert.rejects(
        client.beta.sessions.update(unbudgeted.id, { budget: budget('100') }),
        (error) => error instanceof Anthropic.BadRequestError && error.errorCode === 'budget_create_only',
      );

      const raised = await client.beta.sessions.update(session.id, { budget: budget('100') });
      assert.deepEqual(raised.budget, budget('100'));
      const resumed = await stream.until(isIdle);
      stream.close();
      assert.equal(stopReason(resumed), 'end_turn');
      const message = resumed.find((event) => event.type === 'agent.message') as unknown as {
        content: Array<{ text: string }>;
      };
      assert.equal(message.content[0]?.text, 'second answer');

      // The session's usage.list_cost is the fold of its log, and the cost report agrees.
      const final = await client.beta.sessions.retrieve(session.id);
      assert.equal(final.usage.input_tokens, 40_000);
      assert.equal(final.usage.output_tokens, 2_000);
      const events: SessionEvent[] = [];
      for await (const event of client.beta.sessions.events.list(session.id)) {
        events.push(event as unknown as SessionEvent);
      }
      const lastUsage = events.findLast((event) => event.type === 'session.usage');
      const upToSnapshot = events.slice(0, events.indexOf(lastUsage as SessionEvent));
      const folded = usageSnapshot(
        upToSnapshot,
        Date.parse(lastUsage?.processed_at ?? ''),
        DEFAULT_PRICES,
        MODEL,
      );
      assert.deepEqual(final.usage.list_cost, folded.list_cost);
      assert.deepEqual(final.usage.list_cost, { amount: '15', currency: 'USD' });
      const cost = (await (await get(`/v1/sessions/${session.id}/cost`)).json()) as {
        list_cost: unknown;
        tokens: { total_usd: string; models: Array<{ model: string; requests: number }> };
        runtime: { active_seconds: number };
        threads: Array<{ primary: boolean; usage: { input_tokens: number } }>;
      };
      assert.deepEqual(cost.list_cost, final.usage.list_cost);
      assert.equal(cost.tokens.total_usd, '0.15');
      assert.equal(cost.tokens.models[0]?.model, MODEL);
      assert.ok(cost.runtime.active_seconds > 0);
      assert.equal(cost.threads[0]?.primary, true);
      assert.equal(cost.threads[0]?.usage.input_tokens, 40_000);

      // The organization report carries the session's tokens, as JSON and as CSV.
      const window = `starting_at=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`;
      const json = (await (
        await get(`/v1/usage_report?${window}&group_by[]=agent&group_by[]=model`)
      ).json()) as { data: Array<Record<string, unknown>> };
      const row = json.data.find((entry) => entry['agent_id'] === agent.id);
      assert.equal(row?.['model'], MODEL);
      assert.equal(row?.['input_tokens'], 40_000);
      assert.equal(row?.['output_tokens'], 2_000);
      assert.equal(row?.['token_cost_usd'], '0.15');
      const csv = await get(`/v1/usage_report?${window}&group_by[]=day&group_by[]=agent&format=csv`);
      assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
      const lines = (await csv.text()).trim().split('\r\n');
      assert.match(lines[0] ?? '', /^day,agent_id,agent_name,requests,input_tokens,output_tokens,/);
      const line = lines.find((entry) => entry.includes(agent.id));
      assert.match(line ?? '', /,2,40000,2000,/);
    });

    it('rejects a budget on a model without a list price', async () => {
      await assert.rejects(
        createBudgetedSession('100', 'llama3.2'),
        (error) => error instanceof Anthropic.BadRequestError && error.errorCode === 'model_not_budgetable',
      );
      const { session } = await createBudgetedSession(undefined, 'llama3.2');
      assert.equal(session.usage.list_cost ?? null, null);
    });
  });
}
