import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import Anthropic from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.js';

for (const dialect of DIALECTS) {
  describe(`request body encodings and charsets (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server?.close());

    const post = (body: Buffer, headers: Record<string, string>) =>
      fetch(`${server.url}/v1/vaults`, {
        method: 'POST',
        headers: { 'x-api-key': TEST_ADMIN_KEY, 'content-type': 'application/json', ...headers },
        body,
      });

    it('decodes gzip, deflate and br bodies', async () => {
      const json = Buffer.from(JSON.stringify({ display_name: 'compressed' }));
      for (const [encoding, bytes] of [
        ['gzip', gzipSync(json)],
        ['deflate', deflateSync(json)],
        ['br', brotliCompressSync(json)],
      ] as const) {
        const response = await post(bytes, { 'content-encoding': encoding });
        assert.equal(response.status, 200, `${encoding}: ${await response.clone().text()}`);
        assert.equal(((await response.json()) as { display_name: string }).display_name, 'compressed');
      }
    });

    it('answers with the error codes the SDK maps to classes', async () => {
      const json = Buffer.from(JSON.stringify({ display_name: 'x' }));
      const cases: Array<[string, Buffer, Record<string, string>, number, string]> = [
        ['unknown encoding', json, { 'content-encoding': 'zstd' }, 400, 'request_body_encoding_unsupported'],
        [
          'corrupt gzip',
          Buffer.from('not gzip at all'),
          { 'content-encoding': 'gzip' },
          400,
          'request_body_encoding_invalid',
        ],
        [
          'latin-1 JSON',
          json,
          { 'content-type': 'application/json; charset=iso-8859-1' },
          400,
          'unsupported_charset',
        ],
        [
          'a bomb',
          gzipSync(Buffer.alloc(40 * 1024 * 1024, 0x20)),
          { 'content-encoding': 'gzip' },
          413,
          'request_body_too_large_after_decoding',
        ],
      ];
      for (const [what, body, headers, status, code] of cases) {
        const response = await post(body, headers);
        const text = await response.text();
        assert.equal(response.status, status, `${what}: ${text}`);
        const parsed = JSON.parse(text) as { error: { details?: { error_code?: string } } };
        assert.equal(parsed.error.details?.error_code, code, what);
      }
      // The SDK raises the class its error map names.
      const client = new Anthropic({ baseURL: server.url, apiKey: TEST_ADMIN_KEY, maxRetries: 0 });
      const latin1 = { headers: { 'content-type': 'application/json; charset=latin1' } };
      await assert.rejects(client.beta.vaults.create({ display_name: 'x' }, latin1), (error: unknown) => {
        assert.equal((error as Error).constructor.name, 'BetaUnsupportedCharsetError');
        return true;
      });
      // UTF-8 spelled either way is fine.
      assert.equal((await post(json, { 'content-type': 'application/json; charset=UTF-8' })).status, 200);
    });
  });
}
