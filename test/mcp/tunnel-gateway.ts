import assert from 'node:assert/strict';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TestCertificate } from '../support/test-ca.js';
import { forwardTo } from './mcp-servers.js';

/**
 * The gateway an operator runs inside the private network: TLS with a certificate for the MCP
 * host, signed by the CA registered on the tunnel, forwarding to the MCP server it routes to.
 */
export async function startGateway(port: number, upstreamMcpUrl: string, tls: TestCertificate) {
  const upstream = new URL(upstreamMcpUrl);
  const seen: Array<{ servername: string; host: string }> = [];
  const server: Server = createHttpsServer({ key: tls.key, cert: tls.cert }, (incoming, outgoing) => {
    seen.push({
      servername: String((incoming.socket as TLSSocket).servername),
      host: incoming.headers.host ?? '',
    });
    forwardTo(upstream, incoming, outgoing);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  assert.equal((server.address() as AddressInfo).port, port);
  return {
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
