import Anthropic from '@anthropic-ai/sdk';
import type { Command } from 'commander';
import { loadClientConfig } from '../../config/config.js';

/** The options every client command takes (the `ant` CLI's names). */
export interface ClientOptions {
  baseUrl?: string;
  apiKey?: string;
  json?: boolean;
}

/** Adds `--base-url`, `--api-key` and `--json` to a client command. */
export function withClientOptions(command: Command): Command {
  return command
    .option(
      '--base-url <url>',
      'the Paddock server (PADDOCK_BASE_URL, default http://127.0.0.1:$PADDOCK_PORT)',
    )
    .option('--api-key <key>', 'a Paddock API key (PADDOCK_API_KEY, else PADDOCK_ADMIN_KEY)')
    .option('--json', 'print JSON (for scripts) instead of a table');
}

export interface Connection {
  client: Anthropic;
  baseUrl: string;
}

/** The official SDK, pointed at the server the flags or the environment name. */
export function connect(options: ClientOptions): Connection {
  const config = loadClientConfig({ baseUrl: options.baseUrl, apiKey: options.apiKey });
  const client = new Anthropic({
    baseURL: config.baseUrl,
    // The SDK refuses to start without a key; the server answers 401 with what to do instead.
    apiKey: config.apiKey ?? 'missing-paddock-api-key',
    maxRetries: 1,
  });
  return { client, baseUrl: config.baseUrl };
}

/**
 * An SDK error as a one-line message that names the URL tried and what to do,
 * so `paddock agents list` against a stopped server does not print a stack.
 */
export function describeClientError(error: unknown, baseUrl: string): string {
  if (error instanceof Anthropic.APIConnectionError)
    return (
      `could not reach the Paddock server at ${baseUrl} (${causeOf(error)}); ` +
      'is `paddock serve` running there? Point the CLI elsewhere with --base-url or PADDOCK_BASE_URL'
    );
  if (error instanceof Anthropic.AuthenticationError)
    return `${baseUrl} refused the API key (401): pass one with --api-key or PADDOCK_API_KEY (\`paddock serve\` prints the first key; \`paddock keys create\` makes more)`;
  if (error instanceof Anthropic.APIError) {
    const body = error.error as { error?: { message?: string; type?: string } } | undefined;
    const message = body?.error?.message ?? error.message;
    return `${baseUrl}: ${error.status ?? ''} ${body?.error?.type ?? ''}: ${message}`.replace(/\s+/g, ' ');
  }
  return error instanceof Error ? error.message : String(error);
}

function causeOf(error: Error): string {
  // fetch wraps the socket's error: the innermost one says what happened (ECONNREFUSED, bad port).
  type Cause = { code?: string; message?: string; cause?: Cause };
  let cause = (error as { cause?: Cause }).cause;
  while (cause?.cause) cause = cause.cause;
  return cause?.code ?? cause?.message ?? error.message;
}
