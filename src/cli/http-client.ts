import type { ClientConfig } from '../config/config.js';

export interface HttpResult<T> {
  status: number;
  body: T;
}

/**
 * How CLI client commands reach a running server: its public HTTP API, with
 * an API key, like any other client. Commands that act on the server's data
 * never open its database, so they work against a remote server and never
 * race the one that is running.
 */
export class PaddockHttpClient {
  constructor(private readonly config: ClientConfig) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<HttpResult<T>> {
    const url = `${this.config.baseUrl}${path}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.config.apiKey !== undefined) headers['x-api-key'] = this.config.apiKey;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(
        `could not reach the Paddock server at ${this.config.baseUrl} (${cause?.code ?? cause?.message ?? (error as Error).message}); ` +
          'is `paddock serve` running there? Point the CLI elsewhere with --base-url or PADDOCK_BASE_URL',
      );
    }
    const text = await response.text();
    const parsed = (text === '' ? undefined : JSON.parse(text)) as T;
    return { status: response.status, body: parsed };
  }

  /** The body of a 2xx answer; anything else becomes an error naming the request and the server's message. */
  async expect<T>(method: string, path: string, body?: unknown): Promise<T> {
    const result = await this.request<T>(method, path, body);
    if (result.status >= 200 && result.status < 300) return result.body;
    const hint =
      result.status === 401 && this.config.apiKey === undefined
        ? ' (no API key was sent: pass --api-key or set PADDOCK_API_KEY)'
        : '';
    throw new Error(
      `${method} ${this.config.baseUrl}${path}: ${result.status} ${errorMessage(result.body)}${hint}`,
    );
  }
}

/** The error body's message (the Managed Agents error shape), or the status alone. */
export function errorMessage(body: unknown): string {
  const error = (body as { error?: { message?: unknown } } | undefined)?.error;
  if (typeof error?.message === 'string') return error.message;
  return '';
}
