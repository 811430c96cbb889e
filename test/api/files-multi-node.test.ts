import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic, { toFile } from '@anthropic-ai/sdk';
import { isPaddockError } from '../../src/core/errors.js';
import { createPaddock, type Paddock } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { TEST_ADMIN_KEY, testServerConfig } from '../support/server.js';

interface Node {
  paddock: Paddock;
  client: Anthropic;
  dataDir: string;
}

/** Two real servers on one Postgres database, each with its own data dir: no disk is shared. */
describe('files across nodes (postgres)', () => {
  let database: TestDatabase;
  let a: Node;
  let b: Node;

  // Every node of a fleet shares the key that seals vault credentials.
  const sharedKey = randomBytes(32).toString('hex');
  const startNode = async (dataDir: string, secretKey = sharedKey): Promise<Node> => {
    const config = testServerConfig(dataDir, {
      databaseUrl: database.url,
      maxUploadBytes: 8 * 1024 * 1024,
      secretKey,
    });
    assert.equal(config.fileStorage, 'database', 'Postgres defaults to database file storage');
    const paddock = await createPaddock({ config, store: await database.open() });
    const url = await paddock.listen();
    return {
      paddock,
      dataDir,
      client: new Anthropic({ baseURL: url, apiKey: TEST_ADMIN_KEY, maxRetries: 0 }),
    };
  };

  before(async () => {
    database = await createTestDatabase('postgres');
    a = await startNode(database.dataDir);
    b = await startNode(mkdtempSync(join(tmpdir(), 'paddock-test-node-b-')));
  });
  after(async () => {
    await a.paddock.close();
    await b.paddock.close();
    rmSync(b.dataDir, { recursive: true, force: true });
    await database.drop();
  });

  const download = async (node: Node, id: string) =>
    Buffer.from(await (await node.client.beta.files.download(id)).arrayBuffer());

  it('downloads and mounts on B what was uploaded through A, byte-exact', async () => {
    const bytes = randomBytes(3.5 * 1024 * 1024);
    const file = await a.client.beta.files.upload({ file: await toFile(bytes, 'data.bin') });
    assert.equal(file.size_bytes, bytes.length);

    assert.ok(!existsSync(join(b.dataDir, 'files', file.id)), 'B has no copy of its own yet');
    assert.ok((await download(b, file.id)).equals(bytes));
    const mountable = await b.paddock.context.files.hostPath(file.id);
    assert.ok(mountable.startsWith(b.dataDir), 'the mount source is local to B');
    assert.ok(readFileSync(mountable).equals(bytes));
    assert.ok((await download(a, file.id)).equals(bytes));
  });

  it('deleting through B makes the file gone on A too', async () => {
    const bytes = Buffer.from('short-lived\n');
    const file = await a.client.beta.files.upload({ file: await toFile(bytes, 'gone.txt') });
    assert.ok((await download(b, file.id)).equals(bytes));
    assert.ok((await download(a, file.id)).equals(bytes));

    await b.client.beta.files.delete(file.id);
    await assert.rejects(a.client.beta.files.download(file.id), Anthropic.NotFoundError);
    await assert.rejects(a.client.beta.files.retrieveMetadata(file.id), Anthropic.NotFoundError);
    await assert.rejects(
      a.paddock.context.files.hostPath(file.id),
      (error: unknown) => isPaddockError(error) && error.code === 'not_found',
    );
    await assert.rejects(b.client.beta.files.download(file.id), Anthropic.NotFoundError);
  });

  it('serves on A a session output that B created', async () => {
    const bytes = randomBytes(1024 * 1024 + 17);
    const created = await b.paddock.context.files.createFromBuffer(bytes, {
      filename: 'report.bin',
      scopeId: 'sesn_output_test',
    });
    assert.ok((await download(a, created.id)).equals(bytes));
    const listed = await a.client.beta.files.list({ scope_id: 'sesn_output_test' });
    assert.deepEqual(
      listed.data.map((file) => file.id),
      [created.id],
    );
    assert.ok(readFileSync(await a.paddock.context.files.hostPath(created.id)).equals(bytes));
  });

  it('refuses to start a node whose secret key differs from the fleet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paddock-test-node-c-'));
    try {
      await assert.rejects(
        startNode(dir, randomBytes(32).toString('hex')),
        /every node sharing the database needs the same PADDOCK_SECRET_KEY/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
