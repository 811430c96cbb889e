import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic, { toFile } from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

for (const dialect of DIALECTS) {
  describe(`session resources over the SDK (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server.close());

    it('adds, lists, retrieves, updates and deletes resources; tokens stay write-only', async () => {
      const { client } = server;
      const agent = await client.beta.agents.create({ name: 'r', model: 'claude-haiku-4-5' });
      const environment = await client.beta.environments.create({ name: `res-${dialect}` });
      const secret = 'ghp_supersecret_token_value';
      const session = await client.beta.sessions.create({
        agent: agent.id,
        environment_id: environment.id,
        resources: [
          { type: 'github_repository', url: 'https://github.com/myorg/myrepo', authorization_token: secret },
        ],
      });
      const repo = session.resources[0] as { type: string; id: string } | undefined;
      assert.equal(repo?.type, 'github_repository');
      const file = await client.beta.files.upload({ file: await toFile(Buffer.from('data'), 'data.csv') });
      const added = await client.beta.sessions.resources.add(session.id, { type: 'file', file_id: file.id });
      assert.equal(added.type, 'file');
      assert.match(added.id, /^sesrsc_/);
      assert.equal(added.mount_path, `/mnt/session/uploads/${file.id}`);
      // Relative paths resolve under the uploads directory, as the SDK's files example expects.
      const relative = await client.beta.sessions.resources.add(session.id, {
        type: 'file',
        file_id: file.id,
        mount_path: 'data.csv',
      });
      assert.equal(relative.mount_path, '/mnt/session/uploads/data.csv');
      await assert.rejects(
        client.beta.sessions.resources.add(session.id, {
          type: 'file',
          file_id: file.id,
          mount_path: '../x',
        }),
        (error: unknown) => error instanceof Anthropic.BadRequestError && /\.\./.test(error.message),
      );
      await client.beta.sessions.resources.delete(relative.id, { session_id: session.id });

      const listed = [];
      for await (const resource of client.beta.sessions.resources.list(session.id, { limit: 1 })) {
        listed.push('id' in resource ? resource.id : resource.memory_store_id);
      }
      assert.deepEqual(listed, [repo?.id, added.id]);
      const fetched = await client.beta.sessions.resources.retrieve(added.id, { session_id: session.id });
      assert.ok('id' in fetched && fetched.id === added.id);
      const updated = await client.beta.sessions.resources.update(repo!.id as string, {
        session_id: session.id,
        authorization_token: 'ghp_rotated',
      });
      assert.ok('id' in updated && updated.id === (repo as { id: string }).id);
      assert.ok(!JSON.stringify([session, updated, listed]).includes('ghp_'));
      await assert.rejects(
        client.beta.sessions.resources.update(added.id, { session_id: session.id, authorization_token: 'x' }),
        (error: unknown) =>
          error instanceof Anthropic.BadRequestError && /github_repository/.test(error.message),
      );
      const deleted = await client.beta.sessions.resources.delete(added.id, { session_id: session.id });
      assert.deepEqual(deleted, { id: added.id, type: 'session_resource_deleted' });
      await assert.rejects(
        client.beta.sessions.resources.retrieve(added.id, { session_id: session.id }),
        (error: unknown) => error instanceof Anthropic.NotFoundError,
      );
      const after = await client.beta.sessions.retrieve(session.id);
      assert.equal(after.resources.length, 1);
      await assert.rejects(
        client.beta.sessions.resources.add(session.id, { type: 'file', file_id: 'file_missing' }),
        (error: unknown) => error instanceof Anthropic.NotFoundError,
      );
    });
  });
}
