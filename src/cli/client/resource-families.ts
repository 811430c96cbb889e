import type Anthropic from '@anthropic-ai/sdk';
import { collect } from './body-file.js';
import type { Column } from './output.js';

type Body = Record<string, unknown>;
type Row = Record<string, unknown>;
/** The SDK calls one family needs; bodies are checked by the server, which names a bad field. */
export interface FamilyApi {
  create(body: Body): Promise<unknown>;
  list(limit: number): Promise<Row[]>;
  retrieve(id: string): Promise<unknown>;
  update?(id: string, body: Body): Promise<unknown>;
  archive?(id: string): Promise<unknown>;
  delete?(id: string): Promise<unknown>;
}

export interface FlagSpec {
  flags: string;
  description: string;
  /** Repeatable and comma-separated (`--apt git --apt curl`, `--apt git,curl`). */
  list?: boolean;
}

/** A resource family as the CLI shows it: its columns, its create/update flags and its SDK calls. */
export interface ResourceFamily {
  name: string;
  singular: string;
  columns: Column[];
  flags: FlagSpec[];
  /** The request body the flags describe (merged over `-f FILE`). */
  body(options: Record<string, unknown>): Body;
  api(client: Anthropic): FamilyApi;
}

const column = (header: string, key = header): Column => ({ header, value: (row) => row[key] });
const rows = async (page: Promise<{ data: unknown[] }>): Promise<Row[]> => (await page).data as Row[];
const defined = (body: Body): Body =>
  Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
// The SDK's parameter types are per family; the server validates the body and names a wrong field.
const loose = <T>(body: Body) => body as unknown as T;

const agents: ResourceFamily = {
  name: 'agents',
  singular: 'agent',
  columns: [column('id'), column('name'), column('model'), column('version'), column('created_at')],
  flags: [
    { flags: '--name <name>', description: 'agent name' },
    { flags: '--model <model>', description: 'model id, e.g. claude-sonnet-4-6' },
    { flags: '--system <prompt>', description: 'system prompt' },
    {
      flags: '--permission <policy>',
      description: 'built-in toolset permission policy: always_allow or always_ask (default: the server’s)',
    },
    { flags: '--no-tools', description: 'create the agent without the built-in toolset' },
  ],
  body: (options) =>
    defined({
      name: options['name'],
      model: options['model'],
      system: options['system'],
      tools:
        options['tools'] === false
          ? undefined
          : options['permission'] !== undefined
            ? [
                {
                  type: 'agent_toolset_20260401',
                  default_config: { permission_policy: { type: options['permission'] } },
                },
              ]
            : options['create'] === true
              ? [{ type: 'agent_toolset_20260401' }]
              : undefined,
    }),
  api: (client) => ({
    create: (body) => client.beta.agents.create(loose(body)),
    list: (limit) => rows(client.beta.agents.list({ limit })),
    retrieve: (id) => client.beta.agents.retrieve(id),
    // An update names the version it replaces; the CLI reads the current one unless told.
    update: async (id, body) =>
      client.beta.agents.update(
        id,
        loose({ version: (await client.beta.agents.retrieve(id)).version, ...body }),
      ),
    archive: (id) => client.beta.agents.archive(id),
  }),
};

const environments: ResourceFamily = {
  name: 'environments',
  singular: 'environment',
  columns: [column('id'), column('name'), column('networking'), column('created_at')].map((entry) =>
    entry.header === 'networking'
      ? {
          header: 'networking',
          value: (row: Row) => (row['config'] as { networking?: { type?: string } })?.networking?.type,
        }
      : entry,
  ),
  flags: [
    { flags: '--name <name>', description: 'environment name' },
    { flags: '--networking <type>', description: 'unrestricted or limited (default unrestricted)' },
    { flags: '--apt <packages>', description: 'apt packages (repeatable, comma-separated)', list: true },
    { flags: '--pip <packages>', description: 'pip packages', list: true },
    { flags: '--npm <packages>', description: 'npm packages', list: true },
  ],
  body: (options) => {
    const packages = defined({ apt: options['apt'], pip: options['pip'], npm: options['npm'] });
    const networking = options['networking'] ?? (options['create'] === true ? 'unrestricted' : undefined);
    const config = defined({
      type: 'cloud',
      networking: networking === undefined ? undefined : { type: networking },
      packages: Object.keys(packages).length > 0 ? packages : undefined,
    });
    return defined({ name: options['name'], config: Object.keys(config).length > 1 ? config : undefined });
  },
  api: (client) => ({
    create: (body) => client.beta.environments.create(loose(body)),
    list: (limit) => rows(client.beta.environments.list({ limit })),
    retrieve: (id) => client.beta.environments.retrieve(id),
    update: (id, body) => client.beta.environments.update(id, loose(body)),
    archive: (id) => client.beta.environments.archive(id),
    delete: (id) => client.beta.environments.delete(id),
  }),
};

const sessions: ResourceFamily = {
  name: 'sessions',
  singular: 'session',
  columns: [
    column('id'),
    column('status'),
    column('agent'),
    column('environment_id'),
    column('title'),
    column('created_at'),
  ],
  flags: [
    { flags: '--agent <id>', description: 'agent id' },
    { flags: '--environment <id>', description: 'environment id' },
    { flags: '--title <title>', description: 'session title' },
    { flags: '--vault <ids>', description: 'vault ids (repeatable)', list: true },
  ],
  body: (options) =>
    defined({
      agent: options['agent'],
      environment_id: options['environment'],
      title: options['title'],
      vault_ids: options['vault'],
    }),
  api: (client) => ({
    create: (body) => client.beta.sessions.create(loose(body)),
    list: (limit) => rows(client.beta.sessions.list({ limit })),
    retrieve: (id) => client.beta.sessions.retrieve(id),
    update: (id, body) => client.beta.sessions.update(id, loose(body)),
    archive: (id) => client.beta.sessions.archive(id),
    delete: (id) => client.beta.sessions.delete(id),
  }),
};

const vaults: ResourceFamily = {
  name: 'vaults',
  singular: 'vault',
  columns: [column('id'), column('display_name'), column('created_at')],
  flags: [{ flags: '--name <name>', description: 'display name' }],
  body: (options) => defined({ display_name: options['name'] }),
  api: (client) => ({
    create: (body) => client.beta.vaults.create(loose(body)),
    list: (limit) => rows(client.beta.vaults.list({ limit })),
    retrieve: (id) => client.beta.vaults.retrieve(id),
    update: (id, body) => client.beta.vaults.update(id, loose(body)),
    archive: (id) => client.beta.vaults.archive(id),
    delete: (id) => client.beta.vaults.delete(id),
  }),
};

export const RESOURCE_FAMILIES: ResourceFamily[] = [agents, environments, sessions, vaults];
export { collect };
