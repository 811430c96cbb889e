import assert from 'node:assert/strict';
import type { Tenant } from '../support/tenancy.js';
import { testCa } from '../support/test-ca.js';

/** Bodies valid enough that only the scope can refuse them (validation runs before lookups). */
export const BODY: Record<string, (t: Tenant) => unknown> = {
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

/** Each path parameter's value in a tenant's world. */
export const PARAM: Record<string, (t: Tenant) => string> = {
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

/** The route's URL with every `:param` replaced by the tenant's own id. */
export const pathFor = (url: string, t: Tenant) =>
  url.replace(/:([a-z_]+)/g, (_match, name: string) => {
    const value = PARAM[name];
    assert.ok(value, `no value for :${name} in ${url}`);
    return value(t);
  });
