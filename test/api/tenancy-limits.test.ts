import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import {
  type HarnessFixture,
  isIdle,
  openEventReader,
  startHarnessFixture,
} from '../support/harness-fixture.js';
import { waitFor } from '../support/self-hosted.js';

const MODEL = 'claude-sonnet-4-6';
// The metering test's price table: Sonnet 4.6 at $3/$15 per M, so 20K in + 1K out = $0.075 a turn.
const TURN_USAGE = { input_tokens: 20_000, output_tokens: 1_000 };
const stopReason = (events: Array<{ type: string; [key: string]: unknown }>) =>
  (events.at(-1) as { stop_reason?: { type: string } }).stop_reason?.type;

for (const dialect of DIALECTS) {
  describe(`per-workspace limits (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect);
    });
    after(async () => fixture?.close());

    /** A workspace with these limits, a key for it, and clients that retry (or not). */
    async function workspaceWith(limits: Record<string, number>) {
      const admin = fixture.client;
      const workspace = await admin.beta.organization.workspaces.create({
        name: `limited-${Math.random().toString(36).slice(2, 8)}`,
        paddock_limits: limits,
      } as Anthropic.Beta.Organization.WorkspaceCreateParams);
      const issued = await admin.post<{ key: string }>('/v1/organizations/api_keys', {
        body: { name: 'limited', workspace_id: workspace.id },
      });
      const responses: number[] = [];
      const counting: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        responses.push(response.status);
        return response;
      };
      const client = (maxRetries: number) =>
        new Anthropic({ baseURL: fixture.server.url, apiKey: issued.key, maxRetries, fetch: counting });
      return { workspace, client, responses };
    }

    async function sessionIn(client: Anthropic) {
      const agent = await client.beta.agents.create({ name: 'limited agent', model: MODEL });
      const environment = await client.beta.environments.create({
        name: `env-${Math.random().toString(36).slice(2)}`,
      });
      return client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
    }

    it('requests per minute: 429 rate_limit_error with retry-after, and the SDK retries through it', async () => {
      const { client, responses } = await workspaceWith({ requests_per_minute: 30 });
      const once = client(0);
      let refused: unknown;
      for (let index = 0; index < 40 && refused === undefined; index++) {
        await once.beta.agents.list().catch((error: unknown) => {
          refused = error;
        });
      }
      assert.ok(refused instanceof Anthropic.RateLimitError, `expected a 429, got ${String(refused)}`);
      // A minute's allowance comes as a burst (plus what refilled while the loop ran).
      assert.ok(responses.filter((status) => status === 200).length >= 30, 'a full minute of burst');
      assert.equal((refused.error as { error?: { type?: string } }).error?.type, 'rate_limit_error');
      // At 30 a minute one request refills every 2 s: the wait is what is left of that, rounded up.
      const retryAfter = Number(refused.headers?.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 2, `retry-after ${retryAfter}`);
      // The SDK's own retry honours retry-after and gets through.
      const before429s = responses.filter((status) => status === 429).length;
      const page = await client(5).beta.agents.list();
      assert.ok(Array.isArray(page.data));
      assert.ok(responses.filter((status) => status === 429).length >= before429s);
    });

    it('concurrent running sessions: a turn beyond the limit waits with 429 until one is idle', async () => {
      const { client } = await workspaceWith({ max_running_sessions: 1 });
      const sdk = client(0);
      const first = await sessionIn(sdk);
      const second = await sessionIn(sdk);
      const slow = Array.from({ length: 30 }, (_, index) => `word${index}`).join(' ');
      fixture.model.push([{ content: [{ type: 'text', text: slow }], delay_ms: 100 }]);
      const firstStream = await openEventReader(sdk, first.id);
      await sdk.beta.sessions.events.send(first.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'slow' }] }],
      });
      await waitFor(async () =>
        (await sdk.beta.sessions.retrieve(first.id)).status === 'running' ? true : undefined,
      );
      const say = (target: Anthropic) =>
        target.beta.sessions.events.send(second.id, {
          events: [{ type: 'user.message', content: [{ type: 'text', text: 'second' }] }],
        });
      const refused = await say(sdk).catch((error: unknown) => error);
      assert.ok(refused instanceof Anthropic.RateLimitError, `expected a 429, got ${String(refused)}`);
      assert.equal(refused.headers?.get('retry-after'), '5');
      // With retries the SDK waits out the running turn and gets in.
      fixture.model.push([{ content: [{ type: 'text', text: 'second answer' }] }]);
      const secondStream = await openEventReader(sdk, second.id);
      await say(client(20));
      assert.equal(stopReason(await firstStream.until(isIdle)), 'end_turn');
      assert.equal(stopReason(await secondStream.until(isIdle)), 'end_turn');
    });

    it('monthly spend limit: new turns stop with budget_reached; a raised limit lets them run', async () => {
      const { workspace, client } = await workspaceWith({ monthly_spend_limit_usd: 0.05 });
      const sdk = client(0);
      const session = await sessionIn(sdk);
      const stream = await openEventReader(sdk, session.id);
      const say = (text: string) =>
        sdk.beta.sessions.events.send(session.id, {
          events: [{ type: 'user.message', content: [{ type: 'text', text }] }],
        });
      fixture.model.push([{ content: [{ type: 'text', text: 'first answer' }], usage: TURN_USAGE }]);
      await say('first');
      assert.equal(stopReason(await stream.until(isIdle)), 'end_turn');
      const requestsAfterFirst = fixture.model.requests().length;
      // $0.075 spent of a $0.05 month: the next turn stops before calling the model.
      fixture.model.push([{ content: [{ type: 'text', text: 'second answer' }], usage: TURN_USAGE }]);
      await say('second');
      assert.equal(stopReason(await stream.until(isIdle)), 'budget_reached');
      assert.equal(fixture.model.requests().length, requestsAfterFirst, 'no model request past the limit');
      // The operator raises the limit; the next input runs.
      await fixture.client.beta.organization.workspaces.update(workspace.id, {
        paddock_limits: { monthly_spend_limit_usd: 1 },
      } as Anthropic.Beta.Organization.WorkspaceUpdateParams);
      await say('third');
      assert.equal(stopReason(await stream.until(isIdle)), 'end_turn');
      // The usage report, filtered to the workspace by the SDK's workspace header, shows the spend.
      const report = await fixture.client.get<{ total: { total_cost_usd: string } }>('/v1/usage_report', {
        query: { starting_at: '2020-01-01T00:00:00Z' },
        headers: { 'anthropic-workspace-id': workspace.id },
      });
      assert.ok(Number(report.total.total_cost_usd) >= 0.075, JSON.stringify(report.total));
    });
  });
}
