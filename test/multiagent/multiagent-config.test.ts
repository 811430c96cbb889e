import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** A 400 whose message names `field`. */
const badField = (field: string) => (error: unknown) =>
  error instanceof Anthropic.BadRequestError &&
  error.message.includes(field) &&
  error.type === 'invalid_request_error';

for (const dialect of DIALECTS) {
  describe(`multiagent_20261001 configuration (${dialect})`, () => {
    let server: TestServer;
    let client: Anthropic;
    before(async () => {
      server = await startTestServer(dialect);
      client = server.client;
    });
    after(async () => server.close());

    it('fills defaults on create and resolves predefined agents to versions', async () => {
      const helper = await client.beta.agents.create({ name: 'Helper', model: 'claude-haiku-4-5' });
      const bare = await client.beta.agents.create({
        name: 'Bare',
        model: 'claude-sonnet-4-6',
        multiagent: { type: 'multiagent_20261001' },
      });
      assert.deepEqual(bare.multiagent, {
        type: 'multiagent_20261001',
        advisor: { type: 'disabled' },
        subagents: { type: 'enabled', inline_agents: { type: 'enabled' }, predefined_agents: [] },
        workflows: { type: 'enabled', inline_agents: { type: 'enabled' }, predefined_agents: [] },
      });
      const lead = await client.beta.agents.create({
        name: 'Lead',
        model: 'claude-sonnet-4-6',
        multiagent: {
          type: 'multiagent_20261001',
          advisor: { type: 'enabled', model: 'claude-opus-4-6' },
          subagents: { type: 'enabled', predefined_agents: [helper.id, { type: 'self' }] },
          workflows: null,
        },
      });
      assert.deepEqual(lead.multiagent, {
        type: 'multiagent_20261001',
        advisor: { type: 'enabled', model: 'claude-opus-4-6' },
        subagents: {
          type: 'enabled',
          inline_agents: { type: 'enabled' },
          predefined_agents: [
            { type: 'agent', id: helper.id, version: 1 },
            { type: 'agent', id: lead.id, version: 1 },
          ],
        },
        workflows: { type: 'enabled', inline_agents: { type: 'enabled' }, predefined_agents: [] },
      });
      // A no-op update mints no version, even with a self reference pinned to the current one.
      const same = await client.beta.agents.update(lead.id, { version: 1, system: null });
      assert.equal(same.version, 1);

      // The session copies it with full agent definitions (BetaManagedAgentsSessionMultiagent20261001).
      const environment = await client.beta.environments.create({ name: `cfg-${dialect}` });
      const session = await client.beta.sessions.create({ agent: lead.id, environment_id: environment.id });
      const copied = session.agent.multiagent;
      assert.equal(copied?.type, 'multiagent_20261001');
      if (copied?.type !== 'multiagent_20261001') return;
      assert.deepEqual(copied.advisor, { type: 'enabled', model: 'claude-opus-4-6' });
      assert.equal(copied.subagents.type, 'enabled');
      if (copied.subagents.type !== 'enabled') return;
      assert.deepEqual(
        copied.subagents.predefined_agents.map((agent) => [agent.id, agent.name, agent.model.id]),
        [
          [helper.id, 'Helper', 'claude-haiku-4-5'],
          [lead.id, 'Lead', 'claude-sonnet-4-6'],
        ],
      );
    });

    it('merges an update level by level: omitted keeps, null defaults, a type change replaces', async () => {
      const a = await client.beta.agents.create({ name: 'A', model: 'claude-haiku-4-5' });
      const b = await client.beta.agents.create({ name: 'B', model: 'claude-haiku-4-5' });
      const agent = await client.beta.agents.create({
        name: 'Merger',
        model: 'claude-sonnet-4-6',
        multiagent: {
          type: 'multiagent_20261001',
          advisor: { type: 'enabled', model: 'claude-opus-4-6' },
          subagents: { type: 'enabled', predefined_agents: [a.id] },
          workflows: { type: 'disabled' },
        },
      });
      const refA = { type: 'agent', id: a.id, version: 1 };
      const refB = { type: 'agent', id: b.id, version: 1 };

      // Omitted members and keys keep their stored values.
      let updated = await client.beta.agents.update(agent.id, {
        version: agent.version,
        multiagent: {
          type: 'multiagent_20261001',
          subagents: { type: 'enabled', inline_agents: { type: 'disabled' } },
        },
      });
      assert.deepEqual(updated.multiagent, {
        type: 'multiagent_20261001',
        advisor: { type: 'enabled', model: 'claude-opus-4-6' },
        subagents: { type: 'enabled', inline_agents: { type: 'disabled' }, predefined_agents: [refA] },
        workflows: { type: 'disabled' },
      });
      // A sent predefined_agents list replaces the stored one; null takes the default (enabled).
      updated = await client.beta.agents.update(agent.id, {
        version: updated.version,
        multiagent: {
          type: 'multiagent_20261001',
          subagents: { type: 'enabled', predefined_agents: [b.id] },
          workflows: null,
        },
      });
      assert.deepEqual(updated.multiagent, {
        type: 'multiagent_20261001',
        advisor: { type: 'enabled', model: 'claude-opus-4-6' },
        subagents: { type: 'enabled', inline_agents: { type: 'disabled' }, predefined_agents: [refB] },
        workflows: { type: 'enabled', inline_agents: { type: 'enabled' }, predefined_agents: [] },
      });
      // A type change replaces the member; when it comes back, its omitted keys take their defaults.
      updated = await client.beta.agents.update(agent.id, {
        version: updated.version,
        multiagent: {
          type: 'multiagent_20261001',
          advisor: { type: 'disabled' },
          subagents: { type: 'disabled' },
        },
      });
      assert.deepEqual(updated.multiagent?.type === 'multiagent_20261001' && updated.multiagent.advisor, {
        type: 'disabled',
      });
      updated = await client.beta.agents.update(agent.id, {
        version: updated.version,
        multiagent: { type: 'multiagent_20261001', subagents: { type: 'enabled' }, advisor: null },
      });
      assert.deepEqual(updated.multiagent, {
        type: 'multiagent_20261001',
        advisor: { type: 'disabled' },
        subagents: { type: 'enabled', inline_agents: { type: 'enabled' }, predefined_agents: [] },
        workflows: { type: 'enabled', inline_agents: { type: 'enabled' }, predefined_agents: [] },
      });
      // A different top-level type replaces the whole object; null clears it.
      updated = await client.beta.agents.update(agent.id, {
        version: updated.version,
        multiagent: { type: 'coordinator', agents: [a.id] },
      });
      assert.deepEqual(updated.multiagent, { type: 'coordinator', agents: [refA] });
      updated = await client.beta.agents.update(agent.id, { version: updated.version, multiagent: null });
      assert.equal(updated.multiagent, null);
    });

    it('rejects invalid configurations with a 400 naming the field, also after a merge', async () => {
      const base = { name: 'Bad', model: 'claude-sonnet-4-6' } as const;
      await assert.rejects(
        client.beta.agents.create({
          ...base,
          multiagent: { type: 'multiagent_20261001', advisor: { type: 'enabled' } as never },
        }),
        badField('multiagent.advisor.model'),
      );
      await assert.rejects(
        client.beta.agents.create({
          ...base,
          multiagent: {
            type: 'multiagent_20261001',
            subagents: { type: 'enabled', inline_agents: { type: 'disabled' } },
          },
        }),
        badField('multiagent.subagents.predefined_agents'),
      );
      await assert.rejects(
        client.beta.agents.create({
          ...base,
          multiagent: {
            type: 'multiagent_20261001',
            workflows: {
              type: 'enabled',
              predefined_agents: Array.from({ length: 21 }, () => ({ type: 'self' as const })),
            },
          },
        }),
        badField('multiagent.workflows.predefined_agents'),
      );
      await assert.rejects(
        client.beta.agents.create({
          ...base,
          multiagent: {
            type: 'multiagent_20261001',
            subagents: { type: 'enabled', predefined_agents: ['agent_missing'] },
          },
        }),
        badField('multiagent.subagents.predefined_agents[0]'),
      );
      await assert.rejects(
        client.beta.agents.create({
          ...base,
          multiagent: { type: 'multiagent_20261001', subagents: { inline_agents: null } as never },
        }),
        badField('multiagent.subagents.type'),
      );
      const helper = await client.beta.agents.create({ name: 'Twice', model: 'claude-haiku-4-5' });
      await assert.rejects(
        client.beta.agents.create({
          ...base,
          multiagent: {
            type: 'multiagent_20261001',
            subagents: { type: 'enabled', predefined_agents: [helper.id, { type: 'agent', id: helper.id }] },
          },
        }),
        badField('multiagent.subagents.predefined_agents[1]'),
      );
      // Validation applies to the merged result: emptying the list while inline agents stay disabled.
      const agent = await client.beta.agents.create({
        ...base,
        multiagent: {
          type: 'multiagent_20261001',
          subagents: { type: 'enabled', inline_agents: { type: 'disabled' }, predefined_agents: [helper.id] },
        },
      });
      await assert.rejects(
        client.beta.agents.update(agent.id, {
          version: agent.version,
          multiagent: { type: 'multiagent_20261001', subagents: { type: 'enabled', predefined_agents: [] } },
        }),
        badField('multiagent.subagents.predefined_agents'),
      );
    });
  });
}
