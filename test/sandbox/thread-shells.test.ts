import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Sandbox, SandboxDriver } from '../../src/core/ports/sandbox.js';
import { bwrapCase, processCase, spec, textOf } from './drivers.js';

/**
 * A sandbox's per-thread shells at the driver (issue 18): a thread's timeout or restart ends only
 * its own shell, closing a thread's shell kills what it started and nothing else, and stopping the
 * sandbox kills every shell. Processes are found from the host by a unique marker in their
 * command line, which works whatever pid namespace they live in.
 */
const cases = [processCase, await bwrapCase()];

const run = (sandbox: Sandbox, threadId: string | undefined, input: Record<string, unknown>) =>
  sandbox.runTool('bash', input, new AbortController().signal, { threadId });

/** Pids of host processes whose command line holds `marker`. */
async function withMarker(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker)) found.push(Number(entry));
  }
  return found;
}

/** Polls (bounded: 60 s) until the marker's processes are gone; kills reach them asynchronously. */
async function gone(marker: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await withMarker(marker)).length > 0) {
    if (Date.now() > deadline) throw new Error(`processes with ${marker} are still running`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A background process that lives until killed, recognisable by `marker` (one unique sleep length). */
const background = (marker: string) => `(exec -a ${marker} sleep 100000 &) ; echo started`;

for (const driverCase of cases) {
  describe(`per-thread shells: ${driverCase.name}`, { skip: driverCase.skip }, () => {
    let driver: SandboxDriver;
    let dataDir = '';
    before(async () => {
      const created = await driverCase.create();
      driver = created.driver;
      dataDir = created.config.dataDir;
    });
    after(async () => {
      await driver?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it("a thread's timeout and restart end only its own shell", async () => {
      const sandbox = await driver.acquire(spec('shells1'));
      await run(sandbox, undefined, { command: 'export WHO=primary' });
      await run(sandbox, 'thread-a', { command: 'export WHO=a' });
      await run(sandbox, 'thread-b', { command: 'export WHO=b' });
      const timedOut = await run(sandbox, 'thread-b', { command: 'sleep 30', timeout_ms: 300 });
      assert.equal(timedOut.isError, true);
      assert.match(textOf(timedOut), /timed out after 300ms/);
      assert.equal(textOf(await run(sandbox, 'thread-b', { command: 'echo "[$WHO]"' })), '[]');
      assert.equal(textOf(await run(sandbox, 'thread-a', { command: 'echo "[$WHO]"' })), '[a]');
      assert.equal(textOf(await run(sandbox, 'thread-a', { restart: true })), 'bash session restarted');
      assert.equal(textOf(await run(sandbox, 'thread-a', { command: 'echo "[$WHO]"' })), '[]');
      assert.equal(textOf(await run(sandbox, undefined, { command: 'echo "[$WHO]"' })), '[primary]');
    });

    it("closing a thread's shell kills what it started; stopping the sandbox kills every shell", async () => {
      const sandbox = await driver.acquire(spec('shells2'));
      const primaryMarker = `paddock-primary-${randomUUID()}`;
      const threadMarker = `paddock-thread-${randomUUID()}`;
      assert.equal(textOf(await run(sandbox, undefined, { command: background(primaryMarker) })), 'started');
      assert.equal(textOf(await run(sandbox, 'thread-a', { command: background(threadMarker) })), 'started');
      assert.equal((await withMarker(threadMarker)).length, 1);
      assert.ok(sandbox.closeThread, 'the sandbox closes threads');
      sandbox.closeThread('thread-a');
      await gone(threadMarker);
      assert.equal((await withMarker(primaryMarker)).length, 1, "the primary thread's process lives on");
      assert.equal(textOf(await run(sandbox, 'thread-a', { command: 'echo again' })), 'again');
      const threadMarker2 = `paddock-thread-${randomUUID()}`;
      await run(sandbox, 'thread-b', { command: background(threadMarker2) });
      await sandbox.stop();
      await gone(primaryMarker);
      await gone(threadMarker2);
    });
  });
}
