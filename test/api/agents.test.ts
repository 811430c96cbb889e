import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

for (const dialect of DIALECTS) {
  describe(`agents over the SDK (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server.close());

    it('creates, retrieves and resolves defaults', async () => {
      const agent = await server.client.beta.agents.create({
        name: 'Code Reviewer',
        model: 'claude-sonnet-4-6',
        system: 'You are a senior code reviewer.',
        tools: [{ type: 'agent_toolset_20260401', configs: [{ name: 'web_fetch', enabled: false }] }],
      });
      assert.match(agent.id, /^agent_/);
      assert.equal(agent.type, 'agent');
      assert.equal(agent.version, 1);
      assert.deepEqual(agent.model, { id: 'claude-sonnet-4-6' });
      assert.deepEqual(agent.execution_identity, { type: 'service_account' });
      const toolset = agent.tools[0];
      assert.equal(toolset?.type, 'agent_toolset_20260401');
      if (toolset?.type !== 'agent_toolset_20260401') return;
      assert.deepEqual(toolset.default_config, {
        enabled: true,
        permission_policy: { type: 'always_allow' },
      });
      assert.equal(toolset.configs[0]?.enabled, false);
      assert.equal(toolset.configs[0]?.type, 'web_fetch');
      assert.ok(!Number.isNaN(Date.parse(agent.created_at)));
      const fetched = await server.client.beta.agents.retrieve(agent.id);
      assert.deepEqual(fetched, agent);
    });

    it('versions every change, pins old versions and checks the optimistic lock', async () => {
      const agent = await server.client.beta.agents.create({ name: 'A', model: 'claude-haiku-4-5' });
      const v2 = await server.client.beta.agents.update(agent.id, { system: 'be brief', version: 1 });
      assert.equal(v2.version, 2);
      const same = await server.client.beta.agents.update(agent.id, { system: 'be brief' });
      assert.equal(same.version, 2, 'a no-op update mints no version');
      const v1 = await server.client.beta.agents.retrieve(agent.id, { version: 1 });
      assert.equal(v1.system, null);
      const versions = [];
      for await (const version of server.client.beta.agents.versions.list(agent.id))
        versions.push(version.version);
      assert.deepEqual(versions, [2, 1]);
      await assert.rejects(
        server.client.beta.agents.update(agent.id, { system: 'x', version: 1 }),
        (error: unknown) => error instanceof Anthropic.ConflictError,
      );
    });

    it('accepts the guide roster form and stores the canonical multiagent roster', async () => {
      const reviewer = await server.client.beta.agents.create({
        name: 'Code Reviewer',
        model: 'claude-sonnet-4-6',
      });
      const tester = await server.client.beta.agents.create({
        name: 'Test Writer',
        model: 'claude-sonnet-4-6',
      });
      const lead = await server.client.beta.agents.create({
        name: 'Tech Lead',
        model: 'claude-opus-4-6',
        tools: [{ type: 'agent_toolset_20260401' }],
        // @ts-expect-error the guide's form, not in the SDK types
        agents: [
          { agent_id: reviewer.id, name: 'Code Reviewer' },
          { agent_id: tester.id, name: 'Test Writer' },
        ],
      });
      assert.deepEqual(lead.multiagent, {
        type: 'coordinator',
        agents: [
          { type: 'agent', id: reviewer.id, version: 1 },
          { type: 'agent', id: tester.id, version: 1 },
        ],
      });
      await assert.rejects(
        server.client.beta.agents.create({
          name: 'Nested',
          model: 'claude-opus-4-6',
          multiagent: { type: 'coordinator', agents: [lead.id] },
        }),
        /one level deep/,
      );
    });

    it('names the offending field in 400s', async () => {
      await assert.rejects(
        server.client.beta.agents.create({ name: 'x', model: 'm', tools: [{ type: 'bogus' }] } as never),
        (error: unknown) =>
          error instanceof Anthropic.BadRequestError &&
          /tools\[0\]/.test(error.message) &&
          error.type === 'invalid_request_error',
      );
      await assert.rejects(
        server.client.beta.agents.create({ model: 'm' } as never),
        (error: unknown) => error instanceof Anthropic.BadRequestError && /name/.test(error.message),
      );
      await assert.rejects(
        server.client.beta.agents.retrieve('agent_missing'),
        (error: unknown) => error instanceof Anthropic.NotFoundError,
      );
    });

    it('lists through more than two pages and hides archived agents', async () => {
      const created = [];
      for (let i = 0; i < 7; i++)
        created.push(await server.client.beta.agents.create({ name: `p${i}`, model: 'm' }));
      await server.client.beta.agents.archive(created[0]!.id);
      const seen = new Set<string>();
      let pages = 0;
      for await (const page of (await server.client.beta.agents.list({ limit: 2 })).iterPages()) {
        pages += 1;
        for (const agent of page.data) seen.add(agent.id);
      }
      assert.ok(pages > 2);
      assert.ok(!seen.has(created[0]!.id));
      assert.ok(seen.has(created[6]!.id));
      const withArchived = [];
      for await (const agent of server.client.beta.agents.list({ include_archived: true, limit: 100 }))
        withArchived.push(agent.id);
      assert.ok(withArchived.includes(created[0]!.id));
    });

    it('rejects a bad API key with 401', async () => {
      const bad = new Anthropic({ baseURL: server.url, apiKey: 'wrong', maxRetries: 0 });
      await assert.rejects(
        bad.beta.agents.list(),
        (error: unknown) => error instanceof Anthropic.AuthenticationError,
      );
    });
  });
}
