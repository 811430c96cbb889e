import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PaddockConfig } from '../../src/config/config.js';
import type { SandboxDriver, SandboxSpec } from '../../src/core/ports/sandbox.js';
import { bwrapCase, processCase, spec, textOf, tool } from './drivers.js';
import { createGitFixture, type GitFixture, recordingGitServer } from './git-fixture.js';
import { memorySink, type StoredOutput } from './output-sink.js';

const cases = [processCase, await bwrapCase()];
const TOKEN = 'ghp_paddockTestToken0123456789';

for (const driverCase of cases) {
  // The process driver has no private root: sandbox paths are taken relative to its workdir.
  const at = (path: string) => (driverCase.name === 'bwrap' ? path : path.slice(1));

  describe(`session resources: ${driverCase.name}`, { skip: driverCase.skip }, () => {
    let driver: SandboxDriver;
    let config: PaddockConfig;
    let git: GitFixture;
    let hostFile = '';
    const outputs: StoredOutput[][] = [];
    before(async () => {
      git = await createGitFixture();
      ({ driver, config } = await driverCase.create({
        onOutputs: memorySink(outputs),
        env: { PADDOCK_GITHUB_BASE_URL: git.baseUrl },
      }));
      // Like a stored Files API object: server-owned, 0600, in a private directory.
      const dir = await mkdtemp(join(tmpdir(), 'paddock-files-'));
      hostFile = join(dir, 'file_abc');
      await writeFile(hostFile, 'uploaded bytes\n', { mode: 0o600 });
    });
    after(async () => {
      await driver?.close();
      if (config) await rm(config.dataDir, { recursive: true, force: true });
      if (git) await rm(git.dir, { recursive: true, force: true });
    });

    const bash = async (sandboxSpec: SandboxSpec, command: string) =>
      tool(await driver.acquire(sandboxSpec), 'bash', { command });

    it('a file resource is readable at its mount path and cannot be changed', async () => {
      const withFile: SandboxSpec = {
        ...spec('r1'),
        mounts: [{ hostPath: hostFile, sandboxPath: '/mnt/session/uploads/file_abc', readOnly: true }],
      };
      const path = at('/mnt/session/uploads/file_abc');
      assert.equal(textOf(await bash(withFile, `cat ${path}`)), 'uploaded bytes');
      const read = await tool(await driver.acquire(withFile), 'read', { file_path: path });
      assert.match(textOf(read), /uploaded bytes/);
      const write = await bash(withFile, `echo changed > ${path}`);
      // The process driver runs as the server user (root here): it can overwrite its 0444 copy, but
      // only the copy — the stored object stays intact.
      if (driverCase.name === 'bwrap') assert.equal(write.isError, true, textOf(write));
      assert.equal(await readFile(hostFile, 'utf8'), 'uploaded bytes\n');
    });

    it('files written under /mnt/session/outputs are handed over once, and again when changed', async () => {
      outputs.length = 0;
      const dir = at('/mnt/session/outputs');
      await bash(spec('r2'), `mkdir -p ${dir}/sub && printf 'report' > ${dir}/sub/report.txt`);
      // Outputs are handed over at the end of a turn, which the harness signals with flushOutputs.
      await driver.flushOutputs?.('r2');
      assert.deepEqual(
        outputs.flat().map((file) => [file.path, file.content.toString()]),
        [['sub/report.txt', 'report']],
      );
      await bash(spec('r2'), 'echo unrelated');
      await bash(spec('r2'), `touch ${dir}/sub/report.txt`); // same content, new mtime
      await driver.flushOutputs?.('r2');
      assert.equal(outputs.length, 1, 'an unchanged file was handed over again');
      await tool(await driver.acquire(spec('r2')), 'write', {
        file_path: `${dir}/sub/report.txt`,
        content: 'report v2',
      });
      await driver.flushOutputs?.('r2');
      assert.equal(outputs.length, 2);
      assert.equal(outputs[1]?.[0]?.content.toString(), 'report v2');
    });

    it('outputs are collected at stop, and a restarted server does not re-upload', async () => {
      outputs.length = 0;
      const sandbox = await driver.acquire(spec('r3'));
      // A background writer finishes after the tool call returned; stop() still collects it.
      await tool(sandbox, 'bash', {
        command: `(sleep 0.3; echo late > ${at('/mnt/session/outputs')}/late.txt) &`,
      });
      await new Promise((resolve) => setTimeout(resolve, 600));
      await sandbox.stop();
      assert.deepEqual(
        outputs.flat().map((file) => file.path),
        ['late.txt'],
      );
      const again = await driverCase.create({
        onOutputs: memorySink(outputs),
        dataDir: config.dataDir,
      });
      await tool(await again.driver.acquire(spec('r3')), 'bash', { command: 'echo hi' });
      await again.driver.close();
      assert.equal(outputs.length, 1);
    });

    if (driverCase.name === 'bwrap') {
      it('a symlink in outputs never makes the server read a host file', async () => {
        outputs.length = 0;
        await bash(
          spec('r4'),
          'ln -s /etc/hostname /mnt/session/outputs/link; ln -s /proc/1/environ /mnt/session/outputs/env',
        );
        assert.deepEqual(outputs, []);
      });
    }

    it('a repository is cloned on the host, checked out, and carries no credentials', async () => {
      const withRepo = (
        sessionId: string,
        checkout: NonNullable<SandboxSpec['repositories']>[number]['checkout'],
      ) => ({
        ...spec(sessionId),
        repositories: [
          {
            url: 'https://github.com/octo/hello.git',
            sandboxPath: '/workspace/hello',
            checkout,
            authorizationToken: TOKEN,
          },
        ],
      });
      const repo = at('/workspace/hello');
      const main = await bash(
        withRepo('g1', null),
        `(cd ${repo} && cat README.md && git remote get-url origin)`,
      );
      assert.equal(textOf(main), 'two\nhttps://github.com/octo/hello.git');
      const leak = await bash(
        withRepo('g1', null),
        `(cd ${repo} && git config --list --show-origin; grep -r ${TOKEN} .git || echo clean)`,
      );
      assert.ok(!textOf(leak).includes(TOKEN) && !/extraheader/i.test(textOf(leak)), textOf(leak));
      assert.match(textOf(leak), /clean$/);
      const feature = await bash(
        withRepo('g2', { type: 'branch', name: 'feature' }),
        `cat ${repo}/FEATURE.md`,
      );
      assert.equal(textOf(feature), 'feature');
      const pinned = await bash(
        withRepo('g3', { type: 'commit', sha: git.firstCommit }),
        `cat ${repo}/README.md`,
      );
      assert.equal(textOf(pinned), 'one');
      // Writable, and kept across a restart (not cloned again over the agent's changes).
      await bash(withRepo('g1', null), `(cd ${repo} && echo mine > NOTES.md)`);
      await (await driver.acquire(withRepo('g1', null))).stop();
      assert.equal(textOf(await bash(withRepo('g1', null), `cat ${repo}/NOTES.md`)), 'mine');
    });

    it('a failed clone names the repository, sends the token only as a header, and never shows it', async () => {
      const recorder = await recordingGitServer();
      const created = await driverCase.create({ env: { PADDOCK_GITHUB_BASE_URL: recorder.url } });
      try {
        const failing = {
          ...spec('g4'),
          repositories: [
            {
              url: 'https://github.com/octo/missing',
              sandboxPath: '/workspace/missing',
              checkout: null,
              authorizationToken: TOKEN,
            },
          ],
        };
        await assert.rejects(created.driver.acquire(failing), (error: Error) => {
          assert.match(error.message, /cannot provision repository https:\/\/github\.com\/octo\/missing/);
          assert.ok(!error.message.includes(TOKEN));
          return true;
        });
        const expected = `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;
        assert.ok(recorder.headers.includes(expected), `headers seen: ${recorder.headers.join(', ')}`);
      } finally {
        recorder.server.close();
        await created.driver.close();
        await rm(created.config.dataDir, { recursive: true, force: true });
      }
    });
  });
}
