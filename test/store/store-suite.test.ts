import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { ResourceRecord } from '../../src/core/ports/store.js';
import { SCHEMA_VERSION } from '../../src/store/kysely/migrations.js';
import { DIALECTS, storePerSuite } from '../support/databases.js';

/** One store suite, run against every dialect on a real database. */
for (const dialect of DIALECTS) {
  describe(`store (${dialect})`, () => {
    const suite = storePerSuite(dialect);

    const record = (id: string, createdAt: string, extra: Partial<ResourceRecord> = {}): ResourceRecord => ({
      kind: 'vault',
      id,
      parentId: null,
      name: null,
      status: null,
      refId: null,
      refVersion: null,
      createdAt,
      updatedAt: createdAt,
      archivedAt: null,
      doc: { id, n: Number(id.slice(-2)) },
      ...extra,
    });

    it('pages resources both ways in (created_at, id) order, with filters', async () => {
      for (let i = 0; i < 9; i++) {
        await suite.store.resources.insert(
          record(`vlt_${String(i).padStart(2, '0')}`, `2026-01-01T00:00:0${i}.000Z`),
        );
      }
      await suite.store.resources.insert(
        record('vlt_99', '2026-01-02T00:00:00.000Z', { archivedAt: '2026-01-03T00:00:00.000Z' }),
      );
      const first = await suite.store.resources.list({ kind: 'vault', order: 'desc', limit: 4 });
      assert.deepEqual(
        first.items.map((r) => r.id),
        ['vlt_08', 'vlt_07', 'vlt_06', 'vlt_05'],
      );
      assert.equal(first.hasMore, true);
      const last = first.items[3]!;
      const second = await suite.store.resources.list({
        kind: 'vault',
        order: 'desc',
        limit: 4,
        cursor: { createdAt: last.createdAt, id: last.id, direction: 'next' },
      });
      assert.deepEqual(
        second.items.map((r) => r.id),
        ['vlt_04', 'vlt_03', 'vlt_02', 'vlt_01'],
      );
      const back = await suite.store.resources.list({
        kind: 'vault',
        order: 'desc',
        limit: 2,
        cursor: { createdAt: second.items[0]!.createdAt, id: second.items[0]!.id, direction: 'prev' },
      });
      assert.deepEqual(
        back.items.map((r) => r.id),
        ['vlt_06', 'vlt_05'],
      );
      const archived = await suite.store.resources.list({
        kind: 'vault',
        order: 'asc',
        limit: 100,
        includeArchived: true,
      });
      assert.equal(archived.items.length, 10);
      const ranged = await suite.store.resources.list({
        kind: 'vault',
        order: 'asc',
        limit: 100,
        createdAt: { gte: '2026-01-01T00:00:03.000Z', lt: '2026-01-01T00:00:05.000Z' },
      });
      assert.deepEqual(
        ranged.items.map((r) => r.id),
        ['vlt_03', 'vlt_04'],
      );
    });

    it('enforces unique names per kind and round-trips documents', async () => {
      await suite.store.resources.insert(
        record('env_a', '2026-01-01T00:00:00.000Z', { kind: 'environment', name: 'dev' }),
      );
      await assert.rejects(
        suite.store.resources.insert(
          record('env_b', '2026-01-01T00:00:00.000Z', { kind: 'environment', name: 'dev' }),
        ),
      );
      const found = await suite.store.resources.findByName('environment', 'dev');
      assert.equal(found?.id, 'env_a');
      assert.equal((found?.doc as { id: string } | undefined)?.id, 'env_a');
    });

    it('appends events with contiguous sequences and idempotency keys', async () => {
      const event = (id: string, key?: string) => ({
        id,
        type: 'agent.message',
        threadId: null,
        processedAt: '2026-01-01T00:00:00.000Z',
        doc: { id, type: 'agent.message' },
        idempotencyKey: key,
      });
      const firstBatch = await suite.store.events.append('sesn_1', [
        event('sevt_1', 'step-1#0'),
        event('sevt_2'),
      ]);
      assert.deepEqual(
        firstBatch.map((e) => e.seq),
        [1, 2],
      );
      const replay = await suite.store.events.append('sesn_1', [
        event('sevt_9', 'step-1#0'),
        event('sevt_3'),
      ]);
      assert.deepEqual(
        replay.map((e) => [e.id, e.seq]),
        [
          ['sevt_1', 1],
          ['sevt_3', 3],
        ],
      );
      const listed = await suite.store.events.list({ sessionId: 'sesn_1', order: 'asc', limit: 10 });
      assert.deepEqual(
        listed.map((e) => e.id),
        ['sevt_1', 'sevt_2', 'sevt_3'],
      );
      const concurrent = await Promise.all(
        Array.from({ length: 10 }, (_unused, i) =>
          suite.store.events.append('sesn_2', [event(`sevt_c${i}`)]),
        ),
      );
      const seqs = concurrent
        .flat()
        .map((e) => e.seq)
        .sort((a, b) => a - b);
      assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    it("reads a session's events after a seq, in order, page by page (what a wake reads)", async () => {
      const event = (id: string, threadId: string | null = null) => ({
        id,
        type: 'agent.message',
        threadId,
        processedAt: '2026-01-01T00:00:00.000Z',
        doc: { id, type: 'agent.message' },
      });
      await suite.store.events.append('sesn_read', [event('sevt_r1'), event('sevt_r2'), event('sevt_r3')]);
      await suite.store.events.append('sesn_other', [event('sevt_o1')]);
      await suite.store.events.append('sesn_read', [event('sevt_r4', 'sthr_1'), event('sevt_r5')]);
      const after = async (afterSeq: number | undefined, limit = 10) =>
        (await suite.store.events.list({ sessionId: 'sesn_read', order: 'asc', limit, afterSeq })).map(
          (e) => [e.seq, e.id],
        );
      assert.deepEqual(await after(undefined), [
        [1, 'sevt_r1'],
        [2, 'sevt_r2'],
        [3, 'sevt_r3'],
        [4, 'sevt_r4'],
        [5, 'sevt_r5'],
      ]);
      assert.deepEqual(await after(3), [
        [4, 'sevt_r4'],
        [5, 'sevt_r5'],
      ]);
      assert.deepEqual(await after(5), [], 'nothing after the last seq');
      assert.deepEqual(await after(1, 2), [
        [2, 'sevt_r2'],
        [3, 'sevt_r3'],
      ]);
      // Another writer appends: a read after the last seq seen gets exactly that.
      await suite.store.events.append('sesn_read', [event('sevt_r6')]);
      assert.deepEqual(await after(5), [[6, 'sevt_r6']]);
    });

    it('records the schema version it migrated to', async () => {
      let stored: string | undefined;
      if (dialect === 'sqlite') {
        const file = new SqliteDatabase(suite.database.url.slice('sqlite:'.length), { readonly: true });
        stored = (
          file.prepare("select value from paddock_meta where key = 'schema_version'").get() as {
            value: string;
          }
        ).value;
        file.close();
      } else {
        const client = new pg.Client({ connectionString: suite.database.url });
        await client.connect();
        stored = (await client.query("select value from paddock_meta where key = 'schema_version'")).rows[0]
          ?.value;
        await client.end();
      }
      assert.equal(stored, String(SCHEMA_VERSION));
    });

    it('grants a lease to one owner until it expires', async () => {
      const now = '2026-01-01T00:00:00.000Z';
      assert.equal(
        await suite.store.leases.acquire('sesn_l', 'node-a', '2026-01-01T00:00:30.000Z', now),
        true,
      );
      assert.equal(
        await suite.store.leases.acquire('sesn_l', 'node-b', '2026-01-01T00:00:30.000Z', now),
        false,
      );
      assert.equal(
        await suite.store.leases.acquire('sesn_l', 'node-a', '2026-01-01T00:01:00.000Z', now),
        true,
      );
      const later = '2026-01-01T00:02:00.000Z';
      assert.equal(
        await suite.store.leases.acquire('sesn_l', 'node-b', '2026-01-01T00:03:00.000Z', later),
        true,
      );
      assert.equal((await suite.store.leases.holder('sesn_l'))?.owner, 'node-b');
    });
  });
}
