import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { dumpDatabase } from '../support/database-dump.js';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

const SECRETS = [
  'sk-bearer-SECRET-1',
  'oauth-ACCESS-secret',
  'oauth-REFRESH-secret',
  'client-SECRET-xyz',
  'env-VALUE-secret',
];

/** Fails when any secret appears anywhere in a response. */
function assertNoSecret(response: unknown): void {
  const text = JSON.stringify(response);
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `response leaked ${secret}: ${text}`);
  assert.ok(!/"(token|access_token|refresh_token|client_secret|secret_value)"/.test(text), text);
}

for (const dialect of DIALECTS) {
  describe(`vaults and credentials over the SDK (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server.close());

    it('creates, retrieves, updates, archives and deletes a vault', async () => {
      const vaults = server.client.beta.vaults;
      const vault = await vaults.create({ display_name: 'Team secrets', metadata: { team: 'core' } });
      assert.match(vault.id, /^vlt_/);
      assert.equal(vault.type, 'vault');
      assert.deepEqual(await vaults.retrieve(vault.id), vault);
      const updated = await vaults.update(vault.id, {
        display_name: 'Renamed',
        metadata: { team: null, owner: 'me' },
      });
      assert.equal(updated.display_name, 'Renamed');
      assert.deepEqual(updated.metadata, { owner: 'me' });
      const archived = await vaults.archive(vault.id);
      assert.ok(archived.archived_at);
      await assert.rejects(vaults.update(vault.id, { display_name: 'x' }), Anthropic.BadRequestError);
      assert.deepEqual(await vaults.delete(vault.id), { id: vault.id, type: 'vault_deleted' });
      await assert.rejects(vaults.retrieve(vault.id), Anthropic.NotFoundError);
      await assert.rejects(vaults.create({ display_name: '' }), /display_name/);
      await assert.rejects(vaults.create({ display_name: 'x'.repeat(256) }), Anthropic.BadRequestError);
      // With no PADDOCK_SECRET_KEY, the sealing key lives in a file only the owner can read.
      assert.equal(statSync(join(server.database.dataDir, 'secret.key')).mode & 0o777, 0o600);
    });

    it('stores every auth variant write-only and never returns a secret', async () => {
      const vault = await server.client.beta.vaults.create({ display_name: 'Creds' });
      const credentials = server.client.beta.vaults.credentials;
      const bearer = await credentials.create(vault.id, {
        display_name: 'Linear',
        auth: { type: 'static_bearer', mcp_server_url: 'https://mcp.linear.app/mcp', token: SECRETS[0]! },
      });
      assertNoSecret(bearer);
      assert.match(bearer.id, /^vcrd_/);
      assert.equal(bearer.type, 'vault_credential');
      assert.equal(bearer.vault_id, vault.id);
      assert.deepEqual(bearer.auth, { type: 'static_bearer', mcp_server_url: 'https://mcp.linear.app/mcp' });

      const oauth = await credentials.create(vault.id, {
        auth: {
          type: 'mcp_oauth',
          mcp_server_url: 'https://mcp.example.com/sse',
          access_token: SECRETS[1]!,
          expires_at: '2030-01-01T00:00:00Z',
          refresh: {
            client_id: 'client-1',
            refresh_token: SECRETS[2]!,
            token_endpoint: 'https://auth.example.com/token',
            token_endpoint_auth: { type: 'client_secret_post', client_secret: SECRETS[3]! },
            scope: 'read write',
          },
        },
      });
      assertNoSecret(oauth);
      assert.deepEqual(oauth.auth, {
        type: 'mcp_oauth',
        mcp_server_url: 'https://mcp.example.com/sse',
        expires_at: '2030-01-01T00:00:00.000Z',
        refresh: {
          client_id: 'client-1',
          token_endpoint: 'https://auth.example.com/token',
          token_endpoint_auth: { type: 'client_secret_post' },
          scope: 'read write',
          resource: null,
        },
      });

      const variable = await credentials.create(vault.id, {
        auth: {
          type: 'environment_variable',
          secret_name: 'STRIPE_KEY',
          secret_value: SECRETS[4]!,
          networking: { type: 'limited', allowed_hosts: ['api.stripe.com'] },
        },
      });
      assertNoSecret(variable);
      assert.deepEqual(variable.auth, {
        type: 'environment_variable',
        secret_name: 'STRIPE_KEY',
        injection_location: { body: false, header: true },
        networking: { type: 'limited', allowed_hosts: ['api.stripe.com'] },
      });

      for (const credential of [bearer, oauth, variable]) {
        assertNoSecret(await credentials.retrieve(credential.id, { vault_id: vault.id }));
      }
      const listed = [];
      for await (const credential of credentials.list(vault.id)) listed.push(credential);
      assert.equal(listed.length, 3);
      assertNoSecret(listed);

      // The harness can open them again, host-side.
      const resolved = await server.paddock.context.vaults.resolveCredentials([vault.id]);
      const byId = new Map(resolved.map((entry) => [entry.id, entry.auth]));
      assert.equal((byId.get(bearer.id) as { token: string }).token, SECRETS[0]);
      const oauthAuth = byId.get(oauth.id) as {
        access_token: string;
        refresh: { refresh_token: string; token_endpoint_auth: { client_secret: string } };
      };
      assert.equal(oauthAuth.access_token, SECRETS[1]);
      assert.equal(oauthAuth.refresh.refresh_token, SECRETS[2]);
      assert.equal(oauthAuth.refresh.token_endpoint_auth.client_secret, SECRETS[3]);
      assert.equal((byId.get(variable.id) as { secret_value: string }).secret_value, SECRETS[4]);

      // Nothing in the database holds a secret in plaintext.
      const dump = await dumpDatabase(server);
      for (const secret of SECRETS) assert.ok(!dump.includes(secret), `${secret} stored in plaintext`);
      assert.ok(dump.includes('STRIPE_KEY'), 'the dump covers the credential rows');
    });

    it('updates secrets and mutable fields, keeps immutable ones and the auth type', async () => {
      const vault = await server.client.beta.vaults.create({ display_name: 'Updates' });
      const credentials = server.client.beta.vaults.credentials;
      const bearer = await credentials.create(vault.id, {
        auth: { type: 'static_bearer', mcp_server_url: 'https://one.example.com/mcp', token: 'old-token' },
      });
      const updated = await credentials.update(bearer.id, {
        vault_id: vault.id,
        display_name: 'Rotated',
        metadata: { rotated: 'yes' },
        auth: { type: 'static_bearer', token: 'new-token-SECRET' },
      });
      assert.equal(updated.display_name, 'Rotated');
      assert.deepEqual(updated.metadata, { rotated: 'yes' });
      assert.ok(!JSON.stringify(updated).includes('new-token-SECRET'));
      const [resolved] = await server.paddock.context.vaults.resolveCredentials([vault.id]);
      assert.equal((resolved!.auth as { token: string }).token, 'new-token-SECRET');
      await assert.rejects(
        credentials.update(bearer.id, {
          vault_id: vault.id,
          auth: { type: 'environment_variable', secret_value: 'x' },
        }),
        Anthropic.BadRequestError,
      );
      await assert.rejects(
        credentials.update(bearer.id, {
          vault_id: vault.id,
          auth: { type: 'static_bearer', mcp_server_url: 'https://other.example.com' } as never,
        }),
        /immutable/,
      );
      const variable = await credentials.create(vault.id, {
        auth: {
          type: 'environment_variable',
          secret_name: 'API_KEY',
          secret_value: 'v1',
          networking: { type: 'unrestricted' },
        },
      });
      // Where the value goes only narrows (test/api/credential-scope.test.ts covers the rule).
      await assert.rejects(
        credentials.update(variable.id, {
          vault_id: vault.id,
          auth: { type: 'environment_variable', injection_location: { body: true } },
        }),
        /injection_location\.body/,
      );
      await assert.rejects(
        credentials.update(variable.id, {
          vault_id: vault.id,
          auth: { type: 'environment_variable', injection_location: { body: false, header: false } },
        }),
        /injection_location/,
      );
    });

    it('maps errors: 404 across vaults, 409 duplicates, 400 bad auth', async () => {
      const vault = await server.client.beta.vaults.create({ display_name: 'Errors' });
      const other = await server.client.beta.vaults.create({ display_name: 'Other' });
      const credentials = server.client.beta.vaults.credentials;
      const auth = { type: 'static_bearer' as const, mcp_server_url: 'https://dup.example.com', token: 't' };
      const credential = await credentials.create(vault.id, { auth });
      await assert.rejects(credentials.create(vault.id, { auth }), Anthropic.ConflictError);
      await assert.rejects(
        credentials.retrieve(credential.id, { vault_id: other.id }),
        Anthropic.NotFoundError,
      );
      await assert.rejects(credentials.create('vlt_missing', { auth }), Anthropic.NotFoundError);
      await assert.rejects(
        credentials.create(vault.id, {
          auth: { type: 'static_bearer', mcp_server_url: 'not a url', token: 't' },
        }),
        (error: unknown) =>
          error instanceof Anthropic.BadRequestError && /mcp_server_url/.test(error.message),
      );
      await assert.rejects(
        credentials.create(vault.id, {
          auth: {
            type: 'environment_variable',
            secret_name: 'X',
            secret_value: 'y',
            networking: { type: 'limited', allowed_hosts: ['https://api.example.com/path'] },
          },
        }),
        /allowed_hosts/,
      );
      const archived = await credentials.archive(credential.id, { vault_id: vault.id });
      assert.ok(archived.archived_at);
      await assert.rejects(
        credentials.update(credential.id, { vault_id: vault.id, display_name: 'x' }),
        Anthropic.BadRequestError,
      );
      // An archived credential frees its MCP server URL.
      await credentials.create(vault.id, { auth });
      assert.deepEqual(await credentials.delete(credential.id, { vault_id: vault.id }), {
        id: credential.id,
        type: 'vault_credential_deleted',
      });
      await assert.rejects(
        credentials.delete(credential.id, { vault_id: vault.id }),
        Anthropic.NotFoundError,
      );
      // Deleting a vault removes its credentials and their secrets.
      await server.client.beta.vaults.delete(vault.id);
      assert.ok(!(await dumpDatabase(server)).includes(vault.id));
    });

    it('pages vaults and credentials through more than two pages', async () => {
      const vaults = [];
      for (let i = 0; i < 5; i++)
        vaults.push(await server.client.beta.vaults.create({ display_name: `page ${i}` }));
      await server.client.beta.vaults.archive(vaults[0]!.id);
      let pages = 0;
      const seen = new Set<string>();
      for await (const page of (await server.client.beta.vaults.list({ limit: 2 })).iterPages()) {
        pages += 1;
        for (const vault of page.data) seen.add(vault.id);
      }
      assert.ok(pages > 2);
      assert.ok(!seen.has(vaults[0]!.id) && seen.has(vaults[4]!.id));
      const all = [];
      for await (const vault of server.client.beta.vaults.list({ include_archived: true }))
        all.push(vault.id);
      assert.ok(all.includes(vaults[0]!.id));

      const vault = vaults[1]!;
      const created = [];
      for (let i = 0; i < 5; i++) {
        created.push(
          await server.client.beta.vaults.credentials.create(vault.id, {
            auth: { type: 'static_bearer', mcp_server_url: `https://s${i}.example.com`, token: `t${i}` },
          }),
        );
      }
      const pageList = await server.client.beta.vaults.credentials.list(vault.id, { limit: 2 });
      let credentialPages = 0;
      const credentialIds: string[] = [];
      for await (const page of pageList.iterPages()) {
        credentialPages += 1;
        credentialIds.push(...page.data.map((credential) => credential.id));
        assertNoSecret(page.data);
      }
      assert.ok(credentialPages > 2);
      assert.deepEqual(new Set(credentialIds), new Set(created.map((credential) => credential.id)));
    });
  });
}
