import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { toFile } from '@anthropic-ai/sdk';
import { loadConfig } from '../../src/config/config.js';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import { createSession, isIdle, openEventReader, type StreamEvent } from '../support/harness-fixture.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createGitFixture, type GitFixture } from './git-fixture.js';

// End to end through the API and the harness (process driver: runs anywhere): session resources
// reach the sandbox, and what it writes under mnt/session/outputs becomes the session's files.
describe('session resources and outputs through the API (process driver)', () => {
  let model: ScriptedModelServer;
  let server: TestServer;
  let git: GitFixture;
  before(async () => {
    git = await createGitFixture();
    model = await startScriptedModelServer({ turns: [] });
    server = await startTestServer('sqlite', {
      anthropic: { baseUrl: model.url, apiKey: 'test-upstream-key' },
      sandboxDriver: 'process',
      sandbox: { ...loadConfig({}).sandbox, githubBaseUrl: git.baseUrl },
    });
  });
  after(async () => {
    await server?.close();
    await model?.close();
    if (git) await rm(git.dir, { recursive: true, force: true });
  });

  it('a file and a repository are mounted, and outputs become session-scoped files', async () => {
    const { client } = server;
    const upload = await client.beta.files.upload({ file: await toFile(Buffer.from('data-42\n'), 'in.txt') });
    const { session: created } = await createSession(client);
    const withResources = await client.beta.sessions.create({
      agent: created.agent.id,
      environment_id: created.environment_id,
      resources: [
        { type: 'file', file_id: upload.id },
        {
          type: 'github_repository',
          url: 'https://github.com/octo/hello.git',
          authorization_token: 'ghp_wiringTestToken',
        },
      ],
    });
    const command = `cat mnt/session/uploads/${upload.id} workspace/hello/README.md > mnt/session/outputs/summary.txt && echo ok`;
    model.push([
      { content: [{ type: 'tool_use', name: 'bash', input: { command } }], stop_reason: 'tool_use' },
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    const stream = await openEventReader(client, withResources.id);
    await client.beta.sessions.events.send(withResources.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'summarize' }] }],
    });
    const events = await stream.until(isIdle);
    stream.close();
    const result = events.find((event: StreamEvent) => event.type === 'agent.tool_result');
    assert.equal(result?.['content']?.[0]?.text, 'ok', JSON.stringify(result));
    const files = [];
    for await (const file of client.beta.files.list({ scope_id: withResources.id })) files.push(file);
    assert.deepEqual(
      files.map((file) => [file.filename, file.scope?.id]),
      [['summary.txt', withResources.id]],
    );
    const content = await (await client.beta.files.download(files[0]!.id)).text();
    assert.equal(content, 'data-42\ntwo\n');
  });
});
