import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { withMemoryNote } from '../../src/core/memory/memory-mount.js';
import { memoryMountSource } from '../../src/core/memory/memory-mount-source.js';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

for (const dialect of DIALECTS) {
  describe(`memory stores attached to sessions (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server.close());

    it('attaches stores at creation with mount paths, limits, and filters sessions.list', async () => {
      const { client } = server;
      const agent = await client.beta.agents.create({ name: 'm', model: 'claude-haiku-4-5' });
      const environment = await client.beta.environments.create({ name: `mem-${dialect}` });
      const prefs = await client.beta.memoryStores.create({
        name: 'User Preferences',
        description: 'What the user likes',
      });
      const twin = await client.beta.memoryStores.create({ name: 'user preferences!' });
      const session = await client.beta.sessions.create({
        agent: agent.id,
        environment_id: environment.id,
        resources: [
          { type: 'memory_store', memory_store_id: prefs.id, instructions: 'Check before any task.' },
          { type: 'memory_store', memory_store_id: twin.id, access: 'read_only' },
        ],
      });
      const [first, second] =
        session.resources as Anthropic.Beta.Sessions.BetaManagedAgentsMemoryStoreResource[];
      assert.equal(first?.type, 'memory_store');
      assert.equal(first?.memory_store_id, prefs.id);
      assert.equal(first?.access, 'read_write');
      assert.equal(first?.mount_path, '/mnt/memory/user-preferences');
      assert.equal(first?.name, 'User Preferences');
      assert.equal(first?.description, 'What the user likes');
      assert.equal(first?.instructions, 'Check before any task.');
      assert.equal(second?.access, 'read_only');
      assert.equal(second?.mount_path, '/mnt/memory/user-preferences-2', 'one slug, two stores');

      const other = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
      const filtered = await client.beta.sessions.list({ memory_store_id: prefs.id });
      assert.deepEqual(
        filtered.data.map((s) => s.id),
        [session.id],
      );
      assert.ok(!filtered.data.some((s) => s.id === other.id));
      const none = await client.beta.sessions.list({ memory_store_id: 'memstore_nothing' });
      assert.deepEqual(none.data, []);

      // Limits and refusals, each a 400 naming the field.
      const nine = await Promise.all(
        Array.from({ length: 9 }, (_, i) => client.beta.memoryStores.create({ name: `s${i}` })),
      );
      await assert.rejects(
        client.beta.sessions.create({
          agent: agent.id,
          environment_id: environment.id,
          resources: nine.map((s) => ({ type: 'memory_store' as const, memory_store_id: s.id })),
        }),
        (error: unknown) =>
          error instanceof Anthropic.BadRequestError && /at most 8 memory stores/.test(String(error)),
      );
      await assert.rejects(
        client.beta.sessions.create({
          agent: agent.id,
          environment_id: environment.id,
          resources: [{ type: 'memory_store', memory_store_id: prefs.id, instructions: 'x'.repeat(4097) }],
        }),
        /instructions/,
      );
      await assert.rejects(
        client.beta.sessions.create({
          agent: agent.id,
          environment_id: environment.id,
          resources: [{ type: 'memory_store', memory_store_id: 'memstore_missing' }],
        }),
        Anthropic.NotFoundError,
      );
      const archived = await client.beta.memoryStores.archive(
        (await client.beta.memoryStores.create({ name: 'old' })).id,
      );
      await assert.rejects(
        client.beta.sessions.create({
          agent: agent.id,
          environment_id: environment.id,
          resources: [{ type: 'memory_store', memory_store_id: archived.id }],
        }),
        /archived/,
      );
      // Attached at creation only.
      await assert.rejects(
        client.post(`/v1/sessions/${other.id}/resources`, {
          body: { type: 'memory_store', memory_store_id: prefs.id },
        }),
        Anthropic.BadRequestError,
      );
    });

    it("a mount's write over a change made since its refresh is a reported conflict, never a silent overwrite", async () => {
      const { client } = server;
      const store = await client.beta.memoryStores.create({ name: 'shared' });
      await client.beta.memoryStores.memories.create(store.id, { path: '/plan.md', content: 'v1' });
      const source = memoryMountSource(server.paddock.context.memories, store.id, 'sesn_writer');
      const refreshed = await source.read();
      assert.equal(refreshed.get('plan.md'), 'v1');
      const base = createHash('sha256').update('v1').digest('hex');
      // Another writer moves the memory on after this mount's refresh.
      const [memory] = (await client.beta.memoryStores.memories.list(store.id)).data;
      assert.ok(memory?.type === 'memory');
      await client.beta.memoryStores.memories.update(memory.id, {
        memory_store_id: store.id,
        content: 'v2 by api',
      });
      const problems = await source.write([
        { path: 'plan.md', baseSha256: base, content: 'v2 by agent' },
        { path: 'new.md', baseSha256: null, content: 'fresh' },
      ]);
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0] ?? '', /^plan\.md: /);
      const now = await source.read();
      assert.equal(now.get('plan.md'), 'v2 by api', 'the other writer kept its update');
      assert.equal(now.get('new.md'), 'fresh');
      const versions = await client.beta.memoryStores.memoryVersions.list(store.id, {
        session_id: 'sesn_writer',
      });
      assert.deepEqual(
        versions.data.map((v) => [v.operation, v.path]),
        [['created', '/new.md']],
      );
    });

    it('puts a note per mount in the system prompt: where, what for, instructions, access', () => {
      const agent = withMemoryNote({ system: 'Be brief.' }, [
        {
          type: 'memory_store',
          id: 'sesrsc_1',
          memory_store_id: 'memstore_1',
          access: 'read_only',
          instructions: 'Only facts about the user.',
          name: 'User Preferences',
          description: 'What the user likes',
          mount_path: '/mnt/memory/user-preferences',
          created_at: '',
          updated_at: '',
        },
      ]);
      assert.match(agent.system, /^Be brief\.\n\n/);
      assert.match(agent.system, /\/mnt\/memory\/user-preferences\/ \(read-only/);
      assert.match(agent.system, /What the user likes/);
      assert.match(agent.system, /Only facts about the user\./);
      assert.deepEqual(withMemoryNote({ system: 'x' }, []), { system: 'x' });
    });
  });
}
