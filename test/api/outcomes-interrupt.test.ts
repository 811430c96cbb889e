import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { APIError } from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import {
  createSession,
  type HarnessFixture,
  isIdle,
  openEventReader,
  type StreamEvent,
  startHarnessFixture,
} from '../support/harness-fixture.js';
import { agentSays, assertSdkShape, graderSays } from '../support/outcome-script.js';

/** Outcomes: interrupts, budgets, and the requests the API refuses (SDK, both databases). */
for (const dialect of DIALECTS) {
  describe(`outcomes: interrupts, budgets and refusals (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect, [], {}, { outcomes: { heartbeatMs: 0 } });
    });
    after(async () => fixture.close());

    it('an interrupt during grading ends the outcome as interrupted', async () => {
      const { client, model } = fixture;
      const { session } = await createSession(client);
      // The grader streams slowly, so the interrupt lands while it runs whatever the machine's load.
      model.push([
        agentSays('TASK-INT', 'done quickly'),
        graderSays('satisfied', 'never delivered', { delay_ms: 5_000 }),
      ]);
      const reader = await openEventReader(client, session.id);
      try {
        await client.beta.sessions.events.send(session.id, {
          events: [
            {
              type: 'user.define_outcome',
              description: 'TASK-INT: anything',
              rubric: { type: 'text', content: 'x' },
            },
          ],
        });
        const seen = await reader.until((event) => event.type === 'span.outcome_evaluation_start', 60_000);
        const start = seen.at(-1);
        await client.beta.sessions.events.send(session.id, { events: [{ type: 'user.interrupt' }] });
        const rest = await reader.until(isIdle, 60_000);
        const end = rest.find((event) => event.type === 'span.outcome_evaluation_end');
        assert.equal(end?.result, 'interrupted');
        assert.equal(end?.outcome_evaluation_start_id, start?.id);
        assert.equal(end?.iteration, 0);
        assertSdkShape(end as StreamEvent, 'BetaManagedAgentsSpanOutcomeEvaluationEndEvent');
        assert.equal(rest.at(-1)?.stop_reason.type, 'end_turn');
      } finally {
        reader.close();
      }
      const retrieved = await client.beta.sessions.retrieve(session.id);
      assert.equal(retrieved.outcome_evaluations[0]?.result, 'interrupted');
      // Nothing resumes the interrupted evaluation: a later listing has exactly one end.
      const listed = await client.beta.sessions.events.list(session.id, { limit: 100 });
      assert.equal(listed.data.filter((event) => event.type === 'span.outcome_evaluation_end').length, 1);
    });

    it('an interrupt while the agent works ends the outcome as interrupted, before any evaluation', async () => {
      const { client, model } = fixture;
      const { session } = await createSession(client);
      model.push([{ ...agentSays('TASK-WORK', 'slow '.repeat(50)), delay_ms: 5_000 }]);
      const reader = await openEventReader(client, session.id);
      try {
        await client.beta.sessions.events.send(session.id, {
          events: [
            { type: 'user.define_outcome', description: 'TASK-WORK', rubric: { type: 'text', content: 'x' } },
          ],
        });
        await reader.until((event) => event.type === 'span.model_request_start', 60_000);
        await client.beta.sessions.events.send(session.id, { events: [{ type: 'user.interrupt' }] });
        const rest = await reader.until(isIdle, 60_000);
        assert.ok(!rest.some((event) => event.type === 'span.outcome_evaluation_start'), 'no evaluation');
        const end = rest.find((event) => event.type === 'span.outcome_evaluation_end');
        assert.equal(end?.result, 'interrupted');
        assert.equal(end?.outcome_evaluation_start_id, '', 'no evaluation had started');
        assert.equal(end?.iteration, 0);
      } finally {
        reader.close();
      }
      const retrieved = await client.beta.sessions.retrieve(session.id);
      assert.equal(retrieved.outcome_evaluations[0]?.result, 'interrupted');
      assert.ok(retrieved.outcome_evaluations[0]?.completed_at);
    });

    it('the budget holds the grader back (budget_reached); a raised budget resumes the grading', async () => {
      const { client, model } = fixture;
      const { agent, environment } = await createSession(client);
      const budget = (amount: string) => ({
        type: 'limit' as const,
        max_list_cost: { amount, currency: 'USD' as const },
      });
      const session = await client.beta.sessions.create({
        agent: agent.id,
        environment_id: environment.id,
        budget: budget('5'),
      });
      // Sonnet 4.6 at $3/$15 per M: 20K in + 1K out = 7.5 cents, past the 5-cent budget.
      model.push([
        { ...agentSays('TASK-BUDGET', 'costly work'), usage: { input_tokens: 20_000, output_tokens: 1_000 } },
        graderSays('satisfied', 'worth it'),
      ]);
      const reader = await openEventReader(client, session.id);
      try {
        await client.beta.sessions.events.send(session.id, {
          events: [
            {
              type: 'user.define_outcome',
              description: 'TASK-BUDGET',
              rubric: { type: 'text', content: 'x' },
            },
          ],
        });
        const held = await reader.until(isIdle, 60_000);
        assert.equal(held.at(-1)?.stop_reason.type, 'budget_reached');
        assert.ok(!held.some((event) => event.type === 'span.outcome_evaluation_start'), 'no grader call');
        const halted = await client.beta.sessions.retrieve(session.id);
        assert.equal(halted.outcome_evaluations[0]?.result, 'running');

        await client.beta.sessions.update(session.id, { budget: budget('100') });
        const resumed = await reader.until(isIdle, 60_000);
        assert.deepEqual(
          resumed
            .filter(
              (event) => event.type.startsWith('span.outcome') || event.type === 'session.status_running',
            )
            .map((event) =>
              event.type === 'span.outcome_evaluation_end' ? `end:${event.result}` : event.type,
            )
            .filter((type) => type !== 'span.outcome_evaluation_ongoing'),
          ['session.status_running', 'span.outcome_evaluation_start', 'end:satisfied'],
        );
        assert.equal(resumed.at(-1)?.stop_reason.type, 'end_turn');
      } finally {
        reader.close();
      }
      assert.equal(
        (await client.beta.sessions.retrieve(session.id)).outcome_evaluations[0]?.result,
        'satisfied',
      );
    });

    it('refuses a second outcome while one is in progress, and a missing rubric file, naming the field', async () => {
      const { client, model } = fixture;
      const { session } = await createSession(client);
      await assert.rejects(
        client.beta.sessions.events.send(session.id, {
          events: [
            {
              type: 'user.define_outcome',
              description: 'd',
              rubric: { type: 'file', file_id: 'file_missing' },
            },
          ],
        }),
        (error: APIError) => error.status === 400 && /events\[0\]\.rubric\.file_id/.test(error.message),
      );
      await assert.rejects(
        client.beta.sessions.events.send(session.id, {
          events: [
            {
              type: 'user.define_outcome',
              description: 'd',
              rubric: { type: 'text', content: 'r'.repeat(262_145) },
            },
          ],
        }),
        (error: APIError) => error.status === 400 && /rubric\.content/.test(error.message),
      );
      const { agent, environment } = await createSession(client);
      await assert.rejects(
        client.beta.sessions.create({
          agent: agent.id,
          environment_id: environment.id,
          initial_events: [
            { type: 'user.define_outcome', description: 'a', rubric: { type: 'text', content: 'x' } },
            { type: 'user.define_outcome', description: 'b', rubric: { type: 'text', content: 'y' } },
          ],
        }),
        (error: APIError) =>
          error.status === 400 &&
          /initial_events\[1\]: an outcome is already in progress/.test(error.message),
      );
      model.push([agentSays('TASK-TWO', 'working'), graderSays('satisfied', 'ok', { delay_ms: 5_000 })]);
      const reader = await openEventReader(client, session.id);
      try {
        await client.beta.sessions.events.send(session.id, {
          events: [
            { type: 'user.define_outcome', description: 'TASK-TWO', rubric: { type: 'text', content: 'x' } },
          ],
        });
        await reader.until((event) => event.type === 'user.define_outcome', 60_000);
        await assert.rejects(
          client.beta.sessions.events.send(session.id, {
            events: [
              { type: 'user.define_outcome', description: 'another', rubric: { type: 'text', content: 'y' } },
            ],
          }),
          (error: APIError) =>
            error.status === 400 && /events\[0\]: an outcome is already in progress/.test(error.message),
        );
        // The slow grader is not waited for: an interrupt ends the outcome and the turn.
        await client.beta.sessions.events.send(session.id, { events: [{ type: 'user.interrupt' }] });
        await reader.until(isIdle, 60_000);
      } finally {
        reader.close();
      }
    });
  });
}
