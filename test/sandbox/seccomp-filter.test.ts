import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildSeccompFilter } from '../../src/sandbox/seccomp/seccomp-filter.js';
import { ARGUMENT_CHECKED, DENIED_SYSCALLS } from '../../src/sandbox/seccomp/syscalls.js';

/** Kernel headers (linux-libc-dev): x86_64's own table, and the generic one aarch64 uses. */
const HEADERS = [
  '/usr/include/x86_64-linux-gnu/asm/unistd_64.h',
  '/usr/include/asm-generic/unistd.h',
] as const;

function headerNumbers(path: string): Map<string, number> | undefined {
  if (!existsSync(path)) return undefined;
  const numbers = new Map<string, number>();
  const text = readFileSync(path, 'utf8');
  for (const match of text.matchAll(/#define __NR_(\w+)\s+(\d+)\b/g))
    numbers.set(match[1]!, Number(match[2]));
  return numbers;
}

describe('seccomp filter', () => {
  for (const [index, path] of HEADERS.entries())
    it(`syscall numbers match ${path}`, (t) => {
      const numbers = headerNumbers(path);
      if (!numbers) return t.skip(`${path} is not installed`);
      const table = { ...DENIED_SYSCALLS, ...ARGUMENT_CHECKED };
      for (const [name, entry] of Object.entries(table)) {
        const ours = entry[index];
        assert.equal(ours, numbers.get(name), `${name} in ${path}`);
      }
    });

  it('is a whole number of instructions under the kernel limit, and refuses a foreign arch first', () => {
    for (const arch of ['x64', 'arm64'] as const) {
      const filter = buildSeccompFilter(arch);
      assert.equal(filter.length % 8, 0);
      assert.ok(filter.length / 8 < 4096);
      // ld [4] (arch); jeq AUDIT_ARCH; ret KILL_PROCESS.
      assert.equal(filter.readUInt16LE(0), 0x20);
      assert.equal(filter.readUInt32LE(4), 4);
      assert.equal(filter.readUInt32LE(20), 0x80000000);
    }
  });
});
