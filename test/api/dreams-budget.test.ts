import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import {
  createScriptedProvider,
  type ScriptedProvider,
} from '../../src/providers/scripted/scripted-provider.js';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

for (const dialect of DIALECTS) {
  describe(`dreams count toward the workspace's monthly spend (${dialect})`, () => {
    let server: TestServer;
    let model: ScriptedProvider;
    before(async () => {
      model = createScriptedProvider();
      server = await startTestServer(
        dialect,
        { modelRoutes: { '*': 'scripted' } },
        { providers: { scripted: model } },
      );
    });
    after(async () => server.close());

    it("a dream's priced tokens reach the limit: the next dream fails with budget_reached before asking the model", async () => {
      const workspace = await server.client.beta.organization.workspaces.create({
        name: 'dream-budget',
        paddock_limits: { monthly_spend_limit_usd: 0.001 },
      } as Anthropic.Beta.Organization.WorkspaceCreateParams);
      const issued = await server.client.post<{ key: string }>('/v1/organizations/api_keys', {
        body: { name: 'dreamer', workspace_id: workspace.id },
      });
      const client = new Anthropic({ baseURL: server.url, apiKey: issued.key, maxRetries: 0 });
      const store = await client.beta.memoryStores.create({ name: 'budgeted' });
      const agent = await client.beta.agents.create({ name: 'a', model: 'claude-sonnet-4-6' });
      const environment = await client.beta.environments.create({ name: 'dream-budget' });
      const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
      const body = {
        inputs: [
          { type: 'memory_store' as const, memory_store_id: store.id },
          { type: 'sessions' as const, session_ids: [session.id] },
        ],
        model: 'claude-sonnet-4-6',
        instructions: 'budget-dream',
      };
      // $3 / $15 per million tokens: 1,200 in and 80 out cost $0.0048, over the $0.001 limit.
      model.push([
        {
          match: 'budget-dream',
          content: [
            {
              type: 'tool_use',
              name: 'write_memories',
              input: { memories: [{ path: '/a.md', content: 'a' }] },
            },
          ],
          usage: { input_tokens: 1200, output_tokens: 80 },
        },
      ]);
      const settle = async (id: string) => {
        const deadline = Date.now() + 60_000;
        for (;;) {
          const dream = await client.beta.dreams.retrieve(id);
          if (dream.status !== 'pending' && dream.status !== 'running') return dream;
          if (Date.now() > deadline) throw new Error(`dream ${id} still ${dream.status}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      const first = await settle((await client.beta.dreams.create(body)).id);
      assert.equal(first.status, 'completed', JSON.stringify(first.error));
      const asked = model.requests().length;
      const second = await settle((await client.beta.dreams.create(body)).id);
      assert.equal(second.status, 'failed');
      assert.equal(second.error?.type, 'budget_reached');
      assert.equal(model.requests().length, asked, 'the model was not asked');
      assert.deepEqual(second.outputs, []);
    });
  });
}
