import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FileStorage } from '../../src/config/config.js';
import type { FileBlobStore } from '../../src/core/ports/file-blobs.js';
import type { Store } from '../../src/core/ports/store.js';
import { createFileBlobStore } from '../../src/file-blobs/create-file-blob-store.js';
import { encodeManifest } from '../../src/sandbox/snapshots/manifest.js';
import { BlobWorkspaceSnapshots } from '../../src/sandbox/snapshots/workspace-snapshots.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

/** The blob stores snapshots run on: disk and the database on both dialects, S3 on one. */
const CASES: Array<{ dialect: (typeof DIALECTS)[number]; storage: FileStorage }> = [
  ...DIALECTS.map((dialect) => ({ dialect, storage: 'database' as const })),
  { dialect: 'sqlite', storage: 'disk' },
  { dialect: 'postgres', storage: 's3' },
];

let s3: TestS3;
before(async () => {
  s3 = await startTestS3('snapshots');
});
after(async () => {
  await s3.close();
});

for (const { dialect, storage } of CASES) {
  describe(`workspace snapshots: ${storage} (${dialect})`, () => {
    let database: TestDatabase;
    let store: Store;
    let blobs: FileBlobStore;
    let scratch: string;
    let counter = 0;

    /** One node: its own state directory, the shared database and blob storage. */
    const node = (name: string) =>
      new BlobWorkspaceSnapshots({
        repository: store.workspaceSnapshots,
        blobs,
        stateDir: join(scratch, name, 'state'),
        stageDir: storage === 'disk' ? join(database.dataDir, 'snapshots') : join(scratch, name, 'stage'),
        maxBytes: 64 * 1024 * 1024,
        restoreOwners: false,
        log: () => undefined,
      });
    const emptyDir = (name: string) => {
      const dir = join(scratch, `${name}-${counter++}`);
      mkdirSync(dir, { recursive: true });
      return dir;
    };

    before(async () => {
      database = await createTestDatabase(dialect);
      store = await database.open();
      blobs = createFileBlobStore(
        { fileStorage: storage, dataDir: database.dataDir, s3: { ...s3.config, prefix: dialect } },
        store,
        'snapshots',
      );
      scratch = mkdtempSync(join(tmpdir(), 'paddock-snapshots-'));
    });
    after(async () => {
      blobs.close?.();
      await store.close();
      await database.drop();
      rmSync(scratch, { recursive: true, force: true });
    });

    it('restores files, modes and links on another node; later snapshots carry only changes and deletions', async () => {
      const sessionId = `sesn_roundtrip${counter++}`;
      const a = node(`a${counter}`);
      const dirA = emptyDir('a');
      assert.deepEqual(await a.restore(sessionId, dirA), { type: 'new' });
      mkdirSync(join(dirA, 'repo/src'), { recursive: true });
      writeFileSync(join(dirA, 'repo/src/main.ts'), 'console.log(1)\n');
      writeFileSync(join(dirA, 'repo/empty'), '');
      writeFileSync(join(dirA, 'repo/run.sh'), '#!/bin/sh\n', { mode: 0o755 });
      const big = randomBytes(3 * 1024 * 1024);
      writeFileSync(join(dirA, 'repo/big.bin'), big);
      // Compressible and incompressible, small and large: gzip'd or stored raw, each checked.
      const text = Buffer.from('line of a build log\n'.repeat(120_000));
      writeFileSync(join(dirA, 'repo/build.log'), text);
      const noise = randomBytes(2000);
      writeFileSync(join(dirA, 'repo/noise.bin'), noise);
      // A link to a host file is stored as a link: its target is never read.
      symlinkSync('/etc/passwd', join(dirA, 'repo/passwd-link'));
      const first = await a.save(sessionId, dirA);
      assert.equal(first.type, 'saved');
      assert.deepEqual(await a.save(sessionId, dirA), { type: 'unchanged' });

      const b = node(`b${counter}`);
      const dirB = emptyDir('b');
      const restored = await b.restore(sessionId, dirB);
      assert.equal(restored.type, 'restored');
      assert.equal(readFileSync(join(dirB, 'repo/src/main.ts'), 'utf8'), 'console.log(1)\n');
      assert.equal(readFileSync(join(dirB, 'repo/empty')).length, 0);
      assert.ok(readFileSync(join(dirB, 'repo/big.bin')).equals(big));
      assert.ok(readFileSync(join(dirB, 'repo/build.log')).equals(text));
      assert.ok(readFileSync(join(dirB, 'repo/noise.bin')).equals(noise));
      assert.equal(statSync(join(dirB, 'repo/run.sh')).mode & 0o777, 0o755);
      assert.ok(lstatSync(join(dirB, 'repo/passwd-link')).isSymbolicLink());
      assert.equal(readlinkSync(join(dirB, 'repo/passwd-link')), '/etc/passwd');
      assert.deepEqual(await b.restore(sessionId, dirB), { type: 'current' }, 'no second download');
      // A layer removed behind the node's back (its state kept) is restored, not taken as current.
      rmSync(dirB, { recursive: true });
      mkdirSync(dirB);
      assert.equal((await b.restore(sessionId, dirB)).type, 'restored');
      assert.equal(readFileSync(join(dirB, 'repo/src/main.ts'), 'utf8'), 'console.log(1)\n');

      // Turn 2 on B: one change, one deletion. Only the change is uploaded.
      writeFileSync(join(dirB, 'repo/src/main.ts'), 'console.log(2)\n');
      rmSync(join(dirB, 'repo/empty'));
      const second = await b.save(sessionId, dirB);
      assert.equal(second.type, 'saved');
      if (second.type === 'saved') {
        assert.equal(second.changedFiles, 1);
        assert.ok(second.uploadedBytes < 1024, 'the 3 MiB file was not uploaded again');
      }

      // Back on A, whose copy is a generation behind: it is replaced by the newest.
      writeFileSync(join(dirA, 'stale-local-file'), 'from a turn A never snapshotted');
      assert.equal((await a.restore(sessionId, dirA)).type, 'restored');
      assert.equal(readFileSync(join(dirA, 'repo/src/main.ts'), 'utf8'), 'console.log(2)\n');
      assert.ok(!existsSync(join(dirA, 'repo/empty')), 'the deletion was restored');
      assert.ok(!existsSync(join(dirA, 'stale-local-file')));
      assert.ok(readFileSync(join(dirA, 'repo/big.bin')).equals(big));

      await a.delete(sessionId);
      assert.equal(await store.workspaceSnapshots.head(sessionId), undefined);
    });

    it('says the files are lost when the node that ran the session never snapshotted', async () => {
      const sessionId = `sesn_lost${counter++}`;
      const a = node(`a${counter}`);
      assert.deepEqual(await a.restore(sessionId, emptyDir('a')), { type: 'new' });
      const outcome = await node(`b${counter}`).restore(sessionId, emptyDir('b'));
      assert.equal(outcome.type, 'lost');
    });

    it('a corrupt snapshot is reported lost and leaves an empty workspace, never part of one', async () => {
      const sessionId = `sesn_corrupt${counter++}`;
      const a = node(`a${counter}`);
      const dirA = emptyDir('a');
      await a.restore(sessionId, dirA);
      writeFileSync(join(dirA, 'one'), '1');
      writeFileSync(join(dirA, 'two'), '2');
      assert.equal((await a.save(sessionId, dirA)).type, 'saved');
      const head = await store.workspaceSnapshots.head(sessionId);
      assert.ok(head);
      const tampered = { ...head, generation: head.generation + 1, manifestSha256: 'f'.repeat(64) };
      assert.ok(await store.workspaceSnapshots.advance(tampered, head.generation));
      const dirB = emptyDir('b');
      writeFileSync(join(dirB, 'leftover'), 'x');
      const outcome = await node(`b${counter}`).restore(sessionId, dirB);
      assert.equal(outcome.type, 'lost');
      assert.match(outcome.type === 'lost' ? outcome.reason : '', /checksum/);
      assert.ok(!existsSync(join(dirB, 'one')) && !existsSync(join(dirB, 'leftover')));
    });

    it('a hostile manifest cannot write outside the workspace (.. paths, writes through links)', async () => {
      const outside = emptyDir('outside');
      for (const [index, entries] of [
        [{ path: '../escaped', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtimeMs: 0, size: 0 }],
        [
          {
            path: 'link',
            type: 'symlink',
            target: outside,
            mode: 0o777,
            uid: 0,
            gid: 0,
            mtimeMs: 0,
            size: 0,
          },
          { path: 'link/escaped', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtimeMs: 0, size: 0 },
        ],
      ].entries()) {
        const sessionId = `sesn_hostile${counter++}_${index}`;
        const encoded = encodeManifest({
          version: 1,
          sessionId,
          generation: 1,
          createdAt: new Date().toISOString(),
          entries: entries as never,
        });
        const manifestId = `wsm_${sessionId}_1_x`;
        await blobs.put(manifestId, { bytes: encoded.bytes });
        const head = { sessionId, generation: 1, manifestId, manifestSha256: encoded.sha256, createdAt: '' };
        assert.ok(await store.workspaceSnapshots.advance(head, undefined));
        const dir = emptyDir('victim');
        const outcome = await node(`h${counter}`).restore(sessionId, dir);
        assert.equal(outcome.type, 'lost');
        assert.ok(!existsSync(join(dir, '..', 'escaped')) && !existsSync(join(outside, 'escaped')));
      }
    });
  });
}
