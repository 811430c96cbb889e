import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import type { WebSearchConfig } from '../../src/config/config.js';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import { DIALECTS, type Dialect } from '../support/databases.js';
import { isIdle, openEventReader, type StreamEvent } from '../support/harness-fixture.js';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.js';
import {
  BRAVE_TEST_KEY,
  type FakeSearchServer,
  startFakeBrave,
  startFakeSearxng,
} from './fake-search-servers.js';

interface Rig {
  model: ScriptedModelServer;
  server: TestServer;
  client: Anthropic;
  close(): Promise<void>;
}

/** A real Paddock (SDK client, scripted model upstream) whose web_search goes to a fake backend. */
async function startRig(dialect: Dialect, webSearch: WebSearchConfig): Promise<Rig> {
  const model = await startScriptedModelServer();
  const server = await startTestServer(dialect, {
    anthropic: { baseUrl: model.url, apiKey: 'test-upstream-key' },
    webSearch,
  });
  return {
    model,
    server,
    client: server.client,
    async close() {
      await server.close();
      await model.close();
    },
  };
}

/** Creates an agent whose web_search config is given, runs one search turn, and returns its events. */
async function searchTurn(rig: Rig, config: Record<string, unknown>, query: string) {
  const { client, model } = rig;
  const agent = await client.beta.agents.create({
    name: `Searcher ${Math.random()}`,
    model: 'claude-sonnet-4-6',
    tools: [
      {
        type: 'agent_toolset_20260401',
        configs: [{ name: 'web_search', ...config } as { name: 'web_search' }],
      },
    ],
  });
  const environment = await client.beta.environments.create({
    name: `env-${Math.random().toString(36).slice(2)}`,
    config: { type: 'cloud', networking: { type: 'unrestricted' } },
  });
  const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
  model.push([
    { content: [{ type: 'tool_use', name: 'web_search', input: { query } }] },
    { content: [{ type: 'text', text: 'Here is what I found.' }] },
  ]);
  const stream = await openEventReader(client, session.id);
  await client.beta.sessions.events.send(session.id, {
    events: [{ type: 'user.message', content: [{ type: 'text', text: `search for ${query}` }] }],
  });
  const events = await stream.until(isIdle);
  stream.close();
  const result = events.find((event) => event.type === 'agent.tool_result') as StreamEvent;
  return { agent, session, events, result, text: String(result?.['content']?.[0]?.text ?? '') };
}

const searches = async (client: Anthropic, sessionId: string) =>
  (
    (await client.beta.sessions.retrieve(sessionId)).usage as {
      server_tool_use?: { web_search_requests?: number };
    }
  ).server_tool_use?.web_search_requests;

for (const dialect of DIALECTS) {
  describe(`web_search through the harness with a SearXNG backend (${dialect})`, () => {
    let searxng: FakeSearchServer;
    let rig: Rig;
    before(async () => {
      searxng = await startFakeSearxng();
      rig = await startRig(dialect, { backend: 'searxng', url: searxng.url });
    });
    after(async () => {
      await rig.close();
      await searxng.close();
    });

    it('returns the backend results in agent.tool_result, filtered by allowed_domains, and meters one search', async () => {
      const { session, result, text, events } = await searchTurn(
        rig,
        { allowed_domains: ['example.com'], user_location: { type: 'approximate', country: 'DE' } },
        'paddock',
      );
      assert.equal(result['is_error'], false);
      assert.match(
        text,
        /^1\. Paddock & friends\n {3}https:\/\/example\.com\/paddock\n {3}A self-hostable Managed Agents server\./,
      );
      assert.match(text, /https:\/\/docs\.example\.com\/start/);
      assert.doesNotMatch(text, /notexample\.com|other\.org/);
      assert.match(text, /2 result\(s\) outside this agent's allowed\/blocked domains/);
      // The backend got the query with the agent's domain as a site: term.
      assert.equal(searxng.requests.at(-1)?.query.get('q'), 'paddock site:example.com');
      // The model's next request carried the results back.
      const next = JSON.stringify(rig.model.requests().at(-1)?.body);
      assert.match(next, /docs\.example\.com\/start/);
      assert.equal((events.at(-1) as { stop_reason?: { type: string } }).stop_reason?.type, 'end_turn');
      assert.equal(await searches(rig.client, session.id), 1);
      const cost = (await (
        await fetch(`${rig.server.url}/v1/sessions/${session.id}/cost`, {
          headers: { 'x-api-key': TEST_ADMIN_KEY },
        })
      ).json()) as { web_search: { requests: number; amount_usd: string } };
      assert.deepEqual([cost.web_search.requests, cost.web_search.amount_usd], [1, '0.01']);
    });

    it('a failing backend is an error result the model sees, the turn goes on, and nothing is metered', async () => {
      searxng.reply({ status: 502, body: 'Bad Gateway' });
      const { session, result, text, events } = await searchTurn(rig, {}, 'outage');
      assert.equal(result['is_error'], true);
      assert.equal(text, 'web_search failed: SearXNG answered HTTP 502: Bad Gateway');
      assert.equal((events.at(-1) as { stop_reason?: { type: string } }).stop_reason?.type, 'end_turn');
      assert.equal(await searches(rig.client, session.id), 0);
      const window = encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString());
      const report = (await (
        await fetch(`${rig.server.url}/v1/usage_report?starting_at=${window}&group_by[]=agent`, {
          headers: { 'x-api-key': TEST_ADMIN_KEY },
        })
      ).json()) as { data: Array<{ agent_id: string; web_search_requests: number }> };
      const session1 = await rig.client.beta.sessions.retrieve(session.id);
      const row = report.data.find((entry) => entry.agent_id === session1.agent.id);
      assert.equal(row?.web_search_requests, 0);
    });
  });
}

describe('web_search through the harness with a Brave backend', () => {
  let brave: FakeSearchServer;
  let rig: Rig;
  before(async () => {
    brave = await startFakeBrave();
    rig = await startRig('sqlite', { backend: 'brave', apiKey: BRAVE_TEST_KEY, baseUrl: brave.url });
  });
  after(async () => {
    await rig.close();
    await brave.close();
  });

  it('blocked_domains and user_location reach Brave; the key reaches Brave only, never an event', async () => {
    const { session, result, text } = await searchTurn(
      rig,
      {
        blocked_domains: ['notexample.com', 'other.org'],
        user_location: { type: 'approximate', country: 'GB' },
      },
      'paddock',
    );
    assert.equal(result['is_error'], false);
    assert.match(text, /A self-hostable Managed Agents server\./);
    assert.doesNotMatch(text, /notexample\.com|other\.org|<strong>/);
    const sent = brave.requests.at(-1);
    assert.equal(sent?.headers['x-subscription-token'], BRAVE_TEST_KEY);
    assert.equal(sent?.query.get('country'), 'GB');
    assert.equal(sent?.query.get('q'), 'paddock -site:notexample.com -site:other.org');
    const logged: unknown[] = [];
    for await (const event of rig.client.beta.sessions.events.list(session.id)) logged.push(event);
    assert.ok(!JSON.stringify(logged).includes(BRAVE_TEST_KEY));
    assert.ok(!JSON.stringify(rig.model.requests()).includes(BRAVE_TEST_KEY));
  });
});
