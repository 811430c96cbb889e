import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic, { toFile } from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

for (const dialect of DIALECTS) {
  describe(`files over the SDK (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect, { maxUploadBytes: 64 * 1024 });
    });
    after(async () => server.close());

    it('uploads, describes, downloads and deletes a file', async () => {
      const bytes = Buffer.from('hello from paddock\n');
      const file = await server.client.beta.files.upload({ file: await toFile(bytes, 'notes.txt') });
      assert.match(file.id, /^file_/);
      assert.equal(file.type, 'file');
      assert.equal(file.filename, 'notes.txt');
      assert.equal(file.mime_type, 'text/plain');
      assert.equal(file.size_bytes, bytes.length);
      assert.equal(file.downloadable, true);
      assert.equal(file.scope, null);
      assert.equal(file.expires_at, null);
      assert.deepEqual(await server.client.beta.files.retrieveMetadata(file.id), file);

      const response = await server.client.beta.files.download(file.id);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), bytes);

      const hostPath = await server.paddock.context.files.hostPath(file.id);
      assert.deepEqual(readFileSync(hostPath), bytes);

      assert.deepEqual(await server.client.beta.files.delete(file.id), { id: file.id, type: 'file_deleted' });
      assert.ok(!existsSync(hostPath));
      await assert.rejects(server.client.beta.files.retrieveMetadata(file.id), Anthropic.NotFoundError);
      await assert.rejects(server.client.beta.files.download(file.id), Anthropic.NotFoundError);
      await assert.rejects(server.client.beta.files.delete(file.id), Anthropic.NotFoundError);
    });

    it('keeps binary bytes and a declared content type; works through the GA client too', async () => {
      const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0]);
      const file = await server.client.files.upload({
        file: await toFile(bytes, 'blob.bin', { type: 'application/x-custom' }),
      });
      assert.equal(file.mime_type, 'application/x-custom');
      const response = await server.client.files.download(file.id);
      assert.equal(response.headers.get('content-type'), 'application/x-custom');
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), bytes);
    });

    it('sets expires_at from expires_in_seconds and validates its range', async () => {
      const before = Date.now();
      const file = await server.client.beta.files.upload({
        file: await toFile(Buffer.from('x'), 'short.txt'),
        expires_in_seconds: 3600,
      });
      const expiresAt = Date.parse(file.expires_at ?? '');
      assert.ok(expiresAt >= before + 3600_000 && expiresAt <= Date.now() + 3600_000);
      await assert.rejects(
        server.client.beta.files.upload({
          file: await toFile(Buffer.from('x'), 'a.txt'),
          expires_in_seconds: 60,
        }),
        (error: unknown) =>
          error instanceof Anthropic.BadRequestError && /expires_in_seconds/.test(error.message),
      );
      await assert.rejects(
        server.client.beta.files.upload({
          file: await toFile(Buffer.from('x'), 'a.txt'),
          expires_in_seconds: 7_776_001,
        }),
        Anthropic.BadRequestError,
      );
    });

    it('rejects an upload over the limit with 413 and a missing file with 400', async () => {
      const big = Buffer.alloc(64 * 1024 + 1, 97);
      await assert.rejects(
        server.client.beta.files.upload({ file: await toFile(big, 'big.txt') }),
        (error: unknown) =>
          error instanceof Anthropic.APIError &&
          error.status === 413 &&
          (error.error as { type?: string })?.type === 'error',
      );
      const filesDirectory = join(server.database.dataDir, 'files');
      assert.deepEqual(
        readdirSync(filesDirectory).filter((name) => name.startsWith('.staging')),
        [],
        'a rejected upload leaves nothing behind',
      );
      const response = await fetch(`${server.url}/v1/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.client.apiKey}` },
        body: (() => {
          const form = new FormData();
          form.set('expires_in_seconds', '3600');
          return form;
        })(),
      });
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as { error: { message: string } }).error.message, /file/);
    });

    it('lists through more than two pages and filters by ids', async () => {
      const uploaded = [];
      for (let i = 0; i < 5; i++) {
        uploaded.push(
          await server.client.beta.files.upload({ file: await toFile(Buffer.from(`${i}`), `p${i}.txt`) }),
        );
      }
      let pages = 0;
      const seen = new Set<string>();
      for await (const page of (await server.client.beta.files.list({ limit: 2 })).iterPages()) {
        pages += 1;
        for (const file of page.data) seen.add(file.id);
      }
      assert.ok(pages > 2);
      for (const file of uploaded) assert.ok(seen.has(file.id));

      const wanted = [uploaded[1]!.id, uploaded[3]!.id];
      const filtered = await server.client.beta.files.list({ ids: wanted });
      assert.deepEqual(new Set(filtered.data.map((file) => file.id)), new Set(wanted));
      assert.equal(filtered.next_page, null);
      const scoped = await server.client.beta.files.list({ scope_id: 'sesn_none' });
      assert.deepEqual(scoped.data, []);
      await assert.rejects(
        server.client.beta.files.list({ ids: Array.from({ length: 101 }, (_, i) => `file_${i}`) }),
        Anthropic.BadRequestError,
      );
    });
  });
}
