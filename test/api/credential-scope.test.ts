import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Issue #12, finding 1: an API key holder can update a credential but never
 * read its value, so no update may widen WHERE the value is sent. Every
 * field that decides it is pinned here: an environment_variable's hosts and
 * injection locations only narrow; MCP server URLs and secret names are
 * immutable; an OAuth token endpoint cannot be updated at all.
 * (test/sandbox/red-team-egress.test.ts runs the attack itself through a sandbox.)
 */
const refusedNaming = (field: RegExp) => (error: unknown) => {
  assert.ok(error instanceof Anthropic.BadRequestError, String(error));
  assert.match(error.message, field);
  const body = error.error as { type?: string; error?: { type?: string } };
  assert.equal(body?.type, 'error');
  assert.equal(body?.error?.type, 'invalid_request_error');
  return true;
};

for (const dialect of DIALECTS) {
  describe(`credential updates cannot widen where a secret goes (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server?.close());

    it('environment_variable: hosts never grow, body/header substitution never turns on', async () => {
      const credentials = server.client.beta.vaults.credentials;
      const vault = await server.client.beta.vaults.create({ display_name: 'scope' });
      const created = await credentials.create(vault.id, {
        auth: {
          type: 'environment_variable',
          secret_name: 'API_TOKEN',
          secret_value: 'the-real-value-0123456789',
          injection_location: { header: true, body: false },
          networking: { type: 'limited', allowed_hosts: ['api.example.com', '*.example.org'] },
        },
      });
      const update = (auth: Record<string, unknown>) =>
        credentials.update(created.id, {
          vault_id: vault.id,
          auth: { type: 'environment_variable', ...auth } as never,
        });

      // The attack: retarget the value at a host the key holder controls.
      await assert.rejects(
        update({ networking: { type: 'limited', allowed_hosts: ['attacker.example.net'] } }),
        refusedNaming(/auth\.networking\.allowed_hosts\[0\]/),
      );
      await assert.rejects(
        update({ networking: { type: 'limited', allowed_hosts: ['api.example.com', 'evil.example.com'] } }),
        refusedNaming(/auth\.networking\.allowed_hosts\[1\]/),
      );
      await assert.rejects(
        update({ networking: { type: 'unrestricted' } }),
        refusedNaming(/auth\.networking/),
      );
      await assert.rejects(
        update({ networking: { type: 'limited', allowed_hosts: ['*.com'] } }),
        refusedNaming(/allowed_hosts\[0\]/),
      );
      await assert.rejects(
        update({ networking: { type: 'limited', allowed_hosts: ['example.org'] } }),
        refusedNaming(/allowed_hosts\[0\]/),
        'a wildcard does not cover its apex',
      );
      await assert.rejects(
        update({ injection_location: { body: true } }),
        refusedNaming(/injection_location\.body/),
      );
      await assert.rejects(update({ secret_name: 'OTHER' }), refusedNaming(/auth\.secret_name/));
      assert.deepEqual((await credentials.retrieve(created.id, { vault_id: vault.id })).auth, created.auth);

      // Narrowing is fine: fewer hosts, a subdomain of a wildcard, and rotating the value.
      const narrowed = await update({
        secret_value: 'rotated-value-0123456789',
        networking: { type: 'limited', allowed_hosts: ['API.example.com', 'eu.example.org'] },
      });
      assert.deepEqual(narrowed.auth.type === 'environment_variable' && narrowed.auth.networking, {
        type: 'limited',
        allowed_hosts: ['API.example.com', 'eu.example.org'],
      });
      await assert.rejects(
        update({ networking: { type: 'limited', allowed_hosts: ['x.example.org'] } }),
        refusedNaming(/allowed_hosts\[0\]/),
        'what was narrowed away cannot come back',
      );
    });

    it('unrestricted can become limited; body substitution once off stays off', async () => {
      const credentials = server.client.beta.vaults.credentials;
      const vault = await server.client.beta.vaults.create({ display_name: 'narrowing' });
      const created = await credentials.create(vault.id, {
        auth: {
          type: 'environment_variable',
          secret_name: 'WIDE',
          secret_value: 'wide-value-0123456789',
          injection_location: { header: true, body: true },
          networking: { type: 'unrestricted' },
        },
      });
      const limited = await credentials.update(created.id, {
        vault_id: vault.id,
        auth: {
          type: 'environment_variable',
          injection_location: { body: false },
          networking: { type: 'limited', allowed_hosts: ['api.example.com'] },
        },
      });
      assert.deepEqual(limited.auth.type === 'environment_variable' && limited.auth.injection_location, {
        header: true,
        body: false,
      });
      await assert.rejects(
        credentials.update(created.id, {
          vault_id: vault.id,
          auth: { type: 'environment_variable', injection_location: { body: true, header: false } },
        }),
        refusedNaming(/injection_location\.body/),
      );
    });

    it('MCP credentials: the server URL is immutable and the token endpoint is not updatable', async () => {
      const credentials = server.client.beta.vaults.credentials;
      const vault = await server.client.beta.vaults.create({ display_name: 'mcp scope' });
      const oauth = await credentials.create(vault.id, {
        auth: {
          type: 'mcp_oauth',
          mcp_server_url: 'https://mcp.example.com/mcp',
          access_token: 'access-0123456789',
          refresh: {
            client_id: 'client',
            refresh_token: 'refresh-0123456789',
            token_endpoint: 'https://auth.example.com/token',
            token_endpoint_auth: { type: 'client_secret_post', client_secret: 'secret-0123456789' },
          },
        },
      });
      await assert.rejects(
        credentials.update(oauth.id, {
          vault_id: vault.id,
          auth: { type: 'mcp_oauth', mcp_server_url: 'https://attacker.example.net/mcp' } as never,
        }),
        refusedNaming(/auth\.mcp_server_url/),
      );
      await assert.rejects(
        credentials.update(oauth.id, {
          vault_id: vault.id,
          auth: {
            type: 'mcp_oauth',
            refresh: { token_endpoint: 'https://attacker.example.net/token' },
          } as never,
        }),
        refusedNaming(/token_endpoint/),
      );
      const bearer = await credentials.create(vault.id, {
        auth: { type: 'static_bearer', mcp_server_url: 'https://mcp2.example.com/', token: 'tok-0123456789' },
      });
      await assert.rejects(
        credentials.update(bearer.id, {
          vault_id: vault.id,
          auth: { type: 'static_bearer', mcp_server_url: 'https://attacker.example.net/' } as never,
        }),
        refusedNaming(/auth\.mcp_server_url/),
      );
      assert.deepEqual((await credentials.retrieve(oauth.id, { vault_id: vault.id })).auth, oauth.auth);
    });
  });
}
