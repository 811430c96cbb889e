import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { ConsoleClient } from '../../src/console/static/api.js';
import { DEFAULT_WORKSPACE_ID } from '../../src/core/workspaces/workspace-scope.js';
import { runInProcess } from '../cli/cli-process.js';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.js';
import { call } from '../support/tenancy.js';

for (const dialect of DIALECTS) {
  describe(`organization: workspaces, keys and the audit log (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server?.close());

    it('workspaces as client.beta.organization.workspaces calls them; the default one exists from the start', async () => {
      const workspaces = server.client.beta.organization.workspaces;
      const listed = [];
      for await (const workspace of workspaces.list()) listed.push(workspace.id);
      assert.deepEqual(listed, [DEFAULT_WORKSPACE_ID]);
      const created = await workspaces.create({ name: 'Team A', tags: { team: 'a' } });
      assert.equal(created.type, 'workspace');
      assert.equal(created.name, 'Team A');
      assert.deepEqual(created.tags, { team: 'a' });
      assert.equal(created.archived_at, null);
      assert.equal((await workspaces.retrieve(created.id)).name, 'Team A');
      const renamed = await workspaces.update(created.id, {
        name: 'Team A2',
        tags: { team: null, tier: 'x' },
      });
      assert.equal(renamed.name, 'Team A2');
      assert.deepEqual(renamed.tags, { tier: 'x' });
      const second = await workspaces.create({ name: 'Team B' });
      const page = await workspaces.list({ limit: 1, include_default: false });
      assert.equal(page.data.length, 1);
      assert.equal(page.has_more, true);
      const all = [];
      for await (const workspace of workspaces.list({ limit: 1, include_default: false }))
        all.push(workspace.id);
      assert.deepEqual(all, [created.id, second.id], 'the SDK pages with after_id');
      const archived = await workspaces.archive(second.id);
      assert.ok(archived.archived_at);
      const active = [];
      for await (const workspace of workspaces.list()) active.push(workspace.id);
      assert.ok(!active.includes(second.id));
      await assert.rejects(workspaces.retrieve('wrkspc_missing'), Anthropic.NotFoundError);
      await assert.rejects(workspaces.archive(DEFAULT_WORKSPACE_ID), Anthropic.BadRequestError);
      // Rows from before tenancy (and an admin's without a header) live in the default workspace.
      const agent = await server.client.beta.agents.create({ name: 'old', model: 'claude-sonnet-4-6' });
      const record = await server.paddock.store.resources.get('agent', agent.id);
      assert.equal(record?.workspaceId, DEFAULT_WORKSPACE_ID);
    });

    it('keys: created once with a scope, listed, retrieved and deactivated through the SDK', async () => {
      const admin = server.client;
      const workspace = await admin.beta.organization.workspaces.create({ name: 'Keys' });
      const created = await admin.post<{ id: string; key: string; scope: unknown }>(
        '/v1/organizations/api_keys',
        {
          body: { name: 'ci', workspace_id: workspace.id },
        },
      );
      assert.match(created.key, /^sk-paddock-/);
      assert.deepEqual(created.scope, { type: 'workspace', workspace_id: workspace.id });
      const retrieved = await admin.beta.organization.apiKeys.retrieve(created.id);
      assert.equal(retrieved.status, 'active');
      assert.ok(!JSON.stringify(retrieved).includes(created.key), 'the secret is shown once');
      const inWorkspace = [];
      for await (const key of admin.beta.organization.apiKeys.list({ workspace_id: workspace.id }))
        inWorkspace.push(key.id);
      assert.deepEqual(inWorkspace, [created.id]);
      const user = new Anthropic({ baseURL: server.url, apiKey: created.key, maxRetries: 0 });
      await user.beta.agents.list();
      // A workspace key cannot manage keys or workspaces.
      await assert.rejects(
        user.beta.organization.apiKeys.list().then((page) => page.data),
        Anthropic.PermissionDeniedError,
      );
      await assert.rejects(
        user.beta.organization.workspaces.create({ name: 'x' }),
        Anthropic.PermissionDeniedError,
      );
      const inactive = await admin.beta.organization.apiKeys.update(created.id, {
        status: 'inactive',
        name: 'ci-off',
      });
      assert.equal(inactive.status, 'inactive');
      assert.equal(inactive.name, 'ci-off');
      await assert.rejects(user.beta.agents.list(), Anthropic.AuthenticationError);
      await admin.beta.organization.apiKeys.update(created.id, { status: 'active' });
      await user.beta.agents.list();
      // An organization key created by the admin is an admin too.
      const org = await admin.post<{ key: string; scope: unknown }>('/v1/organizations/api_keys', {
        body: { name: 'ops' },
      });
      assert.deepEqual(org.scope, { type: 'organization' });
      const ops = new Anthropic({ baseURL: server.url, apiKey: org.key, maxRetries: 0 });
      await ops.beta.organization.workspaces.retrieve(workspace.id);
    });

    it('paddock keys create NAME --workspace ID makes a key of that workspace', async () => {
      const workspace = await server.client.beta.organization.workspaces.create({ name: 'CLI' });
      const { code, output } = await runInProcess([
        'keys',
        'create',
        'from-cli',
        '--workspace',
        workspace.id,
        '--base-url',
        server.url,
        '--api-key',
        TEST_ADMIN_KEY,
      ]);
      assert.equal(code, 0, output);
      const [line, key] = output.trim().split('\n');
      const id = (line ?? '').split('\t')[0] ?? '';
      const retrieved = await server.client.beta.organization.apiKeys.retrieve(id);
      assert.deepEqual(retrieved.scope, { type: 'workspace', workspace_id: workspace.id });
      const me = await call(server, key ?? '', 'GET', '/v1/organizations/me', undefined);
      assert.equal(me.json['workspace_id'], workspace.id);
    });

    it("the console's client acts in the workspace an admin picked", async () => {
      const workspace = await server.client.beta.organization.workspaces.create({ name: 'Console' });
      const admin = new ConsoleClient({
        apiKey: TEST_ADMIN_KEY,
        baseUrl: server.url,
        workspaceId: workspace.id,
      });
      const me = await admin.json('GET', '/v1/organizations/me');
      assert.equal(me.workspace_id, workspace.id);
      assert.deepEqual(me.scope, { type: 'organization' });
      await admin.json('POST', '/v1/agents', { body: { name: 'in console ws', model: 'claude-sonnet-4-6' } });
      const inWorkspace = await admin.json('GET', '/v1/agents');
      assert.deepEqual(
        inWorkspace.data.map((agent: { name: string }) => agent.name),
        ['in console ws'],
      );
    });

    it('the audit log: who changed which workspace, key, vault or credential, and never a secret', async () => {
      const admin = server.client;
      const workspace = await admin.beta.organization.workspaces.create({ name: 'Audited' });
      const created = await admin.post<{ id: string; key: string }>('/v1/organizations/api_keys', {
        body: { name: 'audited', workspace_id: workspace.id },
      });
      const user = new Anthropic({ baseURL: server.url, apiKey: created.key, maxRetries: 0 });
      const vault = await user.beta.vaults.create({ display_name: 'v' });
      const secret = 'tok-very-secret-0123456789';
      const credential = await user.beta.vaults.credentials.create(vault.id, {
        auth: { type: 'static_bearer', mcp_server_url: 'https://mcp.example.com/mcp', token: secret },
      });
      await user.beta.vaults.credentials.update(credential.id, {
        vault_id: vault.id,
        auth: { type: 'static_bearer', token: `${secret}-2` },
      });
      await user.beta.vaults.credentials.delete(credential.id, { vault_id: vault.id });
      await admin.beta.organization.apiKeys.update(created.id, { status: 'inactive' });

      const log = await call(
        server,
        TEST_ADMIN_KEY,
        'GET',
        '/v1/organizations/audit_log?limit=50',
        undefined,
      );
      assert.equal(log.status, 200);
      const entries = log.json['data'] as Array<{
        action: string;
        actor: { id: string };
        target: { id: string };
        workspace_id: string | null;
        occurred_at: string;
      }>;
      const actions = entries.map((entry) => `${entry.action} ${entry.target.id}`);
      for (const expected of [
        `workspace.created ${workspace.id}`,
        `api_key.created ${created.id}`,
        `vault.created ${vault.id}`,
        `credential.created ${credential.id}`,
        `credential.updated ${credential.id}`,
        `credential.deleted ${credential.id}`,
        `api_key.updated ${created.id}`,
      ])
        assert.ok(actions.includes(expected), `${expected} in ${actions.join(', ')}`);
      const byUser = entries.find((entry) => entry.action === 'credential.created');
      assert.equal(byUser?.actor.id, created.id, 'who: the acting key');
      assert.equal(byUser?.workspace_id, workspace.id);
      assert.ok(byUser?.occurred_at);
      assert.equal(entries.find((entry) => entry.action === 'workspace.created')?.actor.id, 'admin');
      assert.ok(!log.text.includes(secret), 'no credential secret');
      assert.ok(!log.text.includes(created.key), 'no key secret');
      const forWorkspace = await call(
        server,
        TEST_ADMIN_KEY,
        'GET',
        `/v1/organizations/audit_log?workspace_id=${workspace.id}`,
        undefined,
      );
      assert.ok(
        (forWorkspace.json['data'] as Array<{ workspace_id: string }>).every(
          (e) => e.workspace_id === workspace.id,
        ),
      );
    });
  });
}
