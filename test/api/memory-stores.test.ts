import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { all } from '../support/sdk-results.js';
import { startTestServer, type TestServer } from '../support/server.js';

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

for (const dialect of DIALECTS) {
  describe(`memory stores over the SDK (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server.close());

    it('creates, retrieves, updates, lists, archives and deletes a store', async () => {
      const stores = server.client.beta.memoryStores;
      const store = await stores.create({
        name: 'User Preferences',
        description: 'Per-user prefs',
        metadata: { user: 'u1' },
      });
      assert.match(store.id, /^memstore_/);
      assert.equal(store.type, 'memory_store');
      assert.equal(store.archived_at, null);
      assert.deepEqual(await stores.retrieve(store.id), store);
      const bare = await stores.create({ name: 'bare' });
      assert.equal(bare.description, '');
      assert.deepEqual(bare.metadata, {});
      const updated = await stores.update(store.id, { name: 'Prefs', metadata: { user: null, team: 't' } });
      assert.equal(updated.name, 'Prefs');
      assert.deepEqual(updated.metadata, { team: 't' });
      assert.equal(updated.description, 'Per-user prefs');
      const listed = await all(stores.list());
      assert.ok(listed.some((s) => s.id === store.id));
      const archived = await stores.archive(store.id);
      assert.ok(archived.archived_at);
      assert.ok(!(await all(stores.list())).some((s) => s.id === store.id));
      assert.ok((await all(stores.list({ include_archived: true }))).some((s) => s.id === store.id));
      await assert.rejects(stores.update(store.id, { name: 'x' }), Anthropic.BadRequestError);
      await assert.rejects(
        stores.memories.create(store.id, { path: '/a.md', content: 'x' }),
        Anthropic.BadRequestError,
      );
      assert.deepEqual(await stores.delete(store.id), { id: store.id, type: 'memory_store_deleted' });
      await assert.rejects(stores.retrieve(store.id), Anthropic.NotFoundError);
      await assert.rejects(stores.create({ name: '' }), /name/);
      await assert.rejects(stores.create({ name: 'x'.repeat(256) }), /name/);
      await assert.rejects(stores.create({ name: 'a\u0007b' }), /name/);
      await assert.rejects(stores.create({ name: 'n', description: 'd'.repeat(1025) }), /description/);
    });

    it('creates, reads, updates with a precondition, lists and deletes memories', async () => {
      const stores = server.client.beta.memoryStores;
      const store = await stores.create({ name: 'notes' });
      const memory = await stores.memories.create(store.id, { path: '/notes/todo.md', content: 'buy milk' });
      assert.match(memory.id, /^mem_/);
      assert.equal(memory.content, null, 'create defaults to view=basic');
      assert.equal(memory.content_sha256, sha('buy milk'));
      assert.equal(memory.content_size_bytes, 8);
      assert.match(memory.memory_version_id, /^memver_/);
      const full = await stores.memories.retrieve(memory.id, { memory_store_id: store.id });
      assert.equal(full.content, 'buy milk');
      const basic = await stores.memories.retrieve(memory.id, { memory_store_id: store.id, view: 'basic' });
      assert.equal(basic.content, null);

      // Path conflicts: the same path, an ancestor, a descendant.
      for (const path of ['/notes/todo.md', '/notes', '/notes/todo.md/deeper']) {
        const error = await stores.memories.create(store.id, { path, content: 'x' }).then(
          () => assert.fail(`created ${path}`),
          (e: unknown) => e,
        );
        assert.ok(error instanceof Anthropic.ConflictError, String(error));
        const body = (error as { error?: { error?: Record<string, unknown> } }).error?.error;
        assert.equal(body?.['type'], 'memory_path_conflict_error');
        assert.equal(body?.['conflicting_memory_id'], memory.id);
      }
      // The sibling that only shares a prefix string is not an overlap.
      await stores.memories.create(store.id, { path: '/notes-archive/old.md', content: 'old' });

      // Precondition: a stale hash is a 409 and changes nothing; the right one applies.
      await assert.rejects(
        stores.memories.update(memory.id, {
          memory_store_id: store.id,
          content: 'buy bread',
          precondition: { type: 'content_sha256', content_sha256: sha('something else') },
        }),
        (error: unknown) => {
          assert.ok(error instanceof Anthropic.ConflictError);
          const body = (error as { error?: { error?: Record<string, unknown> } }).error?.error;
          assert.equal(body?.['type'], 'memory_precondition_failed_error');
          return true;
        },
      );
      const v2 = await stores.memories.update(memory.id, {
        memory_store_id: store.id,
        content: 'buy bread',
        precondition: { type: 'content_sha256', content_sha256: sha('buy milk') },
      });
      assert.equal(v2.content_sha256, sha('buy bread'));
      assert.notEqual(v2.memory_version_id, memory.memory_version_id);
      // Exactly the requested state already: success even though the hash is stale.
      const same = await stores.memories.update(memory.id, {
        memory_store_id: store.id,
        content: 'buy bread',
        precondition: { type: 'content_sha256', content_sha256: sha('buy milk') },
      });
      assert.equal(same.memory_version_id, v2.memory_version_id, 'no change, no new version');
      // Rename keeps the id.
      const renamed = await stores.memories.update(memory.id, {
        memory_store_id: store.id,
        path: '/todo/today.md',
      });
      assert.equal(renamed.id, memory.id);
      assert.equal(renamed.path, '/todo/today.md');
      await assert.rejects(
        stores.memories.update(memory.id, { memory_store_id: store.id, path: '/notes-archive/old.md' }),
        Anthropic.ConflictError,
      );

      // Listing: everything, then one level with prefixes.
      await stores.memories.create(store.id, { path: '/todo/later/week.md', content: 'w' });
      await stores.memories.create(store.id, { path: '/top.md', content: 't' });
      const everything = await all(stores.memories.list(store.id));
      assert.deepEqual(
        everything.map((item) => item.path),
        ['/notes-archive/old.md', '/todo/later/week.md', '/todo/today.md', '/top.md'],
      );
      const level = await all(stores.memories.list(store.id, { depth: 1 }));
      assert.deepEqual(
        level.map((item) => `${item.type}:${item.path}`),
        ['memory_prefix:/notes-archive/', 'memory_prefix:/todo/', 'memory:/top.md'],
      );
      const under = await all(
        stores.memories.list(store.id, { path_prefix: '/todo/', depth: 1, view: 'full' }),
      );
      assert.deepEqual(
        under.map((item) => `${item.type}:${item.path}`),
        ['memory_prefix:/todo/later/', 'memory:/todo/today.md'],
      );
      const todayItem = under[1];
      assert.ok(todayItem?.type === 'memory' && todayItem.content === 'buy bread');
      const paged = await stores.memories.list(store.id, { limit: 2 });
      assert.equal(paged.data.length, 2);
      assert.ok(paged.hasNextPage());
      await assert.rejects(stores.memories.list(store.id, { view: 'full', limit: 21 }), /limit/);
      await assert.rejects(stores.memories.list(store.id, { path_prefix: '/todo' }), /path_prefix/);

      // Delete with a precondition.
      await assert.rejects(
        stores.memories.delete(memory.id, {
          memory_store_id: store.id,
          expected_content_sha256: sha('nope'),
        }),
        Anthropic.ConflictError,
      );
      assert.deepEqual(
        await stores.memories.delete(memory.id, {
          memory_store_id: store.id,
          expected_content_sha256: sha('buy bread'),
        }),
        { id: memory.id, type: 'memory_deleted' },
      );
      await assert.rejects(
        stores.memories.retrieve(memory.id, { memory_store_id: store.id }),
        Anthropic.NotFoundError,
      );

      // Versions of that memory: created, modified (content), modified (rename), deleted; newest first.
      const versions = await all(stores.memoryVersions.list(store.id, { memory_id: memory.id }));
      assert.deepEqual(
        versions.map((v) => v.operation),
        ['deleted', 'modified', 'modified', 'created'],
      );
      const [deleted, , , created] = versions;
      assert.equal(deleted?.content_sha256, null);
      assert.equal(deleted?.path, '/todo/today.md');
      assert.equal(created?.content, null, 'lists default to view=basic');
      assert.equal(created?.content_sha256, sha('buy milk'));
      assert.equal(created?.created_by?.type, 'api_actor');
      assert.equal(created?.redacted_at, null);
      const createdFull = await stores.memoryVersions.retrieve(created?.id ?? '', {
        memory_store_id: store.id,
      });
      assert.equal(createdFull.content, 'buy milk');
      const onlyDeleted = await all(stores.memoryVersions.list(store.id, { operation: 'deleted' }));
      assert.deepEqual(
        onlyDeleted.map((v) => v.id),
        [deleted?.id],
      );
    });

    it('refuses bad paths and oversized content with a 400 naming the field', async () => {
      const stores = server.client.beta.memoryStores;
      const store = await stores.create({ name: 'limits' });
      const bad = [
        'no-slash.md',
        '/a//b',
        '/a/',
        '/a/../b',
        '/./a',
        '/a\u0000b',
        '/a\u200bb',
        `/${'x'.repeat(1024)}`,
        `/${Array.from({ length: 21 }, () => 's').join('/')}`,
        '/cafe\u0301',
      ];
      for (const path of bad) {
        await assert.rejects(stores.memories.create(store.id, { path, content: '' }), (error: unknown) => {
          assert.ok(error instanceof Anthropic.BadRequestError, `${JSON.stringify(path)}: ${String(error)}`);
          assert.match(String(error), /path/);
          return true;
        });
      }
      await stores.memories.create(store.id, { path: '/max.md', content: 'é'.repeat(51_200) });
      await assert.rejects(
        stores.memories.create(store.id, { path: '/big.md', content: 'x'.repeat(102_401) }),
        /content/,
      );
      const empty = await stores.memories.create(store.id, { path: '/empty.md', content: null });
      assert.equal(empty.content_size_bytes, 0);
      await assert.rejects(
        stores.memories.retrieve('mem_missing', { memory_store_id: store.id }),
        Anthropic.NotFoundError,
      );
      await assert.rejects(stores.memories.list('memstore_missing'), Anthropic.NotFoundError);
    });

    it('redaction removes content from the version and from everything the API returns', async () => {
      const stores = server.client.beta.memoryStores;
      const store = await stores.create({ name: 'secrets' });
      const leaked = 'api key sk-LEAKED-123';
      const memory = await stores.memories.create(store.id, { path: '/creds.md', content: leaked });
      // The version the memory still holds cannot be redacted alone: the memory returns it.
      await assert.rejects(
        stores.memoryVersions.redact(memory.memory_version_id, { memory_store_id: store.id }),
        Anthropic.ConflictError,
      );
      await stores.memories.update(memory.id, { memory_store_id: store.id, content: 'use the vault' });
      const redacted = await stores.memoryVersions.redact(memory.memory_version_id, {
        memory_store_id: store.id,
      });
      assert.ok(redacted.redacted_at);
      assert.equal(redacted.redacted_by?.type, 'api_actor');
      assert.equal(redacted.content, null);
      assert.equal(redacted.content_sha256, null);
      assert.equal(redacted.content_size_bytes, null);
      assert.equal(redacted.path, null);
      assert.equal(redacted.created_by?.type, 'api_actor', 'the author stays');
      const again = await stores.memoryVersions.redact(memory.memory_version_id, {
        memory_store_id: store.id,
      });
      assert.equal(again.redacted_at, redacted.redacted_at);

      const everything = JSON.stringify([
        await stores.memoryVersions.retrieve(memory.memory_version_id, { memory_store_id: store.id }),
        await all(stores.memoryVersions.list(store.id, { view: 'full' })),
        await all(stores.memories.list(store.id, { view: 'full' })),
        await stores.memories.retrieve(memory.id, { memory_store_id: store.id }),
      ]);
      assert.ok(!everything.includes('sk-LEAKED-123'), everything);
      assert.ok(!everything.includes(sha(leaked)), 'nor its hash');
      assert.ok(everything.includes('use the vault'));
    });

    it('concurrent writers with the precondition: exactly one wins, the other gets a 409', async () => {
      const stores = server.client.beta.memoryStores;
      const store = await stores.create({ name: 'race' });
      const memory = await stores.memories.create(store.id, { path: '/counter', content: '0' });
      const results = await Promise.allSettled(
        ['1', '2', '3', '4'].map((content) =>
          stores.memories.update(memory.id, {
            memory_store_id: store.id,
            content,
            precondition: { type: 'content_sha256', content_sha256: sha('0') },
          }),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1, JSON.stringify(results.map((r) => r.status)));
      for (const r of results)
        if (r.status === 'rejected') assert.ok(r.reason instanceof Anthropic.ConflictError, String(r.reason));
      const versions = await all(stores.memoryVersions.list(store.id, { memory_id: memory.id }));
      assert.equal(versions.length, 2);
    });
  });
}
