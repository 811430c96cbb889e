import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic, { toFile } from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { type HarnessFixture, startHarnessFixture } from '../support/harness-fixture.js';
import { declaredResponseType, requiredFields, sdkMethods } from '../support/sdk-shapes.js';
import { type EnvironmentKeyResponse, waitFor, workerClient } from '../support/self-hosted.js';
import { CALLS, type Context } from './conformance-calls.js';
import { CLIENT_SIDE_HELPERS, CONFORMANCE_FAMILY, NOT_YET_SERVED } from './conformance-pending.js';

/**
 * Every method of the SDK's managed-agents family, as the installed SDK declares it, against a
 * real server: each served method is called with valid arguments and its response must carry every
 * field its .d.ts declares as required; each method listed as not yet served must answer 404
 * "no route" (so serving it later fails here until it moves out of the list and gets a builder).
 */

/** Arguments for a not-yet-served method: any will do, the route does not exist. */
const pendingCall = (path: string) => (context: Context) => {
  const segments = path.split('.').slice(1);
  const name = segments.pop() ?? '';
  let target: unknown = context.client.beta;
  for (const segment of segments) target = (target as Record<string, unknown>)[segment];
  const method = (target as Record<string, (...args: unknown[]) => Promise<unknown>>)[name];
  assert.ok(method, path);
  const ids = { vault_id: 'vlt_x', tunnel_id: 'tnl_x', memory_store_id: 'mem_x', skill_id: 'skl_x' };
  // Methods taking an id first get a placeholder id; the others get a params object.
  const takesId =
    /^(retrieve|update|delete|archive|cancel|pause|unpause|run|redact|download|revealToken|rotateToken|createEnrollmentURL|mcpOAuthValidate)$/.test(
      name,
    );
  const nested = segments.length > 1;
  return takesId || nested
    ? method.call(target, 'x_pending', { ...ids, version: 'v1' })
    : method.call(target, { ...ids, name: 'x', display_name: 'x' });
};

function assertShape(path: string, value: unknown): void {
  const declared = declaredResponseType(path);
  if (declared === 'Response') {
    assert.ok(value instanceof Response && value.ok, `${path}: a successful download`);
    return;
  }
  if (declared?.startsWith('Stream<')) {
    assert.ok(value && typeof value === 'object' && 'controller' in value, `${path}: an SSE stream`);
    (value as { controller: AbortController }).controller.abort();
    return;
  }
  if (value === null) {
    assert.match(declared ?? '', /\| null$/, `${path}: null is not declared`);
    return;
  }
  const page = value as { data?: unknown[] };
  const isPage = typeof (value as { getPaginatedItems?: unknown }).getPaginatedItems === 'function';
  const items = isPage ? (page.data ?? []) : [value];
  if (isPage) assert.ok(items.length > 0, `${path}: the builder made sure the list holds something`);
  const fields = declared ? requiredFields(declared.replace(/ \| null$/, '')) : undefined;
  for (const item of items) {
    assert.ok(item && typeof item === 'object', `${path}: an object`);
    for (const field of fields ?? ['type'])
      assert.ok(
        field in (item as object),
        `${path}: ${declared} requires "${field}" (got ${Object.keys(item as object)})`,
      );
  }
}

for (const dialect of DIALECTS) {
  describe(`SDK conformance: the managed-agents family (${dialect})`, () => {
    let fixture: HarnessFixture;
    let context: Context;
    let delegations = 0;
    let dreams = 0;
    before(async () => {
      fixture = await startHarnessFixture(dialect);
      const client = fixture.client;
      const agent = () => client.beta.agents.create({ name: 'a', model: 'claude-sonnet-4-6' });
      const environment = () => client.beta.environments.create({ name: 'conformance' });
      const session = async () =>
        client.beta.sessions.create({ agent: (await agent()).id, environment_id: (await environment()).id });
      const vault = () => client.beta.vaults.create({ display_name: 'v' });
      const file = async () =>
        client.beta.files.upload({
          file: await toFile(Buffer.from('a,b\n'), 'data.csv', { type: 'text/csv' }),
        });
      context = {
        client,
        agent,
        environment,
        session,
        vault,
        file,
        memoryStore: () => client.beta.memoryStores.create({ name: 'm' }),
        async memory() {
          const store = await client.beta.memoryStores.create({ name: 'm' });
          const memory = await client.beta.memoryStores.memories.create(store.id, {
            path: '/a.md',
            content: 'one',
          });
          await client.beta.memoryStores.memories.update(memory.id, {
            memory_store_id: store.id,
            content: 'two',
          });
          const versions = await client.beta.memoryStores.memoryVersions.list(store.id);
          return { storeId: store.id, id: memory.id, versionIds: versions.data.map((version) => version.id) };
        },
        async heldDream() {
          const tag = `DREAM-${++dreams}`;
          // A pause before every chunk of the answer: the dream is still running when the builder acts.
          fixture.model.push([{ match: tag, content: [{ type: 'text', text: 'held' }], delay_ms: 20_000 }]);
          return client.beta.dreams.create({
            inputs: [
              {
                type: 'memory_store',
                memory_store_id: (await client.beta.memoryStores.create({ name: 'd' })).id,
              },
              { type: 'sessions', session_ids: [(await session()).id] },
            ],
            model: 'claude-sonnet-4-6',
            instructions: tag,
          });
        },
        async credential() {
          const { id: vaultId } = await vault();
          const credential = await client.beta.vaults.credentials.create(vaultId, {
            auth: { type: 'static_bearer', mcp_server_url: 'https://mcp.example.com/mcp', token: 't' },
          });
          return { vaultId, id: credential.id };
        },
        async resource() {
          const { id: sessionId } = await session();
          const added = await client.beta.sessions.resources.add(sessionId, {
            type: 'file',
            file_id: (await file()).id,
          });
          return { sessionId, id: added.id };
        },
        async thread() {
          // A child thread: the scripted coordinator delegates once, and the worker's thread appears.
          const tag = `DELEGATE-${++delegations}`;
          fixture.model.push([
            {
              match: tag,
              content: [
                { type: 'tool_use', name: 'send_to_agent', input: { agent: 'w', message: `WORK ${tag}` } },
              ],
            },
          ]);
          const worker = await client.beta.agents.create({ name: 'w', model: 'claude-sonnet-4-6' });
          const lead = await client.beta.agents.create({
            name: 'lead',
            model: 'claude-sonnet-4-6',
            multiagent: { type: 'coordinator', agents: [worker.id] },
          });
          const created = await client.beta.sessions.create({
            agent: lead.id,
            environment_id: (await environment()).id,
          });
          await client.beta.sessions.events.send(created.id, {
            events: [{ type: 'user.message', content: [{ type: 'text', text: tag }] }],
          });
          const child = await waitFor(async () => {
            const threads = await client.beta.sessions.threads.list(created.id);
            return threads.data.find((thread) => thread.parent_thread_id !== null);
          }, 120_000);
          // The thread is listed as soon as it exists; its first events follow it into the log.
          await waitFor(async () => {
            const page = await client.beta.sessions.threads.events.list(child.id, { session_id: created.id });
            return page.data.length > 0 ? true : undefined;
          }, 120_000);
          return { sessionId: created.id, id: child.id };
        },
        async worker() {
          const selfHosted = await client.beta.environments.create({
            name: 'sh',
            config: { type: 'self_hosted' },
          });
          const issued = await client.post<EnvironmentKeyResponse>(`/v1/environments/${selfHosted.id}/keys`, {
            body: {},
          });
          await client.beta.sessions.create({ agent: (await agent()).id, environment_id: selfHosted.id });
          const worker = workerClient(fixture.server.url, issued.key);
          const work = await worker.beta.environments.work.poll(selfHosted.id, { block_ms: 100 });
          assert.ok(work?.secret, 'the session queued work');
          const { sessions_token: token } = JSON.parse(Buffer.from(work.secret, 'base64url').toString()) as {
            sessions_token: string;
          };
          return {
            worker,
            scoped: workerClient(fixture.server.url, token),
            workId: work.id,
            environmentId: selfHosted.id,
          };
        },
      };
    });
    after(async () => fixture.close());

    const methods = sdkMethods(new Anthropic({ apiKey: 'enumeration-only' }), CONFORMANCE_FAMILY);

    it('enumerates the family from the installed SDK', () => {
      assert.ok(methods.length > 100, `found ${methods.length}`);
      const unknown = methods.filter(
        (path) => !(path in CALLS) && !NOT_YET_SERVED.includes(path) && !CLIENT_SIDE_HELPERS.includes(path),
      );
      assert.deepEqual(unknown, [], 'methods with no builder and not listed as pending');
      for (const path of [...NOT_YET_SERVED, ...Object.keys(CALLS)])
        assert.ok(methods.includes(path), `${path} is not an SDK method`);
    });

    it('every served method answers with the fields its .d.ts declares', async () => {
      const failures: string[] = [];
      for (const path of methods) {
        const call = CALLS[path];
        if (!call) continue;
        try {
          assertShape(path, await call(context));
        } catch (error) {
          failures.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      assert.deepEqual(failures, []);
    });

    it('every method listed as not yet served answers 404 (no route); serving one fails here', async () => {
      const failures: string[] = [];
      for (const path of NOT_YET_SERVED) {
        try {
          await pendingCall(path)(context);
          failures.push(`${path}: answered; move it out of NOT_YET_SERVED and give it a builder`);
        } catch (error) {
          if (!(error instanceof Anthropic.NotFoundError && /no route/.test(error.message)))
            failures.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  });
}
