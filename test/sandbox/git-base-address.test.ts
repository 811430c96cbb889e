import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { githubBaseCheck, pinBaseAddress } from '../../src/sandbox/resources/git-base-address.js';
import { ensureRepository } from '../../src/sandbox/resources/git-repository.js';
import { createGitFixture } from './git-fixture.js';

/**
 * Issue #12, git clones and the one address policy: the default clone base's address is checked
 * like any other outbound connection and pinned for git, so a resolver that answers with an
 * internal address cannot turn a `github_repository` resource into a request to a host service.
 * A base the operator configured (PADDOCK_GITHUB_BASE_URL) is their choice and is not checked.
 */
const resolveTo =
  (...addresses: string[]) =>
  async () =>
    addresses;

describe('github_repository clone base and the address policy', () => {
  it('refuses loopback, private, host and metadata addresses; pins a public one', async () => {
    const closed = { allowPrivate: false };
    await assert.rejects(pinBaseAddress('http://127.0.0.1:9/', closed), /refused: .*loopback/);
    await assert.rejects(
      pinBaseAddress('https://github.com', { ...closed, resolve: resolveTo('140.82.112.3', '10.1.2.3') }),
      /github\.com is refused: .*private/,
    );
    await assert.rejects(
      pinBaseAddress('https://github.com', {
        allowPrivate: true,
        resolve: resolveTo('::ffff:169.254.169.254'),
      }),
      /metadata/,
    );
    await assert.rejects(
      pinBaseAddress('https://github.com', { ...closed, resolve: resolveTo() }),
      /does not resolve/,
    );
    assert.deepEqual(
      await pinBaseAddress('https://github.com', { ...closed, resolve: resolveTo('140.82.112.3') }),
      [['http.curloptResolve', 'github.com:443:140.82.112.3']],
    );
    assert.deepEqual(
      await pinBaseAddress('http://git.example:8080/x', {
        ...closed,
        resolve: resolveTo('2606:50c0:8000::153'),
      }),
      [['http.curloptResolve', 'git.example:8080:[2606:50c0:8000::153]']],
    );
    assert.deepEqual(await pinBaseAddress('file:///srv/git', closed), []);
  });

  it('checks only the default base, and private ranges pass with PADDOCK_ALLOW_PRIVATE_NETWORKS', () => {
    const settings = (env: Record<string, string>) => {
      const config = loadConfig(env);
      return { ...config, sandbox: config.sandbox } as Parameters<typeof githubBaseCheck>[0];
    };
    assert.deepEqual(githubBaseCheck(settings({})), { allowPrivate: false });
    assert.deepEqual(githubBaseCheck(settings({ PADDOCK_ALLOW_PRIVATE_NETWORKS: 'true' })), {
      allowPrivate: true,
    });
    assert.equal(githubBaseCheck(settings({ PADDOCK_GITHUB_BASE_URL: 'http://git.internal' })), undefined);
  });

  it('git dials the address that was checked, and a refused base is never contacted', async () => {
    const fixture = await createGitFixture();
    const bare = join(fixture.dir, 'octo', 'hello.git');
    execFileSync('git', ['-C', bare, 'update-server-info'], {
      env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent' },
    });
    // Git's "dumb" HTTP protocol: the bare repository's files, served as they are.
    let requests = 0;
    const server = createServer(async (request, response) => {
      requests++;
      const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
      try {
        response.end(await readFile(join(fixture.dir, path)));
      } catch {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    // A name no resolver knows: the clone can only work through the pinned, checked address.
    const baseUrl = `http://git.paddock.invalid:${port}`;
    const repository = {
      url: 'https://github.com/octo/hello.git',
      sandboxPath: '/workspace/hello',
      checkout: null,
    };
    const target = join(fixture.dir, 'clone');
    try {
      await assert.rejects(
        ensureRepository(repository, target, {
          baseUrl,
          checkBase: { allowPrivate: false, resolve: resolveTo('127.0.0.1') },
        }),
        /cannot provision repository https:\/\/github\.com\/octo\/hello\.git: the repository host git\.paddock\.invalid:\d+ is refused: .*loopback/,
      );
      assert.equal(requests, 0, 'a refused base is never contacted');
      assert.equal(existsSync(target), false);

      await ensureRepository(repository, target, {
        baseUrl,
        checkBase: { allowPrivate: true, resolve: resolveTo('127.0.0.1') },
      });
      assert.equal((await readFile(join(target, 'README.md'), 'utf8')).trim(), 'two');
      assert.ok(requests > 0);
      const config = await readFile(join(target, '.git', 'config'), 'utf8');
      assert.doesNotMatch(config, /curloptResolve|127\.0\.0\.1/i, 'the pin stays out of the clone');
    } finally {
      server.close();
      await rm(fixture.dir, { recursive: true, force: true });
    }
  });
});
