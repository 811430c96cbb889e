import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const EVERYTHING = fileURLToPath(
  new URL('../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url),
);

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The reference MCP server, Streamable HTTP transport, as a child process; `url` ends in /mcp. */
export async function startEverythingServer(): Promise<RunningServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server-everything did not start: ${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`listening on port ${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server-everything exited (${code}): ${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closer(server: Server) {
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

/** Forwards one request to `upstream` (its host header rewritten) and streams the answer back. */
export function forwardTo(upstream: URL, incoming: IncomingMessage, outgoing: ServerResponse): void {
  const proxied = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      path: incoming.url,
      method: incoming.method,
      headers: { ...incoming.headers, host: upstream.host },
    },
    (response) => {
      outgoing.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(outgoing);
    },
  );
  proxied.on('error', () => outgoing.destroy());
  incoming.pipe(proxied);
}

/**
 * A reverse proxy that lets through only `Authorization: Bearer <one of tokens>`,
 * streaming both ways (MCP answers may be SSE). `url` is the gated /mcp endpoint.
 */
export async function startBearerGate(upstreamMcpUrl: string, tokens: () => readonly string[]) {
  const upstream = new URL(upstreamMcpUrl);
  const seen: string[] = [];
  const server = createServer((incoming, outgoing) => {
    const header = incoming.headers.authorization ?? '';
    seen.push(header);
    if (!tokens().some((token) => header === `Bearer ${token}`)) {
      outgoing.writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'application/json' });
      outgoing.end(JSON.stringify({ error: 'unauthorized' }));
      return;
    }
    forwardTo(upstream, incoming, outgoing);
  });
  const base = await listen(server);
  return { url: `${base}${upstream.pathname}`, authorizations: seen, close: closer(server) };
}

/** An OAuth token endpoint that trades one refresh token for `issue()`'s tokens. */
export async function startTokenEndpoint(
  refreshToken: string,
  issue: () => { access_token: string; refresh_token?: string; expires_in?: number },
) {
  const calls: Array<{ authorization: string | undefined; form: URLSearchParams }> = [];
  const server = createServer(async (incoming, outgoing) => {
    let body = '';
    for await (const chunk of incoming) body += String(chunk);
    const form = new URLSearchParams(body);
    calls.push({ authorization: incoming.headers.authorization, form });
    const ok = form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === refreshToken;
    outgoing.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
    outgoing.end(JSON.stringify(ok ? { token_type: 'Bearer', ...issue() } : { error: 'invalid_grant' }));
  });
  const base = await listen(server);
  return { url: `${base}/token`, calls, close: closer(server) };
}
