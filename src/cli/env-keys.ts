import { clientCommand } from './client-args.js';

/** `paddock env-key create <environment_id> [name]`: a self-hosted worker's key, printed once. */
export async function runEnvironmentKeys(args: string[]): Promise<number> {
  const { client, positionals } = clientCommand(args);
  const [action, environmentId, name] = positionals;
  if (action !== 'create' || !environmentId) {
    process.stderr.write(
      'usage: paddock env-key create <environment_id> [name] [--base-url <url>] [--api-key <key>]\n',
    );
    return 2;
  }
  const created = await client.expect<{ id: string; environment_id: string; key: string }>(
    'POST',
    `/v1/environments/${encodeURIComponent(environmentId)}/keys`,
    name === undefined ? {} : { name },
  );
  process.stdout.write(`${created.id}\t${created.environment_id}\n${created.key}\n`);
  return 0;
}
