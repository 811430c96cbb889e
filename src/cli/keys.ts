import { clientCommand } from './client-args.js';

interface ApiKeyWire {
  id: string;
  name: string;
  created_at: string;
  key?: string;
}

const USAGE =
  'usage: paddock keys create <name> [--workspace <id>] | list | revoke <id> [--base-url <url>] [--api-key <key>]\n';

/** `--workspace ID` (or `--workspace=ID`) taken out of the arguments; the rest go to clientCommand. */
function takeWorkspace(args: string[]): { workspace: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let workspace: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '--workspace') workspace = args[++index];
    else if (arg.startsWith('--workspace=')) workspace = arg.slice('--workspace='.length);
    else rest.push(arg);
  }
  return { workspace, rest };
}

/**
 * `paddock keys …`: the running server's keys, over HTTP. `create --workspace ID` makes a key of
 * that workspace (/v1/organizations/api_keys); without it, an organization (admin) key.
 */
export async function runKeys(args: string[]): Promise<number> {
  const { workspace, rest } = takeWorkspace(args);
  const { client, positionals } = clientCommand(rest);
  const [action, argument] = positionals;
  switch (action) {
    case 'create': {
      const name = argument ?? 'unnamed';
      const created =
        workspace === undefined
          ? await client.expect<ApiKeyWire>('POST', '/v1/api_keys', { name })
          : await client.expect<ApiKeyWire>('POST', '/v1/organizations/api_keys', {
              name,
              workspace_id: workspace,
            });
      process.stdout.write(`${created.id}\t${created.name}\n${created.key ?? ''}\n`);
      return 0;
    }
    case 'list': {
      const page = await client.expect<{ data: ApiKeyWire[] }>('GET', '/v1/api_keys');
      for (const record of page.data)
        process.stdout.write(`${record.id}\t${record.name}\t${record.created_at}\n`);
      return 0;
    }
    case 'revoke': {
      if (!argument) throw new Error('usage: paddock keys revoke <id>');
      const path = `/v1/api_keys/${encodeURIComponent(argument)}`;
      const result = await client.request('DELETE', path);
      if (result.status === 404) {
        process.stdout.write(`no key ${argument}\n`);
        return 1;
      }
      if (result.status !== 200) await client.expect('DELETE', path);
      process.stdout.write(`revoked ${argument}\n`);
      return 0;
    }
    default:
      process.stderr.write(USAGE);
      return 2;
  }
}
