import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SandboxSecret } from '../../src/core/ports/sandbox.js';
import { BodyBudget } from '../../src/sandbox/network/body-budget.js';
import { EgressPolicy } from '../../src/sandbox/network/egress-policy.js';
import { EgressProxy } from '../../src/sandbox/network/egress-proxy.js';

/**
 * Issue #12, findings 9 and 11: a request the proxy refuses while its body is still arriving (the
 * body budget is spent, or its Host is not the checked authority) gets its answer, and its
 * connection stays open until the client has sent the rest. The proxy used to close right after
 * answering; the client's remaining bytes then met a closed socket, the relay in front reset the
 * connection, and curl reported a send failure instead of the 503: the combined floods test waited
 * for 503s that never came (it hung at its 600 s timeout).
 */
const MIB = 1024 * 1024;
const BODY = 4 * MIB;

const secret: SandboxSecret = {
  name: 'TOKEN',
  placeholder: 'paddock-secret-000000000000000000000000',
  value: 'real-token-value-0123456789',
  header: true,
  body: true,
  hosts: ['api.allowed.test'],
};

describe('egress proxy: a refused upload is answered, then read to its end before the connection closes', () => {
  let dir: string;
  let proxy: EgressProxy;
  let holding: Server;
  const held: IncomingMessage[] = [];

  before(async () => {
    // The upstream never answers, so a body it accepted stays reserved in the budget.
    holding = createServer((req) => {
      req.pause();
      held.push(req);
    });
    await new Promise<void>((resolve) => holding.listen(0, '127.0.0.1', resolve));
    const port = (holding.address() as { port: number }).port;
    dir = await mkdtemp(join(tmpdir(), 'paddock-refusal-drain-'));
    proxy = await EgressProxy.listen(join(dir, 'p.sock'), {
      policy: new EgressPolicy({ type: 'limited', allowed_hosts: ['api.allowed.test'] }),
      allowPrivateNetworks: false,
      net: { resolve: async () => ['203.0.113.7'], dial: () => connect({ host: '127.0.0.1', port }) },
      secrets: [secret],
      budget: new BodyBudget(1 * MIB),
    });
  });
  after(async () => {
    for (const req of held) req.socket.destroy();
    await proxy?.close();
    holding?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /**
   * Sends the head, waits for the proxy's whole answer, and only then sends the body: the
   * client is still uploading when the refusal arrives, as a slow curl is.
   */
  async function uploadAfterAnswer(host: string): Promise<{ answer: string; bodySent: boolean }> {
    const socket: Socket = connect(proxy.socketPath);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    let received = '';
    let failure: Error | undefined;
    socket.on('error', (error) => {
      failure = error;
    });
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.write(
      `POST http://api.allowed.test/upload HTTP/1.1\r\nhost: ${host}\r\n` +
        `authorization: Bearer ${secret.placeholder}\r\ncontent-length: ${BODY}\r\n\r\n`,
    );
    // The whole answer: its length is declared, so a complete one is recognisable.
    const deadline = Date.now() + 60_000;
    while (!/\r\n\r\n[\s\S]*\n$/.test(received) && !failure && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const answer = received;
    let bodySent = false;
    if (!failure) {
      // Written in pieces, each after the previous one drained: a closed peer fails a later write.
      const piece = Buffer.alloc(256 * 1024, 'a');
      for (let sent = 0; sent < BODY && !failure; sent += piece.length) {
        if (socket.destroyed)
          failure ??= new Error('the proxy closed the connection before the body was sent');
        else if (!socket.write(piece))
          await new Promise<void>((resolve) => {
            // A generous bound, so a proxy that stops reading fails this test instead of hanging it.
            const stalled = setTimeout(() => {
              failure = new Error('the proxy stopped reading the body without closing');
              socket.destroy();
              done();
            }, 60_000);
            const done = () => {
              clearTimeout(stalled);
              socket.off('drain', done);
              socket.off('close', done);
              resolve();
            };
            socket.on('drain', done);
            socket.on('close', done);
          });
      }
      bodySent = !failure;
    }
    // Once the body is read, the proxy closes the connection itself.
    await ended;
    return { answer, bodySent: bodySent && !failure };
  }

  it('answers 503 past the body budget and closes only after reading the rest of the body', async () => {
    const { answer, bodySent } = await uploadAfterAnswer('api.allowed.test');
    assert.match(answer, /^HTTP\/1\.1 503 /);
    assert.match(answer, /PADDOCK_EGRESS_BODY_BUDGET_MB/);
    assert.match(answer, /connection: close/i);
    assert.ok(bodySent, 'the client sent its whole body without a reset');
    assert.equal(held.length, 0, 'nothing reached the upstream');
  });

  it('answers 421 to a Host that is not the checked authority, then reads the rest of the body too', async () => {
    const { answer, bodySent } = await uploadAfterAnswer('denied.example');
    assert.match(answer, /^HTTP\/1\.1 421 /);
    assert.ok(bodySent, 'the client sent its whole body without a reset');
    assert.equal(held.length, 0, 'nothing reached the upstream');
  });
});
