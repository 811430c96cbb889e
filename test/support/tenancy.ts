import Anthropic, { toFile } from '@anthropic-ai/sdk';
import type { TestServer } from './server.js';
import { TEST_ADMIN_KEY } from './server.js';
import { testCa } from './test-ca.js';

export interface CallResult {
  status: number;
  type: string | undefined;
  message: string;
  text: string;
  json: Record<string, unknown>;
}

/** One HTTP call with a key (and optionally the SDK's workspace header); the body is read whole. */
export async function call(
  server: TestServer,
  key: string,
  method: string,
  path: string,
  body: unknown,
  workspace?: string,
): Promise<CallResult> {
  const headers: Record<string, string> = { 'x-api-key': key };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (workspace !== undefined) headers['anthropic-workspace-id'] = workspace;
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // a stream or a file's bytes
  }
  const error = json['error'] as { type?: string; message?: string } | undefined;
  return { status: response.status, type: error?.type, message: error?.message ?? '', text, json };
}

/** A workspace with one of everything, made through its own key. */
export interface Tenant {
  workspace: string;
  key: string;
  keyId: string;
  client: Anthropic;
  agent: string;
  /** self_hosted, so it has keys and work. */
  environment: string;
  cloudEnvironment: string;
  environmentKey: string;
  environmentKeyId: string;
  vault: string;
  credential: string;
  file: string;
  /** In the cloud environment, with the file mounted. */
  session: string;
  resource: string;
  thread: string;
  work: string;
  memoryStore: string;
  memory: string;
  memoryVersion: string;
  dream: string;
  skill: string;
  skillVersion: string;
  tunnel: string;
  tunnelCertificate: string;
  userProfile: string;
  webhookEndpoint: string;
  deployment: string;
  deploymentRun: string;
  ids(): string[];
}

export interface World {
  a: Tenant;
  b: Tenant;
}

export const adminClient = (server: TestServer) =>
  new Anthropic({ baseURL: server.url, apiKey: TEST_ADMIN_KEY, maxRetries: 0 });

export async function createTenant(server: TestServer, name: string): Promise<Tenant> {
  const admin = adminClient(server);
  const workspace = await admin.beta.organization.workspaces.create({ name });
  const issued = await admin.post<{ id: string; key: string }>('/v1/organizations/api_keys', {
    body: { name: `${name}-key`, workspace_id: workspace.id },
  });
  const client = new Anthropic({ baseURL: server.url, apiKey: issued.key, maxRetries: 0 });
  const agent = await client.beta.agents.create({ name: `${name}-agent`, model: 'claude-sonnet-4-6' });
  const environment = await client.beta.environments.create({
    name: `${name}-self-hosted`,
    config: { type: 'self_hosted' },
  });
  const cloud = await client.beta.environments.create({ name: `${name}-cloud` });
  const environmentKey = await client.post<{ id: string; key: string }>(
    `/v1/environments/${environment.id}/keys`,
    { body: {} },
  );
  const vault = await client.beta.vaults.create({ display_name: `${name}-vault` });
  const credential = await client.beta.vaults.credentials.create(vault.id, {
    auth: { type: 'static_bearer', mcp_server_url: 'https://mcp.example.com/mcp', token: `${name}-secret` },
  });
  const file = await client.beta.files.upload({ file: await toFile(Buffer.from(name), `${name}.txt`) });
  const session = await client.beta.sessions.create({
    agent: agent.id,
    environment_id: cloud.id,
    resources: [{ type: 'file', file_id: file.id }],
  });
  const resource = (session.resources[0] as { id?: string } | undefined)?.id ?? '';
  const threads = await client.get<{ data: Array<{ id: string }> }>(`/v1/sessions/${session.id}/threads`);
  await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
  const worker = new Anthropic({
    baseURL: server.url,
    authToken: environmentKey.key,
    apiKey: null,
    maxRetries: 0,
  });
  const work = await worker.beta.environments.work.poll(environment.id, { block_ms: 900 });
  const memoryStore = await client.beta.memoryStores.create({ name: `${name}-memory` });
  const memory = await client.beta.memoryStores.memories.create(memoryStore.id, {
    path: '/notes.md',
    content: `${name} notes`,
  });
  const dream = await client.beta.dreams.create({
    inputs: [
      { type: 'memory_store', memory_store_id: memoryStore.id },
      { type: 'sessions', session_ids: [session.id] },
    ],
    model: 'claude-sonnet-4-6',
  });
  const skill = await client.beta.skills.create({
    files: [
      await toFile(Buffer.from(`---\nname: ${name}-skill\ndescription: d\n---\n`), `${name}-skill/SKILL.md`),
    ],
  });
  const tunnel = await client.beta.tunnels.create({ display_name: `${name}-tunnel` });
  const tunnelCertificate = await client.beta.tunnels.certificates.create(tunnel.id, {
    ca_certificate_pem: testCa().cert,
  });
  const userProfile = await client.beta.userProfiles.create({ name: `${name}-user` });
  const webhookEndpoint = await client.beta.organization.webhooks.create({
    url: `https://hooks.example.com/${name}`,
    enabled_events: ['vault.created'] as never,
  });
  const deployment = await client.beta.deployments.create({
    name: `${name}-deployment`,
    agent: agent.id,
    environment_id: cloud.id,
    initial_events: [{ type: 'user.message', content: [{ type: 'text', text: `${name} run` }] }],
  });
  const deploymentRun = await client.beta.deployments.run(deployment.id);
  return {
    workspace: workspace.id,
    key: issued.key,
    keyId: issued.id,
    client,
    agent: agent.id,
    environment: environment.id,
    cloudEnvironment: cloud.id,
    environmentKey: environmentKey.key,
    environmentKeyId: environmentKey.id,
    vault: vault.id,
    credential: credential.id,
    file: file.id,
    session: session.id,
    resource,
    thread: threads.data[0]?.id ?? 'sthr_missing',
    work: work?.id ?? 'work_missing',
    memoryStore: memoryStore.id,
    memory: memory.id,
    memoryVersion: memory.memory_version_id,
    dream: dream.id,
    skill: skill.id,
    skillVersion: skill.latest_version_id,
    tunnel: tunnel.id,
    tunnelCertificate: tunnelCertificate.id,
    userProfile: userProfile.id,
    webhookEndpoint: webhookEndpoint.id,
    deployment: deployment.id,
    deploymentRun: deploymentRun.id,
    ids() {
      return [
        agent.id,
        environment.id,
        cloud.id,
        vault.id,
        credential.id,
        file.id,
        session.id,
        dream.id,
        skill.id,
        tunnel.id,
        tunnelCertificate.id,
        userProfile.id,
        webhookEndpoint.id,
        deployment.id,
        deploymentRun.id,
      ];
    },
  };
}

export async function tenantWorld(server: TestServer): Promise<World> {
  return { a: await createTenant(server, 'team-a'), b: await createTenant(server, 'team-b') };
}
