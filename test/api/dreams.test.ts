import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import {
  createScriptedProvider,
  type ScriptedProvider,
} from '../../src/providers/scripted/scripted-provider.js';
import type { ScriptedTurn } from '../../src/providers/scripted/scripted-turn.js';
import { DIALECTS } from '../support/databases.js';
import { all } from '../support/sdk-results.js';
import { startTestServer, type TestServer } from '../support/server.js';

type Dream = Anthropic.Beta.Dreams.BetaDream;

/** Polls until `check` holds; the deadline is generous (a busy 2-core CI machine). */
async function until<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The model's answer for a dream whose instructions contain `tag`. */
const answer = (
  tag: string,
  memories: Array<{ path: string; content: string }>,
  extra: Partial<ScriptedTurn> = {},
) =>
  ({
    match: tag,
    content: [{ type: 'tool_use', name: 'write_memories', input: { memories } }],
    usage: { input_tokens: 1200, output_tokens: 80 },
    ...extra,
  }) as ScriptedTurn;

for (const dialect of DIALECTS) {
  describe(`dreams over the SDK (${dialect})`, () => {
    let server: TestServer;
    let model: ScriptedProvider;
    let storeId: string;
    let sessionIds: string[];
    const ended = (dream: Dream) => ['completed', 'failed', 'canceled'].includes(dream.status);
    const settle = (id: string) =>
      until(`dream ${id} to end`, () => server.client.beta.dreams.retrieve(id), ended);

    before(async () => {
      model = createScriptedProvider();
      server = await startTestServer(
        dialect,
        { modelRoutes: { '*': 'scripted' } },
        { providers: { scripted: model }, retry: { baseDelayMs: 1, maxDelayMs: 5 } },
      );
      const { client } = server;
      const store = await client.beta.memoryStores.create({
        name: 'Team notes',
        description: 'What we learned',
      });
      storeId = store.id;
      await client.beta.memoryStores.memories.create(storeId, {
        path: '/prefs/editor.md',
        content: 'Uses vim.',
      });
      await client.beta.memoryStores.memories.create(storeId, {
        path: '/notes/a.md',
        content: 'Deploy on Fridays.',
      });
      await client.beta.memoryStores.memories.create(storeId, {
        path: '/notes/b.md',
        content: 'Deploys: Fridays.',
      });
      // Two real sessions, answered by the scripted model's echo, whose logs the dreams read.
      const agent = await client.beta.agents.create({ name: 'dreamer', model: 'claude-haiku-4-5' });
      const environment = await client.beta.environments.create({ name: `dreams-${dialect}` });
      sessionIds = [];
      for (const text of ['we now deploy on Mondays', 'tabs, never spaces']) {
        const session = await client.beta.sessions.create({
          agent: agent.id,
          environment_id: environment.id,
        });
        await client.beta.sessions.events.send(session.id, {
          events: [{ type: 'user.message', content: [{ type: 'text', text }] }],
        });
        await until(
          `session ${session.id} to answer`,
          async () => (await client.beta.sessions.events.list(session.id)).data,
          (events) => events.some((event) => event.type === 'agent.message'),
        );
        sessionIds.push(session.id);
      }
    });
    after(async () => server.close());

    it('reads a store and two sessions and writes the reorganized memories to a new store', async () => {
      const { client } = server;
      const result = [
        { path: '/deploys.md', content: 'Deploy on Mondays (changed from Fridays).' },
        { path: '/prefs/editor.md', content: 'Uses vim; tabs, never spaces.' },
      ];
      // One overload on the way: retried with the harness's policy.
      model.push([{ match: 'dream-one', error: { status: 529 } }, answer('dream-one', result)]);
      const created = await client.beta.dreams.create({
        inputs: [
          { type: 'sessions', session_ids: [...sessionIds].reverse() },
          { type: 'memory_store', memory_store_id: storeId },
        ],
        model: 'claude-sonnet-4-6',
        instructions: 'dream-one: merge duplicates',
      });
      assert.match(created.id, /^drm_/);
      assert.equal(created.type, 'dream');
      assert.deepEqual(created.outputs, []);
      assert.deepEqual(created.model, { id: 'claude-sonnet-4-6', speed: 'standard' });
      assert.deepEqual(created.output_behavior, { type: 'create_new' });
      assert.equal(created.session_id, null);
      assert.deepEqual(created.inputs[0], { type: 'sessions', session_ids: [...sessionIds].sort() });

      const dream = await settle(created.id);
      assert.equal(dream.status, 'completed', JSON.stringify(dream.error));
      assert.ok(dream.ended_at);
      assert.equal(dream.error, null);
      assert.deepEqual(dream.usage, {
        input_tokens: 1200,
        output_tokens: 80,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
      });
      const output = dream.outputs[0]?.memory_store_id;
      assert.ok(output && output !== storeId, 'a new store');
      const outputStore = await client.beta.memoryStores.retrieve(output);
      assert.match(outputStore.name, /^Team notes \(dream drm_/);
      const written = await all(client.beta.memoryStores.memories.list(output, { view: 'full' }));
      assert.deepEqual(
        written.map((memory) => memory.type === 'memory' && [memory.path, memory.content]),
        result.map((memory) => [memory.path, memory.content]),
      );
      const untouched = await all(client.beta.memoryStores.memories.list(storeId));
      assert.deepEqual(
        untouched.map((memory) => memory.path),
        ['/notes/a.md', '/notes/b.md', '/prefs/editor.md'],
      );
      // The model read the store's memories and both sessions' transcripts.
      const prompt = JSON.stringify(model.requests().at(-1)?.messages);
      for (const text of [
        'Deploy on Fridays.',
        'we now deploy on Mondays',
        'tabs, never spaces',
        ...sessionIds,
      ])
        assert.ok(prompt.includes(text), `the prompt holds ${text}`);

      const listed = await all(client.beta.dreams.list({ statuses: ['completed'] }));
      assert.ok(listed.some((item) => item.id === dream.id));
      assert.ok(
        !(await all(client.beta.dreams.list({ statuses: ['failed'] }))).some((d) => d.id === dream.id),
      );
      await assert.rejects(client.beta.dreams.cancel(dream.id), Anthropic.BadRequestError);
      const archived = await client.beta.dreams.archive(dream.id);
      assert.ok(archived.archived_at);
      assert.deepEqual(await client.beta.dreams.archive(dream.id), archived);
      assert.ok(!(await all(client.beta.dreams.list())).some((item) => item.id === dream.id));
      assert.ok(
        (await all(client.beta.dreams.list({ include_archived: true }))).some((d) => d.id === dream.id),
      );
      assert.deepEqual(await client.beta.dreams.retrieve(dream.id), archived);
    });

    it('update_existing writes new versions into the input store', async () => {
      const { client } = server;
      const target = await client.beta.memoryStores.create({ name: 'in place' });
      await client.beta.memoryStores.memories.create(target.id, { path: '/a.md', content: 'one' });
      await client.beta.memoryStores.memories.create(target.id, { path: '/b.md', content: 'two' });
      model.push([
        answer('dream-two', [
          { path: '/a.md', content: 'one, and two' },
          { path: '/c/d.md', content: 'new' },
        ]),
      ]);
      const created = await client.beta.dreams.create({
        inputs: [
          { type: 'memory_store', memory_store_id: target.id },
          { type: 'sessions', session_ids: [sessionIds[0] ?? ''] },
        ],
        model: { id: 'claude-sonnet-4-6', speed: 'standard' },
        instructions: 'dream-two',
        output_behavior: { type: 'update_existing', memory_store_id: target.id },
      });
      const dream = await settle(created.id);
      assert.equal(dream.status, 'completed', JSON.stringify(dream.error));
      assert.deepEqual(dream.outputs, [{ type: 'memory_store', memory_store_id: target.id }]);
      const memories = await all(client.beta.memoryStores.memories.list(target.id, { view: 'full' }));
      assert.deepEqual(
        memories.map((memory) => memory.type === 'memory' && [memory.path, memory.content]),
        [
          ['/a.md', 'one, and two'],
          ['/c/d.md', 'new'],
        ],
      );
      const versions = await all(client.beta.memoryStores.memoryVersions.list(target.id));
      const operations = versions.map((version) => `${version.operation} ${version.path ?? ''}`).sort();
      assert.deepEqual(operations, [
        'created /a.md',
        'created /b.md',
        'created /c/d.md',
        'deleted /b.md',
        'modified /a.md',
      ]);
    });

    it('cancel mid-run ends canceled with nothing written; a second writer into the store is a 409', async () => {
      const { client } = server;
      const target = await client.beta.memoryStores.create({ name: 'held' });
      await client.beta.memoryStores.memories.create(target.id, { path: '/keep.md', content: 'keep' });
      // The model holds its answer (a pause before every chunk) until the cancel aborts it.
      model.push([answer('dream-held', [{ path: '/gone.md', content: 'x' }], { delay_ms: 600_000 })]);
      const inputs: Anthropic.Beta.Dreams.BetaDreamInput[] = [
        { type: 'memory_store', memory_store_id: target.id },
        { type: 'sessions', session_ids: sessionIds },
      ];
      const behavior = { type: 'update_existing' as const, memory_store_id: target.id };
      const created = await client.beta.dreams.create({
        inputs,
        model: 'claude-sonnet-4-6',
        instructions: 'dream-held',
        output_behavior: behavior,
      });
      await until(
        'the dream to ask the model',
        async () =>
          model.requests().some((request) => JSON.stringify(request.messages).includes('dream-held')),
        Boolean,
      );
      assert.equal((await client.beta.dreams.retrieve(created.id)).status, 'running');
      await assert.rejects(client.beta.dreams.archive(created.id), Anthropic.BadRequestError);
      await assert.rejects(
        client.beta.dreams.create({ inputs, model: 'claude-sonnet-4-6', output_behavior: behavior }),
        (error: unknown) => error instanceof Anthropic.ConflictError && error.message.includes(created.id),
      );

      const canceled = await client.beta.dreams.cancel(created.id);
      assert.equal(canceled.status, 'canceled');
      assert.ok(canceled.ended_at);
      assert.deepEqual(
        await client.beta.dreams.cancel(created.id),
        canceled,
        'canceling again changes nothing',
      );
      // The run stops and lets go of its lease: then (not before) a new update_existing dream is accepted.
      model.push([answer('dream-after', [{ path: '/keep.md', content: 'keep' }])]);
      const next = await until(
        'the canceled run to let go of the store',
        () =>
          client.beta.dreams
            .create({
              inputs,
              model: 'claude-sonnet-4-6',
              instructions: 'dream-after',
              output_behavior: behavior,
            })
            .catch((error: unknown) => {
              if (error instanceof Anthropic.ConflictError) return undefined;
              throw error;
            }),
        (created) => created !== undefined,
      );
      assert.ok(next);
      assert.equal((await settle(next.id)).status, 'completed');
      assert.equal((await client.beta.dreams.retrieve(created.id)).status, 'canceled');
      const memories = await all(client.beta.memoryStores.memories.list(target.id, { view: 'full' }));
      assert.deepEqual(
        memories.map((memory) => memory.path),
        ['/keep.md'],
        'the canceled dream wrote nothing',
      );
      const versions = await all(client.beta.memoryStores.memoryVersions.list(target.id));
      assert.equal(versions.length, 1);
      assert.ok((await client.beta.dreams.archive(created.id)).archived_at);
    });

    it('a model answer that breaks the store rules fails the dream with invalid_output', async () => {
      const { client } = server;
      model.push([answer('dream-bad', [{ path: 'no-slash.md', content: 'x' }])]);
      const created = await client.beta.dreams.create({
        inputs: [
          { type: 'memory_store', memory_store_id: storeId },
          { type: 'sessions', session_ids: sessionIds },
        ],
        model: 'claude-sonnet-4-6',
        instructions: 'dream-bad',
      });
      const dream = await settle(created.id);
      assert.equal(dream.status, 'failed');
      assert.equal(dream.error?.type, 'invalid_output');
      assert.match(dream.error?.message ?? '', /memories\[0\]\.path/);
      assert.deepEqual(dream.outputs, []);
    });
  });
}
