import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { SessionMemoryStores } from '@anthropic-ai/sdk/tools/agent-toolset/node';
import { DIALECTS } from '../support/databases.js';
import { type EnvironmentKeyResponse, statusOf, waitFor, workerClient } from '../support/self-hosted.js';
import { startTestServer, type TestServer } from '../support/server.js';

async function all<T>(page: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of page) items.push(item);
  return items;
}

/**
 * A self-hosted worker mounts its session's memory stores the way the SDK's EnvironmentWorker does:
 * `SessionMemoryStores` on a client holding the work item's sessions token (download, then the
 * final sync `finish`), over the memory routes.
 */
for (const dialect of DIALECTS) {
  describe(`memory stores for self-hosted workers (${dialect})`, () => {
    let server: TestServer;
    let workdir: string;
    before(async () => {
      server = await startTestServer(dialect);
      workdir = await mkdtemp(join(tmpdir(), 'paddock-memory-worker-'));
    });
    after(async () => {
      await server.close();
      await rm(workdir, { recursive: true, force: true });
    });

    it("the SDK's SessionMemoryStores downloads and syncs back with the sessions token", async () => {
      const { client } = server;
      const stores = client.beta.memoryStores;
      const notes = await stores.create({ name: 'Notes' });
      const rules = await stores.create({ name: 'Rules' });
      const unattached = await stores.create({ name: 'Elsewhere' });
      const plan = await stores.memories.create(notes.id, { path: '/plan.md', content: 'step 1\n' });
      const old = await stores.memories.create(notes.id, { path: '/old.md', content: 'stale\n' });
      await stores.memories.create(rules.id, { path: '/style/rules.md', content: 'be brief\n' });
      const secret = await stores.memories.create(unattached.id, { path: '/secret.md', content: 'x' });

      const agent = await client.beta.agents.create({
        name: 'memory worker agent',
        model: 'claude-sonnet-4-6',
        tools: [{ type: 'agent_toolset_20260401' }],
      });
      const environment = await client.beta.environments.create({
        name: `worker-memory-${dialect}`,
        config: { type: 'self_hosted' },
      });
      const { key } = await client.post<EnvironmentKeyResponse>(`/v1/environments/${environment.id}/keys`, {
        body: {},
      });
      const session = await client.beta.sessions.create({
        agent: agent.id,
        environment_id: environment.id,
        resources: [
          { type: 'memory_store', memory_store_id: notes.id, access: 'read_write' },
          { type: 'memory_store', memory_store_id: rules.id, access: 'read_only' },
        ],
      });
      const worker = workerClient(server.url, key);
      const work = await waitFor(
        async () =>
          (await worker.beta.environments.work.poll(environment.id, { block_ms: 900 })) ?? undefined,
        60_000,
      );
      assert.ok(work?.secret, 'the session has a work item with a secret');
      const { sessions_token: token } = JSON.parse(Buffer.from(work.secret, 'base64url').toString()) as {
        sessions_token: string;
      };
      const scoped: Anthropic = workerClient(server.url, token);

      // The worker's host mounts each store at its mount_path (/mnt/memory/<slug>); here the same
      // paths under a temporary directory, since the test cannot write /mnt.
      const fetched = await scoped.beta.sessions.retrieve(session.id);
      const mounted = {
        ...fetched,
        resources: fetched.resources.map((resource) =>
          resource.type === 'memory_store'
            ? { ...resource, mount_path: join(workdir, resource.mount_path ?? resource.memory_store_id) }
            : resource,
        ),
      };
      const notesDir = join(workdir, '/mnt/memory/notes');
      const rulesDir = join(workdir, '/mnt/memory/rules');

      const memory = new SessionMemoryStores(scoped, { workdir });
      await memory.download(mounted);
      assert.equal(await readFile(join(notesDir, 'plan.md'), 'utf8'), 'step 1\n');
      assert.equal(await readFile(join(rulesDir, 'style/rules.md'), 'utf8'), 'be brief\n');
      assert.deepEqual(memory.readOnlyRoots.length, 1);

      // The agent edits both stores; the final sync pushes the read_write store's changes (an edit,
      // a new file, a deletion) and none of the read_only store's.
      await writeFile(join(notesDir, 'plan.md'), 'step 1\nstep 2\n');
      await writeFile(join(notesDir, 'done.md'), 'nothing yet\n');
      await unlink(join(notesDir, 'old.md'));
      await writeFile(join(rulesDir, 'style/rules.md'), 'be verbose\n');
      await memory.finish();
      await memory.dispose();

      const updated = await stores.memories.retrieve(plan.id, { memory_store_id: notes.id });
      assert.equal(updated.content, 'step 1\nstep 2\n');
      const planVersions = await all(stores.memoryVersions.list(notes.id, { memory_id: plan.id }));
      assert.deepEqual(planVersions.map((version) => version.operation).sort(), ['created', 'modified']);
      // Written for the session, as the hosted sandbox's own sync records it.
      assert.deepEqual(planVersions.map((version) => version.created_by?.type).sort(), [
        'api_actor',
        'session_actor',
      ]);
      const modified = planVersions.find((version) => version.operation === 'modified');
      assert.deepEqual(modified?.created_by, { type: 'session_actor', session_id: session.id });
      const oldVersions = await all(stores.memoryVersions.list(notes.id, { memory_id: old.id }));
      assert.deepEqual(oldVersions.map((version) => version.operation).sort(), ['created', 'deleted']);
      const notesNow = await all(stores.memories.list(notes.id, { view: 'full' }));
      assert.deepEqual(
        notesNow.map((item) => (item.type === 'memory' ? [item.path, item.content] : [item.path])),
        [
          ['/done.md', 'nothing yet\n'],
          ['/plan.md', 'step 1\nstep 2\n'],
        ],
      );
      const rulesNow = await all(stores.memories.list(rules.id, { view: 'full' }));
      assert.deepEqual(
        rulesNow.map((item) => (item.type === 'memory' ? item.content : item.path)),
        ['be brief\n'],
      );
      assert.equal((await all(stores.memoryVersions.list(rules.id))).length, 1);

      // The token reads its session's stores, writes only the read_write one, and nothing else.
      const ruleId = rulesNow[0]?.type === 'memory' ? rulesNow[0].id : '';
      assert.equal(await statusOf(scoped.beta.memoryStores.memories.list(rules.id)), 200);
      assert.equal(
        await statusOf(scoped.beta.memoryStores.memories.create(rules.id, { path: '/new.md', content: 'x' })),
        403,
      );
      assert.equal(
        await statusOf(
          scoped.beta.memoryStores.memories.update(ruleId, { memory_store_id: rules.id, content: 'x' }),
        ),
        403,
      );
      assert.equal(
        await statusOf(scoped.beta.memoryStores.memories.delete(ruleId, { memory_store_id: rules.id })),
        403,
      );
      assert.equal(await statusOf(scoped.beta.memoryStores.memories.list(unattached.id)), 403);
      assert.equal(
        await statusOf(
          scoped.beta.memoryStores.memories.retrieve(secret.id, { memory_store_id: unattached.id }),
        ),
        403,
      );
      // Only the memory routes: the store itself, its versions and the list stay API-key-only.
      assert.equal(await statusOf(scoped.beta.memoryStores.retrieve(notes.id)), 403);
      assert.equal(await statusOf(scoped.beta.memoryStores.memoryVersions.list(notes.id)), 403);
      assert.equal(await statusOf(scoped.beta.memoryStores.list()), 403);
      // The environment key is refused, as the SDK expects.
      assert.equal(await statusOf(worker.beta.memoryStores.memories.list(notes.id)), 403);
    });
  });
}
