// Tests read event fields freely; the SDK's own types are checked in the API tests.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic, { toFile } from '@anthropic-ai/sdk';
import { loadConfig } from '../../src/config/config.js';
import { DIALECTS } from '../support/databases.js';
import {
  type HarnessFixture,
  runTurn,
  type StreamEvent,
  startHarnessFixture,
} from '../support/harness-fixture.js';
import { bwrapCase, TEST_ROOTFS_DIR } from './drivers.js';

const MIB = 1024 * 1024;

/** The data disk as the server sees it: tests move it between "full" and "fine" without writing a byte. */
function simulatedDisk() {
  const disk = { freeBytes: 100 * MIB };
  return { disk, read: async () => disk.freeBytes };
}

for (const dialect of DIALECTS) {
  describe(`low-disk guard: uploads (${dialect})`, () => {
    const { disk, read } = simulatedDisk();
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(
        dialect,
        [],
        {},
        { minFreeDiskBytes: 1024 * MIB, freeDiskBytes: read },
      );
    });
    after(async () => fixture?.close());

    it('refuses an upload with 507 insufficient_storage while the disk is low, accepts it once space is back', async () => {
      const { client } = fixture;
      disk.freeBytes = 100 * MIB;
      const error = await client.beta.files.upload({ file: await toFile(Buffer.from('data'), 'a.txt') }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof Anthropic.APIError, String(error));
      assert.equal(error.status, 507);
      assert.match(
        error.message,
        /file upload refused: the server's data disk has 100 MiB free, under its 1024 MiB minimum/,
      );
      assert.equal(
        (error.error as { error?: { details?: { error_code?: string } } }).error?.details?.error_code,
        'insufficient_storage',
      );
      // Nothing half-written: the store answers as before.
      assert.equal((await client.beta.files.list()).data.length, 0);

      disk.freeBytes = 5000 * MIB;
      const uploaded = await client.beta.files.upload({ file: await toFile(Buffer.from('data'), 'a.txt') });
      assert.equal((await client.beta.files.retrieveMetadata(uploaded.id)).size_bytes, 4);
    });
  });
}

const bwrap = await bwrapCase();

describe('low-disk guard: new sandboxes (real bwrap, the driver the server builds)', {
  skip: bwrap.skip,
}, () => {
  const { disk, read } = simulatedDisk();
  let fixture: HarnessFixture;
  before(async () => {
    // No injected driver: the composition root maps the guard's settings into the bwrap driver.
    const sandbox = loadConfig({ PADDOCK_ROOTFS_DIR: TEST_ROOTFS_DIR, PADDOCK_SANDBOX_IDLE_MS: '0' }).sandbox;
    fixture = await startHarnessFixture(
      'sqlite',
      [],
      {},
      { sandboxDriver: 'bwrap', sandbox, minFreeDiskBytes: 1024 * MIB, freeDiskBytes: read },
    );
  });
  after(async () => fixture?.close());

  it('a session is told with a session.error, the model gets an error result; once space is back the sandbox starts', async () => {
    const { client, model } = fixture;
    const agent = await client.beta.agents.create({
      name: 'low-disk',
      model: 'claude-sonnet-4-6',
      tools: [{ type: 'agent_toolset_20260401' }],
    });
    const environment = await client.beta.environments.create({
      name: `low-disk-${Math.random().toString(36).slice(2)}`,
      config: { type: 'cloud', networking: { type: 'limited' } },
    });
    const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
    const bashTurn = () =>
      model.push([
        {
          content: [{ type: 'tool_use', name: 'bash', input: { command: 'echo ok' } }],
          stop_reason: 'tool_use',
        },
        { content: [{ type: 'text', text: 'done' }] },
      ]);

    disk.freeBytes = 10 * MIB;
    bashTurn();
    const refused = await runTurn(client, session.id);
    const error = refused.find((event: StreamEvent) => event.type === 'session.error');
    assert.ok(error, JSON.stringify(refused.map((event) => event.type)));
    assert.equal(error.error.error_code, 'insufficient_storage');
    assert.match(error.error.message, /starting a sandbox refused: the server's data disk has 10 MiB free/);
    const result = refused.find((event: StreamEvent) => event.type === 'agent.tool_result');
    assert.equal(result?.is_error, true);
    assert.equal(refused.at(-1)?.type, 'session.status_idle');

    disk.freeBytes = 5000 * MIB;
    bashTurn();
    const fine = await runTurn(client, session.id);
    const ok = fine.find((event: StreamEvent) => event.type === 'agent.tool_result');
    assert.equal(ok?.is_error, false);
    assert.equal(ok?.content[0]?.text, 'ok');
    assert.equal(fine.filter((event: StreamEvent) => event.type === 'session.error').length, 0);
  });
});
