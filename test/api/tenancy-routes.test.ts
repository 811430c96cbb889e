import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { routeTable } from '../../src/api/app.js';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.js';
import { adminClient, call, tenantWorld, type World } from '../support/tenancy.js';
import { BODY, pathFor } from './route-requests.js';
import { SCOPE } from './route-scopes.js';

/**
 * Walks every route the app serves with keys of two workspaces, holding each to the scope decision
 * in SCOPE (route-scopes.ts); the request bodies and path values are in route-requests.ts.
 */

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
