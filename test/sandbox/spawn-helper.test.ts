import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { HelperChild } from '../../src/sandbox/spawn-helper/helper-child.js';
import {
  spawnHelperPid,
  spawnInHelper,
  spawnStdioPath,
} from '../../src/sandbox/spawn-helper/spawn-helper.js';
import { killGroup } from '../../src/sandbox/tools/inside.js';
import { alive, eventually } from '../support/process-watch.js';

const ENV = { PATH: '/usr/bin:/bin' };
const PIPES: ('pipe' | 'ignore')[] = ['pipe', 'pipe', 'pipe'];

/** Everything a child wrote to stdout and stderr, and how it ended. */
async function outcome(child: ChildProcess) {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (data: string) => {
    stdout += data;
  });
  child.stderr?.setEncoding('utf8').on('data', (data: string) => {
    stderr += data;
  });
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return { stdout, stderr, code, signal, exitCode: child.exitCode, signalCode: child.signalCode };
}

/** Reads stdout until `text` has appeared. */
function until(child: ChildProcess, text: string): Promise<string> {
  return new Promise((resolve) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (!seen.includes(text)) return;
      child.stdout?.off('data', onData);
      resolve(seen);
    };
    child.stdout?.on('data', onData);
  });
}

describe('the spawn helper', () => {
  it('round-trips stdin, stdout and stderr over sockets, from a child of the helper', async () => {
    const child = spawnInHelper(
      '/bin/sh',
      ['-c', 'read line; echo "out $line $PPID"; echo "err $line" >&2; exit 3'],
      {
        env: ENV,
        stdio: PIPES,
      },
    );
    child.stdin?.end('hello\n');
    const result = await outcome(child);
    assert.equal(result.stdout, `out hello ${spawnHelperPid()}\n`);
    assert.notEqual(spawnHelperPid(), process.pid);
    assert.equal(result.stderr, 'err hello\n');
    assert.deepEqual([result.code, result.signal, result.exitCode, result.signalCode], [3, null, 3, null]);
  });

  it('ending the input of a child that already exited is not an error', async () => {
    const child = spawnInHelper('/bin/true', [], { env: ENV, stdio: PIPES });
    await outcome(child);
    const errors: Error[] = [];
    child.stdin?.on('error', (error) => errors.push(error));
    child.stdin?.end();
    await once(child.stdin!, 'finish');
    assert.deepEqual(errors, []);
  });

  it('keeps a persistent shell, reports signals, and kills a whole process group', async () => {
    const shell = spawnInHelper('/bin/bash', ['--norc', '--noprofile'], {
      env: ENV,
      stdio: PIPES,
      detached: true,
    });
    const ended = outcome(shell);
    shell.stdin?.write('sleep 300 & echo "bg $!"\n');
    const line = await until(shell, '\n');
    const background = Number(/bg (\d+)/.exec(line)?.[1]);
    assert.ok(background > 0 && alive(background));
    killGroup(shell);
    const result = await ended;
    assert.deepEqual([result.code, result.signal, result.signalCode], [null, 'SIGKILL', 'SIGKILL']);
    await eventually(() => !alive(background), 'the background sleep died with its group');
  });

  it('kill() before the pid is known is delivered once it is; a missing program fails with error', async () => {
    const child = spawnInHelper('/bin/sleep', ['300'], { env: ENV, stdio: PIPES });
    assert.equal(child.pid, undefined);
    child.kill('SIGTERM');
    const result = await outcome(child);
    assert.equal(result.signal, 'SIGTERM');
    const missing = spawnInHelper('/no/such/program', [], { env: ENV, stdio: PIPES });
    const [error] = (await once(missing, 'error')) as [Error];
    assert.match(error.message, /ENOENT/);
  });

  it('a helper killed mid-spawn fails the spawn, and the next spawn starts a new helper', async () => {
    await outcome(spawnInHelper('/bin/true', [], { env: ENV, stdio: PIPES }));
    const first = spawnHelperPid() as number;
    // The helper is stopped, so this spawn is certainly still in flight when it dies.
    process.kill(first, 'SIGSTOP');
    const inFlight = spawnInHelper('/bin/echo', ['never'], { env: ENV, stdio: PIPES });
    const failed = once(inFlight, 'error');
    process.kill(first, 'SIGKILL');
    const [error] = (await failed) as [Error];
    assert.match(error.message, /spawn helper exited/);
    const again = await outcome(spawnInHelper('/bin/echo', ['again'], { env: ENV, stdio: PIPES }));
    assert.equal(again.stdout, 'again\n');
    assert.ok(spawnHelperPid() !== undefined && spawnHelperPid() !== first);
  });

  it('a running child whose helper dies is seen as dead', async () => {
    const shell = spawnInHelper('/bin/bash', ['--norc'], { env: ENV, stdio: PIPES, detached: true });
    shell.stdin?.write('echo up\n');
    await until(shell, 'up');
    const pid = shell.pid as number;
    const closed = once(shell, 'close');
    process.kill(spawnHelperPid() as number, 'SIGKILL');
    await closed;
    assert.equal(shell.signalCode, 'SIGKILL');
    await eventually(() => !alive(pid), 'the shell is gone');
  });

  it('refuses a stdio connection with a wrong token, and the spawn it names is unaffected', async () => {
    const cat = spawnInHelper('/bin/cat', [], { env: ENV, stdio: PIPES }) as unknown as HelperChild;
    const child = cat as unknown as ChildProcess;
    child.stdin?.write('first\n');
    await until(child, 'first');
    const path = await spawnStdioPath();
    for (const header of [`${cat.spawnId} 1 ${'0'.repeat(32)}\n`, `${cat.spawnId} 1 ${cat.token}\n`]) {
      // A wrong token, or the right one for a slot already taken: the listener hangs up.
      const intruder = connect(path);
      intruder.on('error', () => {});
      intruder.write(header);
      intruder.resume();
      await once(intruder, 'close');
    }
    child.stdin?.end('second\n');
    const result = await outcome(child);
    assert.equal(result.stdout, 'second\n');
    assert.equal(result.code, 0);
  });
});

describe('the spawn helper and a server killed with -9', () => {
  it('exits, and its children go with it (pdeathsig, EOF on stdin)', async () => {
    const server = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'spawn-helper-child.ts')],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const [line] = (await once(server.stdout, 'data')) as [Buffer];
    const pids = JSON.parse(line.toString('utf8')) as { helper: number; shell: number; tied: number };
    for (const pid of Object.values(pids)) assert.ok(alive(pid));
    server.kill('SIGKILL');
    for (const [name, pid] of Object.entries(pids)) await eventually(() => !alive(pid), `${name} exited`);
  });
});
