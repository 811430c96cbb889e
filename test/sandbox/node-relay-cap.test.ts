import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MAX_RELAY_CONNECTIONS, NODE_RELAY_SCRIPT } from '../../src/sandbox/network/netns-forwarder.js';

/**
 * The Node relay is the fallback where socat is missing; the suite's machines have socat, so
 * startForwarder never picks it here. This runs the relay's own script on the host (no namespace:
 * the cap does not depend on one) in front of a unix socket that holds every connection, opens
 * three times the cap, and requires that at most MAX_RELAY_CONNECTIONS reach the proxy at once,
 * the rest are closed, and a slot freed is served again.
 */
test('the Node relay serves at most MAX_RELAY_CONNECTIONS at once and closes the rest', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'paddock-node-relay-'));
  const socketPath = join(dir, 'proxy.sock');
  const held: Socket[] = [];
  let peak = 0;
  const proxy = createServer((socket) => {
    held.push(socket);
    peak = Math.max(peak, held.filter((s) => !s.destroyed).length);
    socket.on('error', () => {});
    socket.on('data', (chunk) => socket.write(chunk)); // echoes; never closes on its own
  });
  await new Promise<void>((resolve) => proxy.listen(socketPath, resolve));
  const relay = spawn(
    process.execPath,
    ['-e', NODE_RELAY_SCRIPT, socketPath, '0', String(MAX_RELAY_CONNECTIONS)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const clients: Socket[] = [];
  try {
    const port = await new Promise<number>((resolve, reject) => {
      relay.stdout.once('data', (chunk: Buffer) =>
        resolve(Number(/ready (\d+)/.exec(chunk.toString())?.[1])),
      );
      relay.once('exit', (code) => reject(new Error(`relay exited with ${code}`)));
    });

    const total = MAX_RELAY_CONNECTIONS * 3;
    let closed = 0;
    const allSettled = new Promise<void>((resolve) => {
      const check = () => {
        if (closed + held.length >= total) resolve();
      };
      proxy.on('connection', () => setImmediate(check));
      for (let index = 0; index < total; index++) {
        const client = connect(port, '127.0.0.1');
        client.on('error', () => {});
        client.on('close', () => {
          closed++;
          check();
        });
        clients.push(client);
      }
    });
    // Every connection is either relayed (the proxy holds it) or closed by the relay: wait for that.
    await allSettled;
    assert.equal(held.length, MAX_RELAY_CONNECTIONS, 'connections that reached the proxy');
    assert.equal(closed, total - MAX_RELAY_CONNECTIONS, 'connections the relay closed');
    assert.equal(peak, MAX_RELAY_CONNECTIONS);

    // Free one slot: the next connection is relayed end to end.
    const first = clients.find((client) => !client.destroyed);
    assert.ok(first);
    // Which proxy-side socket is its partner is unknown: any of them closing frees the slot.
    const freed = new Promise<void>((resolve) => {
      for (const socket of held) socket.once('close', () => resolve());
    });
    first.destroy();
    await freed;
    const next = connect(port, '127.0.0.1');
    clients.push(next);
    next.write('ping');
    const echoed = await new Promise<string>((resolve, reject) => {
      next.once('data', (chunk) => resolve(chunk.toString()));
      next.once('close', () => reject(new Error('the relay closed a connection under the cap')));
    });
    assert.equal(echoed, 'ping');
  } finally {
    for (const client of clients) client.destroy();
    relay.stdin.end();
    relay.kill('SIGKILL');
    for (const socket of held) socket.destroy();
    proxy.close();
    await rm(dir, { recursive: true, force: true });
  }
});
