import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { toFile } from '@anthropic-ai/sdk';
import { GRADER_MARKER } from '../../src/core/outcomes/grader-request.js';
import { DIALECTS } from '../support/databases.js';
import {
  createSession,
  type HarnessFixture,
  isIdle,
  type StreamEvent,
  startHarnessFixture,
} from '../support/harness-fixture.js';
import {
  agentSays,
  assertSdkShape,
  defineAndWait,
  graderSays,
  outcomeTypes,
} from '../support/outcome-script.js';
import { requiredFields } from '../support/sdk-shapes.js';
import { TEST_ADMIN_KEY } from '../support/server.js';

/** The outcome loop with the scripted model, through the SDK, over both databases (docs/outcomes.md). */
type Session = Anthropic.Beta.Sessions.BetaManagedAgentsSession;

for (const dialect of DIALECTS) {
  describe(`outcomes: the grader loop (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      // Heartbeats on every part of the grader's stream: deterministic, no timer involved.
      // The grader runs on its own configured model (PADDOCK_OUTCOME_GRADER_MODEL).
      fixture = await startHarnessFixture(
        dialect,
        [],
        {},
        { outcomes: { heartbeatMs: 0, graderModel: 'claude-haiku-4-5' } },
      );
    });
    after(async () => fixture.close());

    it('needs_revision once, then satisfied: events, retrieve and usage match the SDK', async () => {
      const { client, model } = fixture;
      const { session } = await createSession(client);
      model.push([
        agentSays('TASK-LOOP', 'Draft one: roses are red.'),
        graderSays('needs_revision', 'FEEDBACK-LOOP: the poem must mention violets.'),
        agentSays('FEEDBACK-LOOP', 'Draft two: roses are red, violets are blue.'),
        graderSays('satisfied', 'Both flowers are there.'),
      ]);
      const events = await defineAndWait(client, session.id, {
        description: 'TASK-LOOP: write a two-line poem',
        rubric: { type: 'text', content: '- mentions roses\n- mentions violets' },
      });
      assert.deepEqual(outcomeTypes(events), [
        'user.define_outcome',
        'span.outcome_evaluation_start',
        'end:needs_revision',
        'span.outcome_evaluation_start',
        'end:satisfied',
      ]);
      const define = events.find((event) => event.type === 'user.define_outcome');
      const starts = events.filter((event) => event.type === 'span.outcome_evaluation_start');
      const ongoing = events.filter((event) => event.type === 'span.outcome_evaluation_ongoing');
      const ends = events.filter((event) => event.type === 'span.outcome_evaluation_end');
      assert.match(define?.outcome_id, /^outc_/);
      for (const event of starts) assertSdkShape(event, 'BetaManagedAgentsSpanOutcomeEvaluationStartEvent');
      for (const event of ongoing)
        assertSdkShape(event, 'BetaManagedAgentsSpanOutcomeEvaluationOngoingEvent');
      for (const event of ends) assertSdkShape(event, 'BetaManagedAgentsSpanOutcomeEvaluationEndEvent');
      assert.deepEqual(
        starts.map((event) => [event.outcome_id, event.iteration]),
        [
          [define?.outcome_id, 0],
          [define?.outcome_id, 1],
        ],
      );
      assert.deepEqual(
        ends.map((event) => [event.outcome_evaluation_start_id, event.iteration, event.result]),
        [
          [starts[0]?.id, 0, 'needs_revision'],
          [starts[1]?.id, 1, 'satisfied'],
        ],
      );
      assert.equal(ends[0]?.explanation, 'FEEDBACK-LOOP: the poem must mention violets.');
      assert.deepEqual(ends[1]?.usage, {
        input_tokens: 1000,
        output_tokens: 7,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
      });
      // Heartbeats sit inside their evaluation and name it.
      assert.ok(ongoing.length >= 2, 'a heartbeat per evaluation at least');
      for (const beat of ongoing) {
        const at = events.indexOf(beat);
        const start = starts.filter((event) => events.indexOf(event) < at).at(-1);
        assert.equal(beat.iteration, start?.iteration);
        assert.ok(events.findIndex((event) => event.outcome_evaluation_start_id === start?.id) > at);
      }
      // The revision turn ran without client input, then the session went idle once, at the end.
      const idles = events.filter(isIdle);
      assert.equal(idles.length, 1);
      assert.equal(idles[0]?.stop_reason.type, 'end_turn');
      assert.ok(events.indexOf(idles[0] as StreamEvent) > events.indexOf(ends[1] as StreamEvent));

      // The grader's own context: task, rubric and the agent's messages; never its history or tools.
      const bodies = model.requests().map((request) => JSON.stringify(request.body));
      const graderBodies = bodies.filter((body) => body.includes(GRADER_MARKER));
      assert.equal(graderBodies.length, 2);
      const firstGrader = JSON.parse(graderBodies[0] ?? '{}');
      assert.equal(firstGrader.messages.length, 1, 'one user message, no agent history');
      assert.equal(firstGrader.model, 'claude-haiku-4-5', 'the configured grader model');
      assert.equal(ends[1]?.model, 'claude-haiku-4-5', 'priced at the grader model');
      assert.match(graderBodies[0] ?? '', /Draft one: roses are red/);
      assert.match(graderBodies[0] ?? '', /mentions violets/);
      assert.doesNotMatch(graderBodies[0] ?? '', /<outcome id=/, 'not the agent conversation');
      assert.doesNotMatch(graderBodies[0] ?? '', /"name":"bash"/, 'not the agent tools');
      // The revision request carried the grader's feedback to the agent.
      assert.ok(bodies.some((body) => !body.includes(GRADER_MARKER) && body.includes('FEEDBACK-LOOP')));

      const retrieved: Session = await client.beta.sessions.retrieve(session.id);
      assert.equal(retrieved.outcome_evaluations.length, 1);
      const evaluation = retrieved.outcome_evaluations[0];
      assert.ok(evaluation);
      for (const field of requiredFields('BetaManagedAgentsOutcomeEvaluationResource') ?? [])
        assert.ok(field in evaluation, `outcome_evaluations[0] lacks ${field}`);
      assert.equal(evaluation.type, 'outcome_evaluation');
      assert.equal(evaluation.outcome_id, define?.outcome_id);
      assert.equal(evaluation.description, 'TASK-LOOP: write a two-line poem');
      assert.equal(evaluation.result, 'satisfied');
      assert.equal(evaluation.iteration, 1);
      assert.equal(evaluation.explanation, 'Both flowers are there.');
      assert.equal(evaluation.completed_at, ends[1]?.processed_at);

      // Operators count grader requests like any model request (the first haiku requests here).
      const scraped = await fetch(`${fixture.server.url}/metrics`, {
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
      });
      assert.match(
        await scraped.text(),
        /^paddock_model_requests_total\{[^}]*model="claude-haiku-4-5"[^}]*outcome="ok"[^}]*\} 2$/m,
      );

      // Grader tokens are metered like the agent's: 2 agent calls + 2 grader calls.
      assert.equal(retrieved.usage.input_tokens, 2 * 100 + 2 * 1000);
      assert.equal(retrieved.usage.output_tokens, 2 * 10 + 2 * 7);
    });

    it('a failing grader request is retried like any model request', async () => {
      const { client, model } = fixture;
      const { session } = await createSession(client);
      model.push([
        agentSays('TASK-RETRY', 'the work'),
        { match: GRADER_MARKER, error: { status: 529, message: 'Overloaded' } },
        graderSays('satisfied', 'fine after a retry'),
      ]);
      const events = await defineAndWait(client, session.id, {
        description: 'TASK-RETRY',
        rubric: { type: 'text', content: 'x' },
      });
      const start = events.findIndex((event) => event.type === 'span.outcome_evaluation_start');
      const error = events.findIndex((event) => event.type === 'session.error');
      const end = events.findIndex((event) => event.type === 'span.outcome_evaluation_end');
      assert.ok(start < error && error < end, 'the error sits inside the evaluation');
      assert.equal(events[error]?.error.type, 'model_overloaded_error');
      assert.equal(events[error]?.error.retry_status.type, 'retrying');
      assert.equal(events.filter((event) => event.type === 'span.outcome_evaluation_start').length, 1);
      assert.equal(events[end]?.result, 'satisfied');
      assert.equal(events.at(-1)?.stop_reason.type, 'end_turn');
    });

    it('max_iterations_reached: no further evaluation, one final acknowledgment turn', async () => {
      const { client, model } = fixture;
      const { session } = await createSession(client);
      model.push([
        agentSays('TASK-MAX', 'attempt one'),
        graderSays('needs_revision', 'FEEDBACK-MAX-1 still wrong'),
        agentSays('FEEDBACK-MAX-1', 'attempt two'),
        graderSays('needs_revision', 'FEEDBACK-MAX-2 still wrong'),
        agentSays('FEEDBACK-MAX-2', 'ACK-MAX: here is where the work stands'),
      ]);
      const events = await defineAndWait(client, session.id, {
        description: 'TASK-MAX: something hard',
        rubric: { type: 'text', content: 'impossible' },
        max_iterations: 2,
      });
      assert.deepEqual(outcomeTypes(events), [
        'user.define_outcome',
        'span.outcome_evaluation_start',
        'end:needs_revision',
        'span.outcome_evaluation_start',
        'end:max_iterations_reached',
      ]);
      const last = events.filter((event) => event.type === 'span.outcome_evaluation_end').at(-1);
      assert.equal(last?.iteration, 1);
      assert.equal(last?.explanation, 'FEEDBACK-MAX-2 still wrong');
      const afterLast = events.slice(events.indexOf(last as StreamEvent));
      assert.ok(
        afterLast.some(
          (event) => event.type === 'agent.message' && event.content[0]?.text.includes('ACK-MAX'),
        ),
        'the final acknowledgment turn ran',
      );
      assert.equal(events.filter(isIdle).length, 1);
      const retrieved: Session = await client.beta.sessions.retrieve(session.id);
      assert.equal(retrieved.outcome_evaluations[0]?.result, 'max_iterations_reached');
      assert.equal(retrieved.outcome_evaluations[0]?.iteration, 1);
      assert.ok(retrieved.outcome_evaluations[0]?.completed_at);
    });

    it('failed: the session goes idle without another agent turn; a file rubric is read', async () => {
      const { client, model } = fixture;
      const { session } = await createSession(client);
      const rubric = await client.beta.files.upload({
        file: await toFile(Buffer.from('RUBRIC-FILE: must be a spreadsheet'), 'rubric.md', {
          type: 'text/markdown',
        }),
      });
      model.push([
        agentSays('TASK-FAIL', 'a poem instead'),
        graderSays('failed', 'The rubric asks for a spreadsheet; the task is a poem.'),
      ]);
      const before = model.requests().length;
      const events = await defineAndWait(client, session.id, {
        description: 'TASK-FAIL: write a poem',
        rubric: { type: 'file', file_id: rubric.id },
      });
      assert.deepEqual(outcomeTypes(events), [
        'user.define_outcome',
        'span.outcome_evaluation_start',
        'end:failed',
      ]);
      assert.equal(model.requests().length - before, 2, 'one agent call and one grader call');
      const grader = model.requests().at(-1);
      assert.match(JSON.stringify(grader?.body), /RUBRIC-FILE: must be a spreadsheet/);
      const retrieved: Session = await client.beta.sessions.retrieve(session.id);
      assert.equal(retrieved.outcome_evaluations[0]?.result, 'failed');
      assert.equal(retrieved.status, 'idle');
    });
  });
}
