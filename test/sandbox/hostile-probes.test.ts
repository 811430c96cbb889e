import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PaddockConfig } from '../../src/config/config.js';
import { detectCgroups } from '../../src/sandbox/bwrap/cgroups.js';
import {
  assertAllPooled,
  bwrapCase,
  POOL_VARIANTS,
  type PooledDriver,
  spec,
  textOf,
  tool,
} from './drivers.js';

// A fake secret in the server's environment; it must never reach a sandbox.
const FAKE_KEY = 'sk-ant-fake-0123456789-hostile-probe';
process.env['ANTHROPIC_API_KEY'] = FAKE_KEY;

const bwrap = await bwrapCase();
const cgroups = await detectCgroups();
const noCgroups = cgroups.available ? undefined : `cgroups not writable here: ${cgroups.reason}`;
if (noCgroups) process.stderr.write(`SKIP cgroup limit probes: ${noCgroups}\n`);

for (const { pool } of POOL_VARIANTS)
  describe(`hostile probes: bwrap, pool ${pool}`, { skip: bwrap.skip }, () => {
    let driver: PooledDriver;
    let config: PaddockConfig;
    let server: Server;
    let port = 0;
    before(async () => {
      ({ driver, config } = await bwrap.create({ pool }));
      server = createServer((socket) => socket.end('HOST-SERVICE\n'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    after(async () => {
      await driver?.close();
      server?.close();
      if (config) await rm(config.dataDir, { recursive: true, force: true });
    });

    const run = async (sessionId: string, command: string, timeoutMs = 60_000) => {
      const sandbox = await driver.acquire(spec(sessionId));
      return tool(sandbox, 'bash', { command, timeout_ms: timeoutMs });
    };

    it("the server's secrets are not in the sandbox", async () => {
      const outcome = await run('h1', 'env; cat /proc/*/environ 2>/dev/null | tr "\\0" "\\n"; echo done');
      assert.ok(!textOf(outcome).includes(FAKE_KEY));
      assert.ok(!textOf(outcome).includes('ANTHROPIC'));
      assert.match(textOf(outcome), /done$/);
    });

    it('host paths and the data dir are neither readable nor writable', async () => {
      const probe = `ls ${config.dataDir} 2>&1; test -e ${join(process.cwd(), 'package.json')} && echo HOST-VISIBLE; echo x > ${join(config.dataDir, 'pwned')} 2>&1; echo end`;
      const outcome = await run('h1', probe);
      assert.ok(!textOf(outcome).includes('HOST-VISIBLE'), textOf(outcome));
      assert.ok(!existsSync(join(config.dataDir, 'pwned')), 'a sandbox wrote into the host data dir');
      const link = await run(
        'h1',
        `ln -sf ${join(process.cwd(), 'package.json')} escape.json && echo linked`,
      );
      assert.equal(textOf(link), 'linked');
      const read = await tool(await driver.acquire(spec('h1')), 'read', { file_path: 'escape.json' });
      assert.equal(read.isError, true, 'a symlink reached a host file');
    });

    it("the sandbox's root is not host root", async (t) => {
      if (process.getuid?.() !== 0) return t.skip('the server is not root, so there is no uid to drop to');
      await run('h1', 'echo mine > /workspace/owned.txt');
      const file = join(config.dataDir, 'sandboxes', 'h1', 'disk', 'upper', 'workspace', 'owned.txt');
      assert.equal(statSync(file).uid, config.sandbox.hostUid);
    });

    it('host processes are invisible and the server cannot be killed', async () => {
      const outcome = await run('h1', `ps -e -o pid=,comm= ; kill -9 ${process.pid} 2>&1; echo end`);
      const pids = textOf(outcome)
        .split('\n')
        .map((line) => Number.parseInt(line.trim(), 10))
        .filter((pid) => Number.isInteger(pid));
      assert.ok(pids.length > 0 && pids.length < 10, textOf(outcome));
      assert.ok(
        pids.every((pid) => pid < 100),
        textOf(outcome),
      );
      assert.doesNotThrow(() => process.kill(process.pid, 0));
    });

    it('host loopback services are unreachable (no network at all)', async () => {
      const outcome = await run(
        'h1',
        `python3 -c "import socket; s=socket.create_connection(('127.0.0.1', ${port}), timeout=2); print(s.recv(64))"; ` +
          'curl -sS -m 3 http://1.1.1.1/ 2>&1; cat /proc/net/dev | tail -n +3 | cut -d: -f1',
      );
      assert.ok(!textOf(outcome).includes('HOST-SERVICE'), textOf(outcome));
      assert.equal(textOf(outcome).split('\n').at(-1)?.trim(), 'lo');
    });

    it("another session's files are invisible", async () => {
      await run('h2', 'echo private > /workspace/h2-only.txt && echo private > /root/h2-home.txt');
      const outcome = await run('h3', 'cat /workspace/h2-only.txt /root/h2-home.txt 2>&1; ls / | head -50');
      assert.ok(!textOf(outcome).includes('private'), textOf(outcome));
    });

    it('a fork flood is contained by the pids limit', { skip: noCgroups }, async () => {
      const sandbox = await driver.acquire({ ...spec('h4'), limits: { pids: 64 } });
      const flood =
        'import os, time\nn = 0\ntry:\n    while n < 5000:\n        if os.fork() == 0:\n            time.sleep(30); os._exit(0)\n        n += 1\n' +
        'except OSError as e:\n    print("blocked after", n, e.strerror)\n';
      const outcome = await tool(sandbox, 'bash', { command: `python3 -c '${flood}'`, timeout_ms: 30_000 });
      assert.match(textOf(outcome), /blocked after \d+/);
      const forked = Number(/blocked after (\d+)/.exec(textOf(outcome))?.[1]);
      assert.ok(forked < 64, textOf(outcome));
      await sandbox.stop();
    });

    it('a 6 GiB allocation fails under the memory limit', { skip: noCgroups }, async () => {
      const outcome = await run('h5', `python3 -c "b = bytearray(6 * 1024**3); print('allocated', len(b))"`);
      assert.equal(outcome.isError, true);
      // bash's "Killed" report quotes the command, so look for the printed size, not the word.
      assert.ok(!textOf(outcome).includes('allocated 6442450944'), textOf(outcome));
    });

    it('every session above got a pooled sandbox', { skip: pool === 0 }, () => assertAllPooled(driver));
  });
