import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DIALECTS } from '../support/databases.js';
import { childEnv, freePort } from '../support/paddock-process.js';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.js';

const ENTRY = fileURLToPath(new URL('../support/serve-entry.ts', import.meta.url));

/** Runs `paddock <args>` from source in a child process, as a user would. */
function paddock(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', ENTRY, ...args],
      { env: childEnv(env), timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** `paddock keys` and `paddock env-key` are HTTP clients of a running server. */
for (const dialect of DIALECTS) {
  describe(`paddock keys over HTTP (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server.close());

    it('creates, lists and revokes API keys through the API (env: PADDOCK_BASE_URL, PADDOCK_API_KEY)', async () => {
      const env = { PADDOCK_BASE_URL: server.url, PADDOCK_API_KEY: TEST_ADMIN_KEY };
      const created = await paddock(['keys', 'create', 'ci'], env);
      assert.equal(created.code, 0, created.stderr);
      const [line, key] = created.stdout.trim().split('\n');
      const [id, name] = (line ?? '').split('\t');
      assert.match(id ?? '', /^key_/);
      assert.equal(name, 'ci');
      assert.ok(key && key.length > 20, 'the key is printed once');

      // The new key works against the same server, passed as a flag this time.
      const listed = await paddock(['keys', 'list', '--base-url', server.url, '--api-key', key ?? ''], {});
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, new RegExp(`^${id}\\tci\\t\\d{4}-`, 'm'));
      assert.ok(!listed.stdout.includes(key ?? '!'), 'list never shows a key');

      const revoked = await paddock(['keys', 'revoke', id ?? ''], env);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.equal(revoked.stdout, `revoked ${id}\n`);
      const again = await paddock(['keys', 'revoke', id ?? ''], env);
      assert.equal(again.code, 1);
      assert.equal(again.stdout, `no key ${id}\n`);
    });

    it('the admin key comes from PADDOCK_ADMIN_KEY and the URL from PADDOCK_PORT by default', async () => {
      const port = new URL(server.url).port;
      const listed = await paddock(['keys', 'list'], {
        PADDOCK_PORT: port,
        PADDOCK_ADMIN_KEY: TEST_ADMIN_KEY,
      });
      assert.equal(listed.code, 0, listed.stderr);
      const refused = await paddock(['keys', 'list'], { PADDOCK_PORT: port, PADDOCK_API_KEY: 'sk-wrong' });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /GET http:\/\/127\.0\.0\.1:\d+\/v1\/api_keys: 401/);
      const keyless = await paddock(['keys', 'list'], { PADDOCK_PORT: port });
      assert.equal(keyless.code, 1);
      assert.match(keyless.stderr, /401 .*no API key was sent: pass --api-key or set PADDOCK_API_KEY/);
    });

    it('creates an environment key for a self-hosted environment', async () => {
      const environment = await server.client.beta.environments.create({
        name: `cli-${dialect}`,
        config: { type: 'self_hosted' },
      } as never);
      const env = { PADDOCK_BASE_URL: server.url, PADDOCK_API_KEY: TEST_ADMIN_KEY };
      const created = await paddock(['env-key', 'create', environment.id, 'worker-1'], env);
      assert.equal(created.code, 0, created.stderr);
      const [line, key] = created.stdout.trim().split('\n');
      assert.equal(line?.split('\t')[1], environment.id);
      assert.ok(key && key.length > 20);
    });
  });
}

describe('paddock keys without a server', () => {
  it('says which URL it tried', async () => {
    const port = await freePort();
    const result = await paddock(['keys', 'list'], { PADDOCK_PORT: String(port), PADDOCK_API_KEY: 'x' });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(`could not reach the Paddock server at http://127\\.0\\.0\\.1:${port}`),
    );
    assert.match(result.stderr, /--base-url or PADDOCK_BASE_URL/);
  });
});
