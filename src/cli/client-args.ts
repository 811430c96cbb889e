import { parseArgs } from 'node:util';
import { loadClientConfig } from '../config/config.js';
import { PaddockHttpClient } from './http-client.js';

/** The flags every client command takes: `--base-url`, `--api-key`; the rest are its positionals. */
export function clientCommand(args: string[]): { client: PaddockHttpClient; positionals: string[] } {
  const { values, positionals } = parseArgs({
    args,
    options: { 'base-url': { type: 'string' }, 'api-key': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const config = loadClientConfig({ baseUrl: values['base-url'], apiKey: values['api-key'] });
  return { client: new PaddockHttpClient(config), positionals };
}
