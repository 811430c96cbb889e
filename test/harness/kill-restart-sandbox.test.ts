import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import { natUnavailable } from '../../src/sandbox/network/nat-host.js';
import { bwrapCase } from '../sandbox/drivers.js';
import { bwrapServeEnv, waitUntil } from '../support/bwrap-serve.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { createSession, openEventReader, type StreamEvent } from '../support/harness-fixture.js';
import { type PaddockProcess, spawnPaddock } from '../support/paddock-process.js';

/**
 * kill -9 of `paddock serve` while a real bwrap sandbox (with NAT) runs a tool:
 * nothing of the sandbox outlives the server (its veth and /32 route go with
 * its network namespace), the cut call is reported interrupted, and the
 * restarted server gives the session a new sandbox with the same files.
 */
const ADMIN_KEY = 'sk-paddock-kill-sandbox-test';
// A subnet of its own, so what this test sees in the host's routes is its own sandboxes'.
const SUBNET_PREFIX = '10.90.7.';

const bwrap = await bwrapCase();
const natMissing = bwrap.skip ? undefined : await natUnavailable();
const skip = bwrap.skip ?? natMissing;

const sandboxRoutes = () =>
  execFileSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.startsWith(SUBNET_PREFIX));

const waitFor = (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 90_000) =>
  waitUntil(check, what, timeoutMs);

describe('kill -9 during a sandboxed tool call (bwrap + NAT)', { skip }, () => {
  let model: ScriptedModelServer;
  let database: TestDatabase;
  let server: PaddockProcess | undefined;
  before(async () => {
    model = await startScriptedModelServer();
    database = await createTestDatabase('sqlite');
  });
  after(async () => {
    await server?.kill();
    await model?.close();
    await database?.drop();
  });

  it('leaves no network behind, reports the call interrupted, and keeps the files', async () => {
    const env = await bwrapServeEnv({
      dataDir: database.dataDir,
      adminKey: ADMIN_KEY,
      modelUrl: model.url,
      subnetPrefix: SUBNET_PREFIX,
    });
    model.push([
      {
        content: [
          { type: 'tool_use', name: 'bash', input: { command: 'echo before > /root/kept; sleep 30' } },
        ],
      },
      // After the restart: the interrupted result reaches the model, which looks again.
      { content: [{ type: 'tool_use', name: 'bash', input: { command: 'cat /root/kept; hostname -I' } }] },
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    server = await spawnPaddock(env);
    let client = new Anthropic({ baseURL: server.url, apiKey: ADMIN_KEY, maxRetries: 0 });
    const { session } = await createSession(client);
    const reader = await openEventReader(client, session.id);
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'go' }] }],
    });
    await reader.until((event) => event.type === 'agent.tool_use');
    await waitFor(
      () => sandboxRoutes().length >= 1,
      'the sandbox to get its NAT link (a pool member may have one too)',
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // the command is sleeping
    reader.close();
    await server.kill();
    await waitFor(() => sandboxRoutes().length === 0, 'the dead server’s sandbox network to go');

    server = await spawnPaddock(env);
    client = new Anthropic({ baseURL: server.url, apiKey: ADMIN_KEY, maxRetries: 0 });
    await waitFor(
      async () => (await client.beta.sessions.retrieve(session.id)).status === 'idle',
      'the session to finish after the restart',
      60_000,
    );
    const events: StreamEvent[] = [];
    for await (const event of client.beta.sessions.events.list(session.id)) events.push(event as StreamEvent);
    const results = events.filter((event) => event.type === 'agent.tool_result');
    assert.equal(results.length, 2);
    assert.equal(results[0]?.is_error, true);
    assert.match(JSON.stringify(results[0]?.content), /interrupted/);
    const second = JSON.stringify(results[1]?.content);
    assert.match(second, /before/, 'the files written before the kill are still there');
    assert.match(second, new RegExp(SUBNET_PREFIX.replaceAll('.', '\\.')), 'the new sandbox has NAT again');
    assert.equal(events.at(-1)?.type, 'session.status_idle');
  });
});
