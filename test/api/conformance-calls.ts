import type Anthropic from '@anthropic-ai/sdk';
import { toFile } from '@anthropic-ai/sdk';
import { DEPLOYMENT_CALLS } from './conformance-calls-deployments.js';
import { TUNNEL_AND_PROFILE_CALLS } from './conformance-calls-tunnels.js';

/** A builder: one SDK call with valid arguments (test/api/conformance.test.ts). */
export type Call = (context: Context) => Promise<unknown>;

export interface Context {
  client: Anthropic;
  worker: () => Promise<{ worker: Anthropic; scoped: Anthropic; workId: string; environmentId: string }>;
  agent: () => Promise<Anthropic.Beta.Agents.BetaManagedAgentsAgent>;
  environment: () => Promise<Anthropic.Beta.Environments.BetaEnvironment>;
  session: () => Promise<Anthropic.Beta.Sessions.BetaManagedAgentsSession>;
  vault: () => Promise<Anthropic.Beta.Vaults.BetaManagedAgentsVault>;
  credential: () => Promise<{ vaultId: string; id: string }>;
  file: () => Promise<Anthropic.Beta.Files.BetaFileMetadata>;
  resource: () => Promise<{ sessionId: string; id: string }>;
  thread: () => Promise<{ sessionId: string; id: string }>;
  memoryStore: () => Promise<{ id: string }>;
  /** A memory written twice (two versions, newest first). */
  memory: () => Promise<{ storeId: string; id: string; versionIds: string[] }>;
  /** A dream over a store and a session whose model answer is held back: it stays pending or running. */
  heldDream: () => Promise<Anthropic.Beta.Dreams.BetaDream>;
}

export const CALLS: Record<string, Call> = {
  ...TUNNEL_AND_PROFILE_CALLS,
  ...DEPLOYMENT_CALLS,
  'beta.agents.create': ({ client }) => client.beta.agents.create({ name: 'c', model: 'claude-sonnet-4-6' }),
  'beta.agents.retrieve': async (c) => c.client.beta.agents.retrieve((await c.agent()).id),
  'beta.agents.update': async (c) => {
    const agent = await c.agent();
    return c.client.beta.agents.update(agent.id, { version: agent.version, description: 'updated' });
  },
  'beta.agents.list': async (c) => {
    await c.agent();
    return c.client.beta.agents.list();
  },
  'beta.agents.archive': async (c) => c.client.beta.agents.archive((await c.agent()).id),
  'beta.agents.versions.list': async (c) => c.client.beta.agents.versions.list((await c.agent()).id),
  'beta.environments.create': ({ client }) => client.beta.environments.create({ name: 'c' }),
  'beta.environments.retrieve': async (c) => c.client.beta.environments.retrieve((await c.environment()).id),
  'beta.environments.update': async (c) =>
    c.client.beta.environments.update((await c.environment()).id, { description: 'd' }),
  'beta.environments.list': async (c) => {
    await c.environment();
    return c.client.beta.environments.list();
  },
  'beta.environments.delete': async (c) => c.client.beta.environments.delete((await c.environment()).id),
  'beta.environments.archive': async (c) => c.client.beta.environments.archive((await c.environment()).id),
  'beta.environments.work.poll': async (c) => {
    const { worker, environmentId } = await c.worker();
    return worker.beta.environments.work.poll(environmentId);
  },
  'beta.environments.work.retrieve': async (c) => {
    const { client } = c;
    const { workId, environmentId } = await c.worker();
    return client.beta.environments.work.retrieve(workId, { environment_id: environmentId });
  },
  'beta.environments.work.list': async (c) => {
    const { worker, environmentId } = await c.worker();
    return worker.beta.environments.work.list(environmentId);
  },
  'beta.environments.work.ack': async (c) => {
    const { worker, workId, environmentId } = await c.worker();
    return worker.beta.environments.work.ack(workId, { environment_id: environmentId });
  },
  'beta.environments.work.heartbeat': async (c) => {
    const { worker, scoped, workId, environmentId } = await c.worker();
    await worker.beta.environments.work.ack(workId, { environment_id: environmentId });
    return scoped.beta.environments.work.heartbeat(workId, { environment_id: environmentId });
  },
  'beta.environments.work.update': async (c) => {
    const { workId, environmentId } = await c.worker();
    return c.client.beta.environments.work.update(workId, {
      environment_id: environmentId,
      metadata: { k: 'v' },
    });
  },
  'beta.environments.work.stats': async (c) => {
    const { environmentId } = await c.worker();
    return c.client.beta.environments.work.stats(environmentId);
  },
  'beta.environments.work.stop': async (c) => {
    const { workId, environmentId } = await c.worker();
    return c.client.beta.environments.work.stop(workId, { environment_id: environmentId });
  },
  'beta.sessions.create': async (c) =>
    c.client.beta.sessions.create({
      agent: (await c.agent()).id,
      environment_id: (await c.environment()).id,
    }),
  'beta.sessions.retrieve': async (c) => c.client.beta.sessions.retrieve((await c.session()).id),
  'beta.sessions.update': async (c) => c.client.beta.sessions.update((await c.session()).id, { title: 't' }),
  'beta.sessions.list': async (c) => {
    await c.session();
    return c.client.beta.sessions.list();
  },
  'beta.sessions.delete': async (c) => c.client.beta.sessions.delete((await c.session()).id),
  'beta.sessions.archive': async (c) => c.client.beta.sessions.archive((await c.session()).id),
  'beta.sessions.events.send': async (c) =>
    c.client.beta.sessions.events.send((await c.session()).id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'hi' }] }],
    }),
  'beta.sessions.events.list': async (c) => {
    const session = await c.session();
    await c.client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'hi' }] }],
    });
    return c.client.beta.sessions.events.list(session.id);
  },
  'beta.sessions.events.stream': async (c) => c.client.beta.sessions.events.stream((await c.session()).id),
  'beta.sessions.resources.add': async (c) =>
    c.client.beta.sessions.resources.add((await c.session()).id, {
      type: 'file',
      file_id: (await c.file()).id,
    }),
  'beta.sessions.resources.retrieve': async (c) => {
    const { sessionId, id } = await c.resource();
    return c.client.beta.sessions.resources.retrieve(id, { session_id: sessionId });
  },
  'beta.sessions.resources.update': async (c) => {
    const session = await c.client.beta.sessions.create({
      agent: (await c.agent()).id,
      environment_id: (await c.environment()).id,
      resources: [{ type: 'github_repository', url: 'https://github.com/o/r', authorization_token: 'ghp_x' }],
    });
    const id = (session.resources[0] as { id: string }).id;
    return c.client.beta.sessions.resources.update(id, {
      session_id: session.id,
      authorization_token: 'ghp_y',
    });
  },
  'beta.sessions.resources.list': async (c) =>
    c.client.beta.sessions.resources.list((await c.resource()).sessionId),
  'beta.sessions.resources.delete': async (c) => {
    const { sessionId, id } = await c.resource();
    return c.client.beta.sessions.resources.delete(id, { session_id: sessionId });
  },
  'beta.sessions.threads.list': async (c) =>
    c.client.beta.sessions.threads.list((await c.thread()).sessionId),
  'beta.sessions.threads.retrieve': async (c) => {
    const { sessionId, id } = await c.thread();
    return c.client.beta.sessions.threads.retrieve(id, { session_id: sessionId });
  },
  'beta.sessions.threads.archive': async (c) => {
    const { sessionId, id } = await c.thread();
    return c.client.beta.sessions.threads.archive(id, { session_id: sessionId });
  },
  'beta.sessions.threads.events.list': async (c) => {
    const { sessionId, id } = await c.thread();
    return c.client.beta.sessions.threads.events.list(id, { session_id: sessionId });
  },
  'beta.sessions.threads.events.stream': async (c) => {
    const { sessionId, id } = await c.thread();
    return c.client.beta.sessions.threads.events.stream(id, { session_id: sessionId });
  },
  'beta.vaults.create': ({ client }) => client.beta.vaults.create({ display_name: 'v' }),
  'beta.vaults.retrieve': async (c) => c.client.beta.vaults.retrieve((await c.vault()).id),
  'beta.vaults.update': async (c) => c.client.beta.vaults.update((await c.vault()).id, { display_name: 'w' }),
  'beta.vaults.list': async (c) => {
    await c.vault();
    return c.client.beta.vaults.list();
  },
  'beta.vaults.delete': async (c) => c.client.beta.vaults.delete((await c.vault()).id),
  'beta.vaults.archive': async (c) => c.client.beta.vaults.archive((await c.vault()).id),
  'beta.vaults.credentials.create': async (c) =>
    c.client.beta.vaults.credentials.create((await c.vault()).id, {
      auth: { type: 'static_bearer', mcp_server_url: 'https://mcp.example.com/mcp', token: 't' },
    }),
  'beta.vaults.credentials.retrieve': async (c) => {
    const { vaultId, id } = await c.credential();
    return c.client.beta.vaults.credentials.retrieve(id, { vault_id: vaultId });
  },
  'beta.vaults.credentials.update': async (c) => {
    const { vaultId, id } = await c.credential();
    return c.client.beta.vaults.credentials.update(id, { vault_id: vaultId, display_name: 'n' });
  },
  'beta.vaults.credentials.list': async (c) =>
    c.client.beta.vaults.credentials.list((await c.credential()).vaultId),
  'beta.vaults.credentials.delete': async (c) => {
    const { vaultId, id } = await c.credential();
    return c.client.beta.vaults.credentials.delete(id, { vault_id: vaultId });
  },
  'beta.vaults.credentials.archive': async (c) => {
    const { vaultId, id } = await c.credential();
    return c.client.beta.vaults.credentials.archive(id, { vault_id: vaultId });
  },
  'beta.vaults.credentials.mcpOAuthValidate': async (c) => {
    const { id: vaultId } = await c.vault();
    const oauth = await c.client.beta.vaults.credentials.create(vaultId, {
      auth: { type: 'mcp_oauth', mcp_server_url: 'https://mcp.example.com/mcp', access_token: 'a' },
    });
    return c.client.beta.vaults.credentials.mcpOAuthValidate(oauth.id, { vault_id: vaultId });
  },
  'beta.memoryStores.create': ({ client }) => client.beta.memoryStores.create({ name: 'm' }),
  'beta.memoryStores.retrieve': async (c) => c.client.beta.memoryStores.retrieve((await c.memoryStore()).id),
  'beta.memoryStores.update': async (c) =>
    c.client.beta.memoryStores.update((await c.memoryStore()).id, { description: 'd' }),
  'beta.memoryStores.list': async (c) => {
    await c.memoryStore();
    return c.client.beta.memoryStores.list();
  },
  'beta.memoryStores.delete': async (c) => c.client.beta.memoryStores.delete((await c.memoryStore()).id),
  'beta.memoryStores.archive': async (c) => c.client.beta.memoryStores.archive((await c.memoryStore()).id),
  'beta.memoryStores.memories.create': async (c) =>
    c.client.beta.memoryStores.memories.create((await c.memoryStore()).id, {
      path: '/notes.md',
      content: 'n',
    }),
  'beta.memoryStores.memories.retrieve': async (c) => {
    const { storeId, id } = await c.memory();
    return c.client.beta.memoryStores.memories.retrieve(id, { memory_store_id: storeId });
  },
  'beta.memoryStores.memories.update': async (c) => {
    const { storeId, id } = await c.memory();
    return c.client.beta.memoryStores.memories.update(id, { memory_store_id: storeId, content: 'changed' });
  },
  'beta.memoryStores.memories.list': async (c) =>
    c.client.beta.memoryStores.memories.list((await c.memory()).storeId),
  'beta.memoryStores.memories.delete': async (c) => {
    const { storeId, id } = await c.memory();
    return c.client.beta.memoryStores.memories.delete(id, { memory_store_id: storeId });
  },
  'beta.memoryStores.memoryVersions.list': async (c) =>
    c.client.beta.memoryStores.memoryVersions.list((await c.memory()).storeId),
  'beta.memoryStores.memoryVersions.retrieve': async (c) => {
    const { storeId, versionIds } = await c.memory();
    return c.client.beta.memoryStores.memoryVersions.retrieve(versionIds[0] ?? '', {
      memory_store_id: storeId,
    });
  },
  'beta.memoryStores.memoryVersions.redact': async (c) => {
    const { storeId, versionIds } = await c.memory();
    // The older of two versions: the current one stays readable.
    return c.client.beta.memoryStores.memoryVersions.redact(versionIds.at(-1) ?? '', {
      memory_store_id: storeId,
    });
  },
  'beta.dreams.create': async (c) =>
    c.client.beta.dreams.create({
      inputs: [
        { type: 'memory_store', memory_store_id: (await c.memoryStore()).id },
        { type: 'sessions', session_ids: [(await c.session()).id] },
      ],
      model: 'claude-sonnet-4-6',
    }),
  'beta.dreams.retrieve': async (c) => c.client.beta.dreams.retrieve((await c.heldDream()).id),
  'beta.dreams.list': async (c) => {
    await c.heldDream();
    return c.client.beta.dreams.list();
  },
  'beta.dreams.cancel': async (c) => c.client.beta.dreams.cancel((await c.heldDream()).id),
  'beta.dreams.archive': async (c) => {
    const { id } = await c.heldDream();
    await c.client.beta.dreams.cancel(id);
    return c.client.beta.dreams.archive(id);
  },
  'beta.files.upload': ({ client }) =>
    toFile(Buffer.from('a,b\n'), 'data.csv', { type: 'text/csv' }).then((file) =>
      client.beta.files.upload({ file }),
    ),
  'beta.files.list': async (c) => {
    await c.file();
    return c.client.beta.files.list();
  },
  'beta.files.retrieveMetadata': async (c) => c.client.beta.files.retrieveMetadata((await c.file()).id),
  'beta.files.delete': async (c) => c.client.beta.files.delete((await c.file()).id),
  'beta.files.download': async (c) => c.client.beta.files.download((await c.file()).id),
  'beta.skills.create': ({ client }) => newSkill(client),
  'beta.skills.retrieve': async ({ client }) => client.beta.skills.retrieve((await newSkill(client)).id),
  'beta.skills.list': async ({ client }) => {
    await newSkill(client);
    return client.beta.skills.list();
  },
  'beta.skills.delete': async ({ client }) => client.beta.skills.delete((await newSkill(client)).id),
  'beta.skills.versions.create': async ({ client }) =>
    client.beta.skills.versions.create((await newSkill(client)).id, { files: await skillFiles('second') }),
  'beta.skills.versions.retrieve': async ({ client }) =>
    client.beta.skills.versions.retrieve('latest', { skill_id: (await newSkill(client)).id }),
  'beta.skills.versions.list': async ({ client }) =>
    client.beta.skills.versions.list((await newSkill(client)).id),
  'beta.skills.versions.delete': async ({ client }) => {
    const skill = await newSkill(client);
    await client.beta.skills.versions.create(skill.id, { files: await skillFiles('second') });
    return client.beta.skills.versions.delete(skill.latest_version_id, { skill_id: skill.id });
  },
  'beta.skills.versions.download': async ({ client }) => {
    const skill = await newSkill(client);
    return client.beta.skills.versions.download(skill.latest_version_id, { skill_id: skill.id });
  },
};

/** A skill's files the way the SDK sends them: one File per path under one top-level directory. */
const skillFiles = async (description: string) => [
  await toFile(
    Buffer.from(`---\nname: conformance\ndescription: ${description}\n---\n# Conformance\n`),
    'conformance/SKILL.md',
  ),
];
const newSkill = async (client: Anthropic) => client.beta.skills.create({ files: await skillFiles('first') });
