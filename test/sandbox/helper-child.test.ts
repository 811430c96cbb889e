import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { HelperChild } from '../../src/sandbox/spawn-helper/helper-child.js';

/** A connected pair of local sockets: what the listener hands over, and the child's end. */
async function socketPair(): Promise<{ ours: Socket; theirs: Socket; close(): void }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const theirs = connect(address.port, '127.0.0.1');
  const [ours] = await accepted;
  return {
    ours,
    theirs,
    close: () => {
      ours.destroy();
      theirs.destroy();
      server.close();
    },
  };
}

describe('HelperChild (the spawn helper child as the server sees it)', () => {
  it("stdin written after the helper's 'spawned' report but before the stdin socket arrived is delivered, not refused", async () => {
    const child = new HelperChild(1, 'token', ['pipe', 'ignore', 'ignore'], true);
    const errors: unknown[] = [];
    child.stdin?.on('error', (error) => errors.push(error));
    // The IPC report first (a busy server may accept the socket's connection later)…
    child.spawned(process.pid);
    const written = new Promise<void>((resolve, reject) =>
      child.stdin?.write('echo hello\n', (error) => (error ? reject(error) : resolve())),
    );
    // …then the socket.
    const pair = await socketPair();
    try {
      const received = once(pair.theirs, 'data') as Promise<[Buffer]>;
      child.attach(0, pair.ours, Buffer.alloc(0));
      await written;
      const [data] = await received;
      assert.equal(data.toString(), 'echo hello\n');
      assert.deepEqual(errors, []);
    } finally {
      pair.close();
    }
  });

  it('stdin written before both is delivered once both are there', async () => {
    const child = new HelperChild(2, 'token', ['pipe', 'ignore', 'ignore'], true);
    const written = new Promise<void>((resolve, reject) =>
      child.stdin?.write('first\n', (error) => (error ? reject(error) : resolve())),
    );
    const pair = await socketPair();
    try {
      const received = once(pair.theirs, 'data') as Promise<[Buffer]>;
      child.attach(0, pair.ours, Buffer.alloc(0));
      child.spawned(process.pid);
      await written;
      assert.equal((await received)[0].toString(), 'first\n');
    } finally {
      pair.close();
    }
  });
});
