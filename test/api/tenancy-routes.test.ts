import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { routeTable } from '../../src/api/app.js';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.js';
import { adminClient, call, type Tenant, tenantWorld, type World } from '../support/tenancy.js';
import { testCa } from '../support/test-ca.js';

/**
 * Every route the app serves, with the scope decision it was built with. A route missing here
 * fails the first test: whoever adds a route decides, in this table, who may call it.
 * - `open`: no credential (health, the console's static files);
 * - `admin`: organization (admin) keys only: 403 permission_error for a workspace key;
 * - `self`: any key, about itself;
 * - `tenant`: a workspace's resources: a foreign id reads exactly like a missing one (404);
 * - `worker`: environment keys / sessions tokens only, confined to their environment (403).
 */
const SCOPE: Record<string, 'open' | 'admin' | 'self' | 'tenant' | 'worker'> = {
  'GET /health': 'open',
  // Operators' metrics (docs/operations.md); PADDOCK_METRICS_PORT serves them on a port of their own.
  'GET /metrics': 'admin',
  'GET /': 'open',
  'GET /console': 'open',
  'GET /console/*': 'open',
  'POST /v1/api_keys': 'admin',
  'GET /v1/api_keys': 'admin',
  'DELETE /v1/api_keys/:key_id': 'admin',
  'POST /v1/organizations/workspaces': 'admin',
  'GET /v1/organizations/workspaces/:workspace_id': 'admin',
  'POST /v1/organizations/workspaces/:workspace_id': 'admin',
  'POST /v1/organizations/workspaces/:workspace_id/archive': 'admin',
  'GET /v1/organizations/workspaces': 'admin',
  'POST /v1/organizations/api_keys': 'admin',
  'GET /v1/organizations/api_keys/:api_key_id': 'admin',
  'POST /v1/organizations/api_keys/:api_key_id': 'admin',
  'GET /v1/organizations/api_keys': 'admin',
  'GET /v1/organizations/audit_log': 'admin',
  'GET /v1/organizations/me': 'self',
  'POST /v1/agents': 'tenant',
  'GET /v1/agents/:agent_id': 'tenant',
  'POST /v1/agents/:agent_id': 'tenant',
  'POST /v1/agents/:agent_id/archive': 'tenant',
  'GET /v1/agents': 'tenant',
  'GET /v1/agents/:agent_id/versions': 'tenant',
  'POST /v1/environments': 'tenant',
  'GET /v1/environments/:environment_id': 'tenant',
  'POST /v1/environments/:environment_id': 'tenant',
  'POST /v1/environments/:environment_id/archive': 'tenant',
  'GET /v1/environments/:environment_id/build': 'tenant',
  'DELETE /v1/environments/:environment_id': 'tenant',
  'GET /v1/environments': 'tenant',
  'POST /v1/environments/:environment_id/keys': 'tenant',
  'GET /v1/environments/:environment_id/keys': 'tenant',
  'DELETE /v1/environments/:environment_id/keys/:key_id': 'tenant',
  'GET /v1/environments/:environment_id/work/poll': 'worker',
  'GET /v1/environments/:environment_id/work/stats': 'tenant',
  'GET /v1/environments/:environment_id/work': 'worker',
  'POST /v1/environments/:environment_id/work/:work_id/ack': 'worker',
  'POST /v1/environments/:environment_id/work/:work_id/heartbeat': 'worker',
  'POST /v1/environments/:environment_id/work/:work_id/stop': 'tenant',
  'GET /v1/environments/:environment_id/work/:work_id': 'tenant',
  'POST /v1/environments/:environment_id/work/:work_id': 'tenant',
  'POST /v1/vaults': 'tenant',
  'GET /v1/vaults/:vault_id': 'tenant',
  'POST /v1/vaults/:vault_id': 'tenant',
  'POST /v1/vaults/:vault_id/archive': 'tenant',
  'DELETE /v1/vaults/:vault_id': 'tenant',
  'GET /v1/vaults': 'tenant',
  'POST /v1/vaults/:vault_id/credentials': 'tenant',
  'GET /v1/vaults/:vault_id/credentials/:credential_id': 'tenant',
  'POST /v1/vaults/:vault_id/credentials/:credential_id': 'tenant',
  'POST /v1/vaults/:vault_id/credentials/:credential_id/archive': 'tenant',
  'DELETE /v1/vaults/:vault_id/credentials/:credential_id': 'tenant',
  'GET /v1/vaults/:vault_id/credentials': 'tenant',
  'POST /v1/vaults/:vault_id/credentials/:credential_id/mcp_oauth_validate': 'tenant',
  'POST /v1/sessions': 'tenant',
  'GET /v1/sessions/:session_id': 'tenant',
  'POST /v1/sessions/:session_id': 'tenant',
  'GET /v1/sessions': 'tenant',
  'POST /v1/sessions/:session_id/archive': 'tenant',
  'DELETE /v1/sessions/:session_id': 'tenant',
  'GET /v1/sessions/:session_id/cost': 'tenant',
  'GET /v1/usage_report': 'tenant',
  'POST /v1/sessions/:session_id/events': 'tenant',
  'GET /v1/sessions/:session_id/events': 'tenant',
  'GET /v1/sessions/:session_id/events/stream': 'tenant',
  'GET /v1/sessions/:session_id/resources': 'tenant',
  'POST /v1/sessions/:session_id/resources': 'tenant',
  'GET /v1/sessions/:session_id/resources/:resource_id': 'tenant',
  'POST /v1/sessions/:session_id/resources/:resource_id': 'tenant',
  'DELETE /v1/sessions/:session_id/resources/:resource_id': 'tenant',
  'GET /v1/sessions/:session_id/threads': 'tenant',
  'GET /v1/sessions/:session_id/threads/:thread_id': 'tenant',
  'POST /v1/sessions/:session_id/threads/:thread_id/archive': 'tenant',
  'GET /v1/sessions/:session_id/threads/:thread_id/events': 'tenant',
  'GET /v1/sessions/:session_id/threads/:thread_id/stream': 'tenant',
  'POST /v1/files': 'tenant',
  'GET /v1/files': 'tenant',
  'GET /v1/files/:file_id': 'tenant',
  'GET /v1/files/:file_id/content': 'tenant',
  'DELETE /v1/files/:file_id': 'tenant',
  'POST /v1/memory_stores': 'tenant',
  'GET /v1/memory_stores': 'tenant',
  'GET /v1/memory_stores/:memory_store_id': 'tenant',
  'POST /v1/memory_stores/:memory_store_id': 'tenant',
  'POST /v1/memory_stores/:memory_store_id/archive': 'tenant',
  'DELETE /v1/memory_stores/:memory_store_id': 'tenant',
  'POST /v1/memory_stores/:memory_store_id/memories': 'tenant',
  'GET /v1/memory_stores/:memory_store_id/memories': 'tenant',
  'GET /v1/memory_stores/:memory_store_id/memories/:memory_id': 'tenant',
  'POST /v1/memory_stores/:memory_store_id/memories/:memory_id': 'tenant',
  'DELETE /v1/memory_stores/:memory_store_id/memories/:memory_id': 'tenant',
  'GET /v1/memory_stores/:memory_store_id/memory_versions': 'tenant',
  'GET /v1/memory_stores/:memory_store_id/memory_versions/:memory_version_id': 'tenant',
  'POST /v1/memory_stores/:memory_store_id/memory_versions/:memory_version_id/redact': 'tenant',
  'POST /v1/dreams': 'tenant',
  'GET /v1/dreams': 'tenant',
  'GET /v1/dreams/:dream_id': 'tenant',
  'POST /v1/dreams/:dream_id/archive': 'tenant',
  'POST /v1/dreams/:dream_id/cancel': 'tenant',
  'POST /v1/deployments': 'tenant',
  'GET /v1/deployments': 'tenant',
  'GET /v1/deployments/:deployment_id': 'tenant',
  'POST /v1/deployments/:deployment_id': 'tenant',
  'POST /v1/deployments/:deployment_id/archive': 'tenant',
  'POST /v1/deployments/:deployment_id/pause': 'tenant',
  'POST /v1/deployments/:deployment_id/unpause': 'tenant',
  'POST /v1/deployments/:deployment_id/run': 'tenant',
  'GET /v1/deployment_runs': 'tenant',
  'GET /v1/deployment_runs/:deployment_run_id': 'tenant',
  'POST /v1/skills': 'tenant',
  'GET /v1/skills': 'tenant',
  'GET /v1/skills/:skill_id': 'tenant',
  'DELETE /v1/skills/:skill_id': 'tenant',
  'POST /v1/skills/:skill_id/versions': 'tenant',
  'GET /v1/skills/:skill_id/versions': 'tenant',
  // Also a worker's (setupSkills): its environment key reads its own workspace's skills only.
  'GET /v1/skills/:skill_id/versions/:version': 'tenant',
  'DELETE /v1/skills/:skill_id/versions/:version': 'tenant',
  'GET /v1/skills/:skill_id/versions/:version/content': 'tenant',
  'POST /v1/tunnels': 'tenant',
  'GET /v1/tunnels': 'tenant',
  'GET /v1/tunnels/:tunnel_id': 'tenant',
  'POST /v1/tunnels/:tunnel_id/archive': 'tenant',
  'POST /v1/tunnels/:tunnel_id/reveal_token': 'tenant',
  'POST /v1/tunnels/:tunnel_id/rotate_token': 'tenant',
  'POST /v1/tunnels/:tunnel_id/certificates': 'tenant',
  'GET /v1/tunnels/:tunnel_id/certificates': 'tenant',
  'GET /v1/tunnels/:tunnel_id/certificates/:certificate_id': 'tenant',
  'POST /v1/tunnels/:tunnel_id/certificates/:certificate_id/archive': 'tenant',
  'POST /v1/user_profiles': 'tenant',
  'GET /v1/user_profiles': 'tenant',
  'GET /v1/user_profiles/:user_profile_id': 'tenant',
  'POST /v1/user_profiles/:user_profile_id': 'tenant',
  'DELETE /v1/user_profiles/:user_profile_id': 'tenant',
  'POST /v1/user_profiles/:user_profile_id/enrollment_url': 'tenant',
  'POST /v1/user_profiles/:user_profile_id/action_urls': 'tenant',
  // What an enrollment or action URL opens: the sealed token in the path is the credential.
  'GET /user_profiles/enroll/:token': 'open',
  // Webhook endpoints are the caller's workspace's (docs/webhooks.md), not organization-wide.
  'POST /v1/organizations/webhooks': 'tenant',
  'GET /v1/organizations/webhooks': 'tenant',
  'GET /v1/organizations/webhooks/:webhook_endpoint_id': 'tenant',
  'POST /v1/organizations/webhooks/:webhook_endpoint_id': 'tenant',
  'DELETE /v1/organizations/webhooks/:webhook_endpoint_id': 'tenant',
  'POST /v1/organizations/webhooks/:webhook_endpoint_id/regenerate_signing_secret': 'tenant',
  'GET /v1/organizations/webhooks/:webhook_endpoint_id/deliveries': 'tenant',
  'POST /v1/organizations/webhooks/:webhook_endpoint_id/deliveries/:delivery_id/redeliver': 'tenant',
};

/** Bodies valid enough that only the scope can refuse them (validation runs before lookups). */
const BODY: Record<string, (t: Tenant) => unknown> = {
  'POST /v1/agents/:agent_id': () => ({ version: 1, name: 'renamed' }),
  'POST /v1/environments/:environment_id': () => ({ description: 'x' }),
  'POST /v1/vaults/:vault_id': () => ({ display_name: 'renamed' }),
  'POST /v1/vaults/:vault_id/credentials': () => ({
    auth: { type: 'static_bearer', mcp_server_url: 'https://mcp.example.com/mcp', token: 'tok' },
  }),
  'POST /v1/vaults/:vault_id/credentials/:credential_id': () => ({ display_name: 'renamed' }),
  'POST /v1/sessions/:session_id': () => ({ title: 'renamed' }),
  'POST /v1/sessions/:session_id/events': () => ({
    events: [{ type: 'user.message', content: [{ type: 'text', text: 'hello' }] }],
  }),
  'POST /v1/sessions/:session_id/resources': (t) => ({ type: 'file', file_id: t.file }),
  'POST /v1/sessions/:session_id/resources/:resource_id': () => ({ authorization_token: 'x' }),
  'POST /v1/environments/:environment_id/work/:work_id': () => ({ metadata: { a: 'b' } }),
  'POST /v1/environments/:environment_id/work/:work_id/stop': () => ({}),
  'POST /v1/environments/:environment_id/work/:work_id/heartbeat': () => ({}),
  'POST /v1/environments/:environment_id/keys': () => ({}),
  'POST /v1/memory_stores/:memory_store_id': () => ({ name: 'renamed' }),
  'POST /v1/deployments/:deployment_id': () => ({ description: 'renamed' }),
  'POST /v1/memory_stores/:memory_store_id/memories': () => ({ path: '/x.md', content: 'x' }),
  'POST /v1/memory_stores/:memory_store_id/memories/:memory_id': () => ({ content: 'x' }),
  'POST /v1/tunnels/:tunnel_id/certificates': () => ({ ca_certificate_pem: testCa().cert }),
  'POST /v1/user_profiles/:user_profile_id': () => ({ name: 'renamed' }),
  'POST /v1/organizations/webhooks/:webhook_endpoint_id': () => ({ name: 'renamed' }),
  'POST /v1/user_profiles/:user_profile_id/action_urls': () => ({ action: { type: 'enroll_end_user' } }),
};

const PARAM: Record<string, (t: Tenant) => string> = {
  agent_id: (t) => t.agent,
  environment_id: (t) => t.environment,
  vault_id: (t) => t.vault,
  credential_id: (t) => t.credential,
  session_id: (t) => t.session,
  resource_id: (t) => t.resource,
  thread_id: (t) => t.thread,
  file_id: (t) => t.file,
  work_id: (t) => t.work,
  key_id: (t) => t.environmentKeyId,
  workspace_id: (t) => t.workspace,
  api_key_id: (t) => t.keyId,
  memory_store_id: (t) => t.memoryStore,
  memory_id: (t) => t.memory,
  memory_version_id: (t) => t.memoryVersion,
  dream_id: (t) => t.dream,
  skill_id: (t) => t.skill,
  version: (t) => t.skillVersion,
  tunnel_id: (t) => t.tunnel,
  certificate_id: (t) => t.tunnelCertificate,
  user_profile_id: (t) => t.userProfile,
  webhook_endpoint_id: (t) => t.webhookEndpoint,
  deployment_id: (t) => t.deployment,
  deployment_run_id: (t) => t.deploymentRun,
  // The endpoint is looked up first: another workspace's reads as missing whatever the delivery.
  delivery_id: () => 'whdlv_missing',
};

const pathFor = (url: string, t: Tenant) =>
  url.replace(/:([a-z_]+)/g, (_match, name: string) => {
    const value = PARAM[name];
    assert.ok(value, `no value for :${name} in ${url}`);
    return value(t);
  });

for (const dialect of DIALECTS) {
  describe(`tenancy over every route (${dialect})`, () => {
    let server: TestServer;
    let world: World;
    before(async () => {
      server = await startTestServer(dialect);
      world = await tenantWorld(server);
    });
    after(async () => server?.close());

    it('every route in the app has a scope decision, and every decision a route', () => {
      const served = routeTable(server.paddock.app).map((route) => `${route.method} ${route.url}`);
      const undecided = served.filter((route) => !(route in SCOPE));
      assert.deepEqual(undecided, [], 'routes without a scope decision in SCOPE');
      assert.deepEqual(
        Object.keys(SCOPE).filter((route) => !served.includes(route)),
        [],
        'decisions for routes the app no longer serves',
      );
    });

    it("workspace A's key gets 404 not_found_error on every one of B's ids, and 403 on admin routes", async () => {
      const { a, b } = world;
      const outcomes: string[] = [];
      for (const route of routeTable(server.paddock.app)) {
        const key = `${route.method} ${route.url}`;
        const scope = SCOPE[key];
        if (scope === 'open' || scope === 'self') continue;
        const hasParams = route.url.includes(':');
        if (scope === 'tenant' && !hasParams) continue; // lists and creates: the next tests
        const path = pathFor(route.url, b);
        const body = BODY[key]?.(a);
        if (scope === 'worker') {
          // A's environment key on B's environment, and A's API key (not a worker credential).
          const byWorker = await call(server, a.environmentKey, route.method, path, body);
          const byKey = await call(server, a.key, route.method, path, body);
          outcomes.push(`${key} env=${byWorker.status}:${byWorker.type} key=${byKey.status}:${byKey.type}`);
          assert.equal(byWorker.status, 403, `${key} with A's environment key`);
          assert.equal(byKey.status, 403, `${key} with A's API key`);
          continue;
        }
        const response = await call(server, a.key, route.method, path, body);
        outcomes.push(`${key} ${response.status}:${response.type}`);
        if (scope === 'admin') {
          assert.equal(response.status, 403, `${key}: ${response.text}`);
          assert.equal(response.type, 'permission_error', key);
        } else {
          assert.equal(response.status, 404, `${key}: ${response.text}`);
          assert.equal(response.type, 'not_found_error', key);
          // Exactly like a missing id: nothing of B's in the answer but the id that was asked for.
          assert.ok(!response.text.includes(b.workspace), `${key} names B's workspace`);
        }
        if (
          route.url.includes(':environment_id') &&
          scope === 'tenant' &&
          route.workerKinds.includes('environment')
        ) {
          const byWorker = await call(server, a.environmentKey, route.method, path, body);
          assert.equal(byWorker.status, 403, `${key} with A's environment key: ${byWorker.text}`);
        }
      }
      assert.ok(outcomes.length > 50, `walked ${outcomes.length} routes`);
    });

    it("lists never include the other workspace's rows; B's own key and the admin still see them", async () => {
      const { a, b } = world;
      const lists = routeTable(server.paddock.app).filter(
        (route) => route.method === 'GET' && SCOPE[`${route.method} ${route.url}`] === 'tenant',
      );
      for (const route of lists) {
        const key = `${route.method} ${route.url}`;
        if (route.url.endsWith('/stream') || route.url.endsWith('/content')) continue;
        if (route.url.includes(':')) {
          // B's own key reads its own rows through the same route.
          const own = await call(server, b.key, 'GET', pathFor(route.url, b), undefined);
          assert.equal(own.status, 200, `${key} by B: ${own.text}`);
          continue;
        }
        const url =
          route.url === '/v1/usage_report' ? `${route.url}?starting_at=2020-01-01T00:00:00Z` : route.url;
        const listed = await call(server, a.key, 'GET', url, undefined);
        assert.equal(listed.status, 200, `${key}: ${listed.text}`);
        for (const id of b.ids()) assert.ok(!listed.text.includes(id), `${key} shows B's ${id} to A`);
        const admin = await call(server, TEST_ADMIN_KEY, 'GET', url, undefined);
        assert.equal(admin.status, 200);
        // The admin acting in A (the SDK's workspace_id header) sees A's rows, never B's.
        const inA = await call(server, TEST_ADMIN_KEY, 'GET', url, undefined, a.workspace);
        for (const id of b.ids()) assert.ok(!inA.text.includes(id), `${key} in A shows B's ${id}`);
      }
    });

    it('the workspace header: a workspace key naming another gets 403; the admin acts where it names', async () => {
      const { a, b } = world;
      const foreign = await call(server, a.key, 'GET', '/v1/agents', undefined, b.workspace);
      assert.equal(foreign.status, 403);
      assert.equal(foreign.type, 'permission_error');
      const own = await call(server, a.key, 'GET', '/v1/agents', undefined, a.workspace);
      assert.equal(own.status, 200);
      const adminInA = await call(
        server,
        TEST_ADMIN_KEY,
        'GET',
        `/v1/agents/${b.agent}`,
        undefined,
        a.workspace,
      );
      assert.equal(adminInA.status, 404);
      const adminAll = await call(server, TEST_ADMIN_KEY, 'GET', `/v1/agents/${b.agent}`, undefined);
      assert.equal(adminAll.status, 200);
      const missing = await call(server, TEST_ADMIN_KEY, 'GET', '/v1/agents', undefined, 'wrkspc_missing');
      assert.equal(missing.status, 404);
      const me = await call(server, a.key, 'GET', '/v1/organizations/me', undefined);
      assert.equal(me.json['workspace_id'], a.workspace);
    });

    it("a session uses only its workspace's agent, environment, vaults and files", async () => {
      const { a, b } = world;
      // A workspace key: B's rows read as missing.
      const byA = await call(server, a.key, 'POST', '/v1/sessions', {
        agent: b.agent,
        environment_id: a.environment,
      });
      assert.equal(byA.status, 404);
      // The admin naming A: B's rows read as missing there too.
      const inA = await call(
        server,
        TEST_ADMIN_KEY,
        'POST',
        '/v1/sessions',
        { agent: b.agent, environment_id: a.environment },
        a.workspace,
      );
      assert.equal(inA.status, 404);
      // The admin without a header sees every row but creates in the default workspace: 400 naming the field.
      const admin = adminClient(server);
      const agent = (await admin.beta.agents.create({ name: 'default-agent', model: 'claude-sonnet-4-6' }))
        .id;
      const environment = (await admin.beta.environments.create({ name: 'default-env' })).id;
      const cases: Array<[string, Record<string, unknown>, string]> = [
        ['agent', { agent: b.agent, environment_id: environment }, 'agent'],
        ['environment', { agent, environment_id: b.environment }, 'environment_id'],
        ['vault', { agent, environment_id: environment, vault_ids: [b.vault] }, 'vault_ids[0]'],
        [
          'file',
          { agent, environment_id: environment, resources: [{ type: 'file', file_id: b.file }] },
          'resources[0].file_id',
        ],
      ];
      for (const [label, body, field] of cases) {
        const response = await call(server, TEST_ADMIN_KEY, 'POST', '/v1/sessions', body);
        assert.equal(response.status, 400, `${label}: ${response.text}`);
        assert.ok(response.message.startsWith(`${field}: `), `${label}: ${response.message}`);
      }
      const own = await call(server, TEST_ADMIN_KEY, 'POST', '/v1/sessions', {
        agent,
        environment_id: environment,
      });
      assert.equal(own.status, 200, own.text);
      // Created in A by A's key, and invisible to B.
      const created = await call(server, a.key, 'POST', '/v1/agents', {
        name: 'a2',
        model: 'claude-sonnet-4-6',
      });
      assert.equal(created.status, 200);
      const seenByB = await call(server, b.key, 'GET', `/v1/agents/${created.json['id']}`, undefined);
      assert.equal(seenByB.status, 404);
    });
  });
}
