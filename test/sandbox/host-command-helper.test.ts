import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { run } from '../../src/sandbox/host-command.js';
import { hostCommandHelperPid } from '../../src/sandbox/host-command-helper.js';
import { alive, eventually } from '../support/process-watch.js';

describe('host commands run in the helper process', () => {
  it('returns stdout, pipes input, and rejects with stderr', async () => {
    assert.equal(await run('echo', ['hello']), 'hello\n');
    assert.equal(await run('cat', [], 'piped input'), 'piped input');
    await assert.rejects(run('sh', ['-c', 'echo broken >&2; exit 3']), /sh -c .*: broken/);
    await assert.rejects(run('no-such-command-paddock', []), /no-such-command-paddock/);
    const helper = hostCommandHelperPid();
    assert.ok(helper !== undefined && helper !== process.pid, 'the fork happened in another process');
    // The command's parent is the helper, not this process.
    assert.equal((await run('sh', ['-c', 'echo $PPID'])).trim(), String(helper));
  });

  it('runs commands concurrently and in any number', async () => {
    const outputs = await Promise.all(Array.from({ length: 40 }, (_, index) => run('echo', [String(index)])));
    assert.deepEqual(
      outputs,
      Array.from({ length: 40 }, (_, index) => `${index}\n`),
    );
  });

  it('starts a new helper when the old one dies (kill -9)', async () => {
    await run('true', []);
    const first = hostCommandHelperPid();
    assert.ok(first !== undefined);
    process.kill(first, 'SIGKILL');
    await eventually(() => !alive(first) && hostCommandHelperPid() !== first, 'the helper is gone');
    assert.equal(await run('echo', ['again']), 'again\n');
    const second = hostCommandHelperPid();
    assert.ok(second !== undefined && second !== first);
  });

  it('a command in flight when the helper dies fails instead of hanging', async () => {
    await run('true', []);
    const helper = hostCommandHelperPid() as number;
    const slow = run('sleep', ['30']);
    process.kill(helper, 'SIGKILL');
    await assert.rejects(slow, /host command helper exited/);
  });

  it('a command that exits without reading its input fails alone (EPIPE does not kill the helper)', async () => {
    await run('true', []);
    const helper = hostCommandHelperPid();
    await assert.rejects(run('sh', ['-c', 'exit 4'], 'x'.repeat(4 * 1024 * 1024)), /sh -c exit 4/);
    assert.equal(await run('echo', ['still']), 'still\n');
    assert.equal(hostCommandHelperPid(), helper);
  });
});
