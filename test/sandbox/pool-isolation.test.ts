import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { PaddockConfig } from '../../src/config/config.js';
import type { Sandbox } from '../../src/core/ports/sandbox.js';
import { effectiveLimits } from '../../src/sandbox/pool/sandbox-pool.js';
import { bwrapCase, type PooledDriver, spec, textOf, tool } from './drivers.js';

const bwrap = await bwrapCase();

/**
 * Everything a session can leave in its sandbox, left by session A: files (workspace, /tmp, home,
 * the root), a detached process, a listening socket and an open connection, an environment
 * variable, shell state (cwd, alias, function, history, options) and a name in /etc/hosts.
 */
const LEAVE_TRACES = [
  'echo a-secret > /workspace/a.txt; echo a-secret > /tmp/a.txt; echo a-secret > /root/a.txt',
  'echo "10.1.2.3 a-secret.test" >> /etc/hosts',
  'setsid sleep 424242 >/dev/null 2>&1 < /dev/null &',
  "setsid python3 -c \"import socket,time; s=socket.socket(); s.bind(('127.0.0.1', 47474)); s.listen(); c=socket.create_connection(('127.0.0.1', 47474)); a=s.accept(); time.sleep(600)\" >/dev/null 2>&1 < /dev/null &",
  'export A_SECRET=a-secret; alias asecret="echo a-secret"; asecretfn() { echo a-secret; }; set -o noclobber',
  'mkdir -p /workspace/deep && cd /workspace/deep',
  'history -s "echo a-secret"',
  'for i in $(seq 1 100); do grep -q ":B972" /proc/net/tcp && break; sleep 0.1; done; echo traces-left',
].join('\n');

/** What session B looks at: each line is empty, or names what came through. */
const LOOK = [
  'cat /workspace/a.txt /tmp/a.txt /root/a.txt 2>/dev/null',
  'grep -s a-secret /etc/hosts',
  'ps -eo args | grep -v grep | grep 424242',
  // 47474 is B972: neither a listener nor a connection on that port.
  'grep -i ":B972" /proc/net/tcp /proc/net/tcp6',
  'env | grep A_SECRET; alias 2>/dev/null | grep asecret; declare -F | grep asecretfn; set -o | grep "noclobber *on"',
  'history | grep a-secret',
  'echo "cwd=$(pwd)"',
].join('; ');

describe('pool: a pooled sandbox carries nothing from a previous session', { skip: bwrap.skip }, () => {
  let driver: PooledDriver;
  let config: PaddockConfig;
  before(async () => {
    ({ driver, config } = await bwrap.create({ env: { PADDOCK_SANDBOX_POOL_SIZE: '2' } }));
  });
  after(async () => {
    await driver?.close();
    if (config) await rm(config.dataDir, { recursive: true, force: true });
  });

  const pooled = async (sessionId: string, count = 1): Promise<Sandbox> => {
    const before = driver.pool!.stats().handedOut;
    await driver.pool!.warm(spec(sessionId), effectiveLimits(config.sandbox, spec(sessionId)), count);
    const sandbox = await driver.acquire(spec(sessionId));
    assert.equal(driver.pool!.stats().handedOut, before + 1, `${sessionId} got a pooled sandbox`);
    return sandbox;
  };

  it('neither the member waiting beside it nor one started after it sees anything of session A', async () => {
    // Two members: B's is already started (and waiting) while A leaves its traces.
    const a = await pooled('pa', 2);
    const left = await tool(a, 'bash', { command: LEAVE_TRACES, timeout_ms: 60_000 });
    assert.equal(textOf(left), 'traces-left');
    assert.match(
      textOf(await tool(a, 'bash', { command: LOOK })),
      /a-secret[\s\S]*424242[\s\S]*B972[\s\S]*cwd=\/workspace\/deep/,
    );

    const b = await pooled('pb');
    assert.equal(textOf(await tool(b, 'bash', { command: LOOK })), 'cwd=/workspace');
    assert.equal(
      textOf(await tool(b, 'read', { file_path: '/workspace/a.txt' })).includes('a-secret'),
      false,
    );

    // A ends; C's member is started after everything A did.
    await driver.destroy('pa');
    const c = await pooled('pc');
    assert.equal(textOf(await tool(c, 'bash', { command: LOOK })), 'cwd=/workspace');
    const glob = await tool(c, 'glob', { pattern: '**/*.txt', path: '/workspace' });
    assert.ok(!textOf(glob).includes('a.txt'), textOf(glob));
  });

  it("a pooled sandbox's own traces stay with its session across a stop and restart", async () => {
    const d = await pooled('pd');
    await tool(d, 'bash', { command: 'echo mine > /workspace/d.txt' });
    await d.stop();
    // The restart is a fresh start on the session's own (adopted) files, not another member.
    const handed = driver.pool!.stats().handedOut;
    assert.equal(
      textOf(await tool(await driver.acquire(spec('pd')), 'bash', { command: 'cat /workspace/d.txt' })),
      'mine',
    );
    assert.equal(driver.pool!.stats().handedOut, handed);
  });
});
