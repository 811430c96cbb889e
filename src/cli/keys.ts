import { clientCommand } from './client-args.js';

interface ApiKeyWire {
  id: string;
  name: string;
  created_at: string;
  key?: string;
}

const USAGE = 'usage: paddock keys create <name> | list | revoke <id> [--base-url <url>] [--api-key <key>]\n';

/** `paddock keys …`: the running server's /v1/api_keys, over HTTP. */
export async function runKeys(args: string[]): Promise<number> {
  const { client, positionals } = clientCommand(args);
  const [action, argument] = positionals;
  switch (action) {
    case 'create': {
      const created = await client.expect<ApiKeyWire>('POST', '/v1/api_keys', {
        name: argument ?? 'unnamed',
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
