// Tests read event fields freely; the SDK's own types are checked in the API tests.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chown, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig, type PaddockConfig } from '../../src/config/config.js';
import type { SandboxDriver, SandboxSpec } from '../../src/core/ports/sandbox.js';
import { detectDiskQuota, isMounted } from '../../src/sandbox/bwrap/disk-quota.js';
import { sessionLayer } from '../../src/sandbox/bwrap/session-layer.js';
import {
  type HarnessFixture,
  runTurn,
  type StreamEvent,
  startHarnessFixture,
} from '../support/harness-fixture.js';
import { recordingDriver } from '../support/recording-driver.js';
import { bwrapCase, spec, textOf, tool } from './drivers.js';

const bwrap = await bwrapCase();
const quota = detectDiskQuota();
const skip = bwrap.skip ?? (quota.available ? undefined : quota.reason);
const MIB = 1024 * 1024;

/**
 * Bytes the host's own disk stores for everything under `path` (sparse files count only
 * written blocks), not descending into `mounted` (the image's content, counted as the image).
 */
async function allocatedBytes(path: string, mounted: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.blocks * 512;
  let total = info.blocks * 512;
  if (path === mounted) return total;
  for (const entry of await readdir(path)) total += await allocatedBytes(join(path, entry), mounted);
  return total;
}

const toolResults = (events: StreamEvent[]) =>
  events
    .filter((event) => event.type === 'agent.tool_result')
    .map((event) => (event.content as Array<{ text?: string }>).map((block) => block.text ?? '').join(''));

describe('paddock.disk_mb is validated like the other limits and reaches the sandbox spec', () => {
  const specs: SandboxSpec[] = [];
  let fixture: HarnessFixture;
  before(async () => {
    const defaults = loadConfig({ PADDOCK_SANDBOX_MAX_DISK_MB: '2048' }).sandbox;
    fixture = await startHarnessFixture(
      'sqlite',
      [],
      { sandboxes: recordingDriver(specs) },
      { sandbox: defaults },
    );
  });
  after(async () => fixture?.close());

  it('refuses a value under 64 or over PADDOCK_SANDBOX_MAX_DISK_MB, naming the key; a valid one is in the spec', async () => {
    const { client, model } = fixture;
    const create = (value: string) =>
      client.beta.environments.create({
        name: `disk-${Math.random().toString(36).slice(2)}`,
        config: { type: 'cloud', networking: { type: 'limited' } },
        metadata: { 'paddock.disk_mb': value },
      });
    await assert.rejects(create('32'), /metadata\.paddock\.disk_mb: expected an integer of at least 64/);
    await assert.rejects(create('1.5'), /metadata\.paddock\.disk_mb: expected an integer/);
    await assert.rejects(
      create('4096'),
      /metadata\.paddock\.disk_mb: 4096 is above this server's ceiling of 2048/,
    );
    const environment = await create('512');
    const agent = await client.beta.agents.create({
      name: 'disk',
      model: 'claude-sonnet-4-6',
      tools: [{ type: 'agent_toolset_20260401' }],
    });
    const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
    model.push([
      { content: [{ type: 'tool_use', name: 'bash', input: { command: 'true' } }], stop_reason: 'tool_use' },
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    await runTurn(client, session.id);
    assert.equal(specs.find((entry) => entry.sessionId === session.id)?.limits?.diskBytes, 512 * MIB);
  });
});

describe('disk quota per sandbox (real bwrap, loop-mounted ext4)', { skip }, () => {
  let fixture: HarnessFixture;
  let driver: SandboxDriver;
  let config: PaddockConfig;
  before(async () => {
    ({ driver, config } = await bwrap.create());
    fixture = await startHarnessFixture('sqlite', [], { sandboxes: driver });
  });
  after(async () => {
    await fixture?.close();
    await driver?.close();
    if (config) await rm(config.dataDir, { recursive: true, force: true });
  });

  it('paddock.disk_mb 256: dd past it gets ENOSPC, df shows the quota, the host grows by at most 256 MiB; a second session and the API keep working', async (t) => {
    const { client, model } = fixture;
    const agent = await client.beta.agents.create({
      name: 'disk',
      model: 'claude-sonnet-4-6',
      tools: [{ type: 'agent_toolset_20260401' }],
    });
    const environment = await client.beta.environments.create({
      name: `disk-${Math.random().toString(36).slice(2)}`,
      config: { type: 'cloud', networking: { type: 'limited' } },
      metadata: { 'paddock.disk_mb': '256' },
    });
    const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
    const command =
      'df -P -m / | tail -1; dd if=/dev/zero of=/workspace/big bs=1M count=400 2>&1 | grep -m1 error; ' +
      'dd if=/dev/zero of=/mnt/session/outputs/more bs=1M count=10 2>&1 | grep -m1 error; echo end';
    model.push([
      { content: [{ type: 'tool_use', name: 'bash', input: { command } }], stop_reason: 'tool_use' },
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    const [result] = toolResults(await runTurn(client, session.id));
    // The workspace and the session outputs (both on the session's root) are bounded.
    assert.match(result ?? '', /error writing '\/workspace\/big': No space left on device/, result);
    assert.match(
      result ?? '',
      /error writing '\/mnt\/session\/outputs\/more': No space left on device/,
      result,
    );
    assert.match(result ?? '', /end$/, result);
    // `df /` inside is the session's own disk (ext4 overhead makes it a little under 256), not the host's.
    const dfTotal = Number((result ?? '').split('\n')[0]?.trim().split(/\s+/)[1]);
    assert.ok(dfTotal > 128 && dfTotal <= 256, `df inside: ${result}`);

    const layer = sessionLayer(config.dataDir, session.id);
    assert.ok(await isMounted(layer.disk), 'the running sandbox has its disk mounted');
    const written = await allocatedBytes(layer.dir, layer.disk);
    t.diagnostic(
      `df inside: ${dfTotal} MiB; the host stores ${(written / MIB).toFixed(1)} MiB for the session`,
    );
    assert.ok(written <= 256 * MIB, `the host stores ${written} bytes for a 256 MiB quota`);
    assert.ok(written > 128 * MIB, `the sandbox did write (${written} bytes)`);

    // A second session (default quota) and the API are unaffected.
    const other = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
    model.push([
      {
        content: [{ type: 'tool_use', name: 'bash', input: { command: 'echo fine > f && cat f' } }],
        stop_reason: 'tool_use',
      },
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    assert.deepEqual(toolResults(await runTurn(client, other.id)), ['fine']);
    assert.equal((await client.beta.sessions.retrieve(session.id)).id, session.id);

    // Stopped: the loop mount is released, the files stay for the next start.
    await driver.provisioned?.(session.id)?.stop();
    assert.equal(await isMounted(layer.disk), false, 'a stopped sandbox keeps no mount');
    const again = await driver.acquire({ ...spec(session.id), limits: { diskBytes: 256 * MIB } });
    const listed = await tool(again, 'bash', {
      command: 'rm /workspace/big && echo freed > /workspace/x && cat /workspace/x',
    });
    assert.equal(textOf(listed), 'freed');

    // Destroyed: no mount, no image.
    await driver.destroy(session.id);
    assert.equal(await isMounted(layer.disk), false);
    assert.equal(existsSync(layer.image), false);
  });

  it('a session from before disk quotas (upper in the session directory) keeps its files on its new disk', async () => {
    const legacy = join(config.dataDir, 'sandboxes', 'legacy1', 'upper', 'workspace');
    await mkdir(legacy, { recursive: true });
    await writeFile(join(legacy, 'old.txt'), 'from before\n');
    await chown(
      join(config.dataDir, 'sandboxes', 'legacy1', 'upper'),
      config.sandbox.hostUid,
      config.sandbox.hostUid,
    );
    await chown(legacy, config.sandbox.hostUid, config.sandbox.hostUid);
    const sandbox = await driver.acquire({ ...spec('legacy1'), limits: { diskBytes: 128 * MIB } });
    assert.equal(textOf(await tool(sandbox, 'bash', { command: 'cat /workspace/old.txt' })), 'from before');
    assert.equal(existsSync(join(config.dataDir, 'sandboxes', 'legacy1', 'upper')), false);
    await driver.destroy('legacy1');
  });
});
