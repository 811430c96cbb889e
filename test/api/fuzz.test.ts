import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.js';

/**
 * No input may produce a 5xx or crash the process: random bodies, queries and
 * ids against every route, with the real server over SQLite.
 */
const ROUTES: Array<{ method: 'GET' | 'POST' | 'DELETE'; path: string }> = [
  { method: 'POST', path: '/v1/agents' },
  { method: 'GET', path: '/v1/agents' },
  { method: 'GET', path: '/v1/agents/{agent}' },
  { method: 'POST', path: '/v1/agents/{agent}' },
  { method: 'POST', path: '/v1/agents/{agent}/archive' },
  { method: 'GET', path: '/v1/agents/{agent}/versions' },
  { method: 'POST', path: '/v1/environments' },
  { method: 'GET', path: '/v1/environments' },
  { method: 'POST', path: '/v1/environments/{env}' },
  { method: 'DELETE', path: '/v1/environments/{env}' },
  { method: 'POST', path: '/v1/sessions' },
  { method: 'GET', path: '/v1/sessions' },
  { method: 'POST', path: '/v1/sessions/{session}' },
  { method: 'POST', path: '/v1/sessions/{session}/events' },
  { method: 'GET', path: '/v1/sessions/{session}/events' },
  { method: 'POST', path: '/v1/vaults' },
  { method: 'POST', path: '/v1/vaults/{vault}/credentials' },
  { method: 'GET', path: '/v1/files' },
  { method: 'GET', path: '/v1/sessions/{session}/threads' },
  { method: 'GET', path: '/v1/sessions/{session}/resources' },
  { method: 'POST', path: '/v1/sessions/{session}/resources' },
  { method: 'GET', path: '/v1/environments/{env}/work/poll' },
  { method: 'GET', path: '/v1/sessions/{session}/cost' },
  { method: 'GET', path: '/v1/usage_report' },
  { method: 'POST', path: '/v1/api_keys' },
];

const jsonValue = fc.jsonValue({ maxDepth: 4 });
/** Client events close to valid, so the fuzzer reaches the event validation and the harness. */
const eventBody = fc.record({
  events: fc.array(
    fc.record(
      {
        type: fc.constantFrom(
          'user.message',
          'user.interrupt',
          'user.tool_confirmation',
          'user.custom_tool_result',
          'system.message',
          'bogus',
        ),
        content: fc.oneof(fc.constant([{ type: 'text', text: 'hi' }]), jsonValue),
        tool_use_id: fc.string(),
        result: fc.constantFrom('allow', 'deny', 'maybe'),
        session_thread_id: fc.string(),
      },
      { requiredKeys: ['type'] },
    ),
    { maxLength: 3 },
  ),
});
const fieldNames = fc.constantFrom(
  'name',
  'model',
  'tools',
  'type',
  'config',
  'agent',
  'environment_id',
  'events',
  'content',
  'metadata',
  'version',
  'multiagent',
  'mcp_servers',
  'display_name',
  'auth',
  'limit',
  'page',
);
const body = fc.oneof(
  eventBody,
  jsonValue,
  fc.dictionary(fieldNames, jsonValue, { maxKeys: 6 }),
  fc.string().map((text) => ({ raw: text })),
);
const query = fc.dictionary(
  fc.constantFrom(
    'limit',
    'page',
    'include_archived',
    'statuses[]',
    'created_at[gte]',
    'order',
    'version',
    'types[]',
  ),
  fc.oneof(fc.string({ maxLength: 20 }), fc.integer().map(String)),
  { maxKeys: 4 },
);
const idValue = fc.oneof(fc.constantFrom('real'), fc.string({ minLength: 1, maxLength: 40 }));

describe('fuzzing the API', () => {
  let server: TestServer;
  const realIds: Record<string, string> = {};
  before(async () => {
    server = await startTestServer('sqlite');
    const agent = await server.client.beta.agents.create({ name: 'fuzz', model: 'claude-haiku-4-5' });
    realIds['agent'] = agent.id;
    const environment = await server.client.beta.environments.create({ name: 'fuzz-env' });
    realIds['env'] = environment.id;
    const session = await server.client.beta.sessions.create({
      agent: agent.id,
      environment_id: environment.id,
    });
    realIds['session'] = session.id;
    const vault = await server.client.beta.vaults.create({ display_name: 'fuzz-vault' });
    realIds['vault'] = vault.id;
  });
  after(async () => server.close());

  it('never answers 5xx, and every 4xx carries the error body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        body,
        query,
        idValue,
        fc.boolean(),
        async (route, payload, params, id, rawText) => {
          const path = route.path.replace(/\{(\w+)\}/g, (_match, kind: string) =>
            encodeURIComponent(id === 'real' ? (realIds[kind] ?? 'missing') : id),
          );
          const search = new URLSearchParams(params).toString();
          const init: RequestInit = {
            method: route.method,
            headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
          };
          if (route.method === 'POST')
            init.body = rawText ? String(JSON.stringify(payload)).slice(0, -1) : JSON.stringify(payload);
          else (init.headers as Record<string, string>)['content-type'] = 'text/plain';
          const response = await fetch(`${server.url}${path}${search ? `?${search}` : ''}`, init);
          const text = await response.text();
          assert.ok(response.status < 500, `${route.method} ${path}?${search} → ${response.status}: ${text}`);
          if (response.status >= 400) {
            const parsed = JSON.parse(text) as {
              type: string;
              error: { type: string; message: string };
              request_id: string;
            };
            assert.equal(parsed.type, 'error');
            assert.equal(typeof parsed.error.message, 'string');
            assert.match(parsed.request_id, /^req_/);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('leaves no session stuck: after the fuzzing the harness settles and the session is not running', async () => {
    await server.paddock.harness.harness.whenIdle();
    const session = await server.client.beta.sessions.retrieve(realIds['session'] ?? '');
    assert.notEqual(session.status, 'running');
    assert.notEqual(session.status, 'rescheduling');
  });
});
