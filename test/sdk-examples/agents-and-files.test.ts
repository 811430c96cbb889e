import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toFile } from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { type HarnessFixture, startHarnessFixture } from '../support/harness-fixture.js';

/**
 * In the style of the SDK's agents and files examples: create and version an agent, upload a CSV,
 * mount it by a relative path ('data.csv', as the files example does), run a turn, and run the
 * example a second time with the same environment name (names are not unique).
 */
for (const dialect of DIALECTS) {
  describe(`SDK examples: agents and files (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect);
    });
    after(async () => fixture.close());

    async function runExample(): Promise<string> {
      const { client } = fixture;
      const agent = await client.beta.agents.create({
        name: 'Data Analyst',
        model: 'claude-sonnet-4-6',
        system: 'You analyse CSV files.',
        tools: [{ type: 'agent_toolset_20260401' }],
      });
      const updated = await client.beta.agents.update(agent.id, {
        version: agent.version,
        system: 'You analyse CSV files carefully.',
      });
      assert.equal(updated.version, agent.version + 1);
      const versions = [];
      for await (const version of client.beta.agents.versions.list(agent.id)) versions.push(version.version);
      assert.deepEqual(versions.sort(), [1, 2]);

      const environment = await client.beta.environments.create({
        name: 'data-analysis',
        config: { type: 'cloud', networking: { type: 'unrestricted' } },
      });
      const file = await client.beta.files.upload({
        file: await toFile(Buffer.from('region,sales\nnorth,10\n'), 'data.csv', { type: 'text/csv' }),
      });
      const session = await client.beta.sessions.create({
        agent: agent.id,
        environment_id: environment.id,
        resources: [{ type: 'file', file_id: file.id, mount_path: 'data.csv' }],
      });
      const mounted = session.resources.find((resource) => resource.type === 'file');
      assert.equal(
        mounted && 'mount_path' in mounted ? mounted.mount_path : undefined,
        '/mnt/session/uploads/data.csv',
      );

      const stream = await client.beta.sessions.events.stream(session.id);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'Summarise data.csv' }] }],
      });
      let reply = '';
      for await (const event of stream) {
        if (event.type === 'agent.message')
          for (const block of event.content) if (block.type === 'text') reply += block.text;
        if (event.type === 'session.status_idle') break;
      }
      await client.beta.agents.archive(agent.id);
      return reply;
    }

    it('runs twice unmodified (same environment name), mounting data.csv under the uploads directory', async () => {
      assert.match(await runExample(), /Summarise data\.csv/);
      assert.match(await runExample(), /Summarise data\.csv/);
    });

    it('streams deltas before the message when asked (event_deltas)', async () => {
      const { client } = fixture;
      const agent = await client.beta.agents.create({ name: 'Streamer', model: 'claude-sonnet-4-6' });
      const environment = await client.beta.environments.create({ name: 'deltas' });
      const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
      const stream = await client.beta.sessions.events.stream(session.id, {
        event_deltas: ['agent.message'],
      });
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'stream please' }] }],
      });
      const types: string[] = [];
      for await (const event of stream) {
        types.push(event.type);
        if (event.type === 'session.status_idle') break;
      }
      const message = types.indexOf('agent.message');
      assert.ok(message > 0, types.join(', '));
      assert.ok(types.slice(0, message).includes('event_start'), types.join(', '));
      assert.ok(types.slice(0, message).includes('event_delta'), types.join(', '));
    });
  });
}
