import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { SandboxDriver } from '../../src/core/ports/sandbox.js';
import { bwrapCase, processCase, spec, textOf, tool } from './drivers.js';

const cases = [processCase, await bwrapCase()];

for (const driverCase of cases) {
  describe(`sandbox suite: ${driverCase.name}`, { skip: driverCase.skip }, () => {
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

    const ok = async (sessionId: string, name: string, input: Record<string, unknown>) => {
      const outcome = await tool(await driver.acquire(spec(sessionId)), name, input);
      assert.equal(outcome.isError, false, textOf(outcome));
      return textOf(outcome);
    };
    const fails = async (sessionId: string, name: string, input: Record<string, unknown>) => {
      const outcome = await tool(await driver.acquire(spec(sessionId)), name, input);
      assert.equal(outcome.isError, true, textOf(outcome));
      return textOf(outcome);
    };

    it('bash: output, exit codes, empty output, stderr merged', async () => {
      assert.equal(await ok('s1', 'bash', { command: 'echo hello; echo oops >&2' }), 'hello\noops');
      assert.equal(await ok('s1', 'bash', { command: 'true' }), '(no output)');
      assert.equal(
        await fails('s1', 'bash', { command: 'exit_quietly() { return 3; }; exit_quietly' }),
        'exit 3',
      );
      assert.equal(await fails('s1', 'bash', { command: 'echo bad; false' }), 'bad');
      assert.match(await fails('s1', 'bash', { command: 'echo "unterminated' }), /unexpected EOF/);
      assert.equal(await ok('s1', 'bash', { command: 'echo still alive' }), 'still alive');
      assert.equal(await fails('s1', 'bash', {}), 'bash: command is required');
    });

    it('bash: cwd and environment persist across calls', async () => {
      await ok('s1', 'bash', { command: 'mkdir -p sub && cd sub && export PADDOCK_T=42' });
      assert.match(await ok('s1', 'bash', { command: 'pwd; echo $PADDOCK_T' }), /\/sub\n42$/);
    });

    it('bash: a timeout kills the command and the next call gets a fresh shell', async () => {
      const started = Date.now();
      const text = await fails('s1', 'bash', { command: 'sleep 30 & sleep 30', timeout_ms: 400 });
      assert.match(text, /^bash: bash command timed out after 400ms/);
      assert.ok(Date.now() - started < 5000);
      assert.equal(await ok('s1', 'bash', { command: 'echo fresh' }), 'fresh');
    });

    it('bash: restart, and exit ends only the shell', async () => {
      await ok('s1', 'bash', { command: 'export KEEP=1' });
      assert.equal(await ok('s1', 'bash', { restart: true }), 'bash session restarted');
      assert.equal(await ok('s1', 'bash', { command: 'echo "[$KEEP]"' }), '[]');
      assert.equal(await fails('s1', 'bash', { command: 'exit 4' }), 'exit 4');
      assert.equal(await ok('s1', 'bash', { command: 'echo back' }), 'back');
    });

    it('bash: keeps the last 100 KiB with a truncation prefix', async () => {
      const text = await ok('s1', 'bash', {
        command: 'head -c 300000 /dev/zero | tr "\\0" a; echo; echo END',
      });
      assert.ok(text.startsWith('[output truncated]\n'));
      assert.ok(text.endsWith('\nEND'));
      assert.ok(text.length <= 100 * 1024 + 40);
    });

    it('write, read and view_range', async () => {
      assert.equal(
        await ok('s1', 'write', { file_path: 'dir/a.txt', content: 'one\ntwo\nthree\n' }),
        'wrote 14 bytes to dir/a.txt',
      );
      assert.equal(await ok('s1', 'read', { file_path: 'dir/a.txt' }), 'one\ntwo\nthree\n');
      assert.equal(await ok('s1', 'read', { file_path: 'dir/a.txt', view_range: [2, 3] }), 'two\nthree');
      assert.equal(await ok('s1', 'read', { file_path: 'dir/a.txt', view_range: [2, -1] }), 'two\nthree\n');
      assert.equal(
        await fails('s1', 'read', { file_path: 'nope.txt' }),
        'read: nope.txt: no such file or directory',
      );
      assert.equal(await fails('s1', 'read', { file_path: 'dir' }), 'read: dir: is a directory');
      assert.equal(
        await fails('s1', 'read', { file_path: 'dir/a.txt', view_range: [1] }),
        'read: view_range must be [start_line, end_line]',
      );
      assert.equal(await fails('s1', 'read', {}), 'read: file_path is required');
    });

    it('read: over 256 KiB needs a view_range', async () => {
      await ok('s1', 'bash', { command: 'seq 1 100000 > big.txt' });
      assert.match(
        await fails('s1', 'read', { file_path: 'big.txt' }),
        /^read: big.txt is 588895 bytes, exceeds 262144-byte limit/,
      );
      assert.equal(
        await ok('s1', 'read', { file_path: 'big.txt', view_range: [99999, 100000] }),
        '99999\n100000',
      );
    });

    it('edit: unique match, replace_all, errors', async () => {
      await ok('s1', 'write', { file_path: 'e.txt', content: 'a-b-a $& x' });
      assert.equal(
        await fails('s1', 'edit', { file_path: 'e.txt', old_string: 'a', new_string: 'c' }),
        'edit: old_string appears 2 times in e.txt (must be unique)',
      );
      assert.equal(
        await fails('s1', 'edit', { file_path: 'e.txt', old_string: 'zz', new_string: 'c' }),
        'edit: old_string not found in e.txt',
      );
      assert.equal(
        await ok('s1', 'edit', { file_path: 'e.txt', old_string: 'x', new_string: '$1' }),
        'edited e.txt (1 replacement(s))',
      );
      assert.equal(
        await ok('s1', 'edit', { file_path: 'e.txt', old_string: 'a', new_string: 'c', replace_all: true }),
        'edited e.txt (2 replacement(s))',
      );
      assert.equal(await ok('s1', 'read', { file_path: 'e.txt' }), 'c-b-c $& $1');
    });

    it('glob: newest first, absolute paths, errors', async () => {
      await ok('s1', 'bash', {
        command: 'mkdir -p g/x && touch -d "2020-01-01" g/old.ts && touch g/x/new.ts g/skip.js',
      });
      const text = await ok('s1', 'glob', { pattern: '**/*.ts', path: 'g' });
      const lines = text.split('\n');
      assert.equal(lines.length, 2);
      assert.match(lines[0]!, /^\/.*\/g\/x\/new\.ts$/);
      assert.match(lines[1]!, /^\/.*\/g\/old\.ts$/);
      assert.equal(await ok('s1', 'glob', { pattern: '*.none' }), 'no matches');
      assert.match(await fails('s1', 'glob', { pattern: '/etc/*' }), /^glob: absolute pattern not permitted/);
      assert.equal(
        await fails('s1', 'glob', { pattern: '../*' }),
        'glob: ".." is not permitted in the pattern',
      );
    });

    it('grep: path:line:text, no matches', async () => {
      await ok('s1', 'write', { file_path: 'gr/one.txt', content: 'alpha\nneedle here\n' });
      assert.match(
        await ok('s1', 'grep', { pattern: 'need+le', path: 'gr' }),
        /^\/.*\/gr\/one\.txt:2:needle here$/,
      );
      assert.equal(await ok('s1', 'grep', { pattern: 'absent_xyz', path: 'gr' }), 'no matches');
    });

    it('unknown tools are errors', async () => {
      assert.equal(await fails('s1', 'teleport', {}), 'unknown tool: teleport');
    });

    it('files persist across stop and acquire', async () => {
      await ok('s2', 'write', { file_path: 'keep.txt', content: 'kept' });
      await (await driver.acquire(spec('s2'))).stop();
      assert.equal(await ok('s2', 'read', { file_path: 'keep.txt' }), 'kept');
    });

    it('two sessions do not see each other', async () => {
      await ok('s3', 'write', { file_path: 'mine.txt', content: 'secret' });
      await fails('s4', 'read', { file_path: 'mine.txt' });
      assert.equal(await ok('s4', 'glob', { pattern: '**/mine.txt' }), 'no matches');
      await driver.destroy('s3');
      await fails('s3', 'read', { file_path: 'mine.txt' });
    });
  });
}
