import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Issue #12, finding 4: a `github_repository` URL's path is appended to
 * PADDOCK_GITHUB_BASE_URL, so it must be `owner/name(.git)` of safe characters;
 * anything else is a 400 naming the field, and nothing is stored.
 * (test/sandbox/red-team-git.test.ts runs the escape against a file:// base.)
 */
for (const dialect of DIALECTS) {
  describe(`github_repository URLs name owner/name only (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server?.close());

    it('refuses percent-escapes, dot segments, extra segments and unsafe characters', async () => {
      const { client } = server;
      const agent = await client.beta.agents.create({ name: 'git urls', model: 'claude-haiku-4-5' });
      const environment = await client.beta.environments.create({ name: `git-urls-${dialect}` });
      const create = (url: string) =>
        client.beta.sessions.create({
          agent: agent.id,
          environment_id: environment.id,
          resources: [{ type: 'github_repository', url }],
        });
      const before = [];
      for await (const session of client.beta.sessions.list()) before.push(session.id);
      for (const url of [
        'https://github.com/%2e%2e%2fsecret/victim.git',
        'https://github.com/..%2fsecret/victim.git',
        'https://github.com/octo%2fhello/x',
        'https://github.com/octo/hello/tree/main',
        'https://github.com/octo/..',
        'https://github.com/octo/.git',
        'https://github.com/octo',
        'https://github.com/oc~to/hello',
      ]) {
        await assert.rejects(create(url), (error: unknown) => {
          assert.ok(error instanceof Anthropic.BadRequestError, `${url}: ${String(error)}`);
          assert.match(error.message, /resources\[0\]\.url/, url);
          return true;
        });
      }
      const after = [];
      for await (const session of client.beta.sessions.list()) after.push(session.id);
      assert.deepEqual(after, before, 'no session was created');
      for (const url of ['https://github.com/octo/hello.git', 'https://github.com/my.org/my-repo_2/'])
        assert.equal((await create(url)).resources[0]?.type, 'github_repository');
    });
  });
}
