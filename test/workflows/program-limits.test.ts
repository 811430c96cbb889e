import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { detectCgroups } from '../../src/sandbox/bwrap/cgroups.js';
import { ProgramConfinement } from '../../src/sandbox/program-confinement.js';
import { createNodeProgramRunner } from '../../src/workflow-runtime/node-program-runner.js';

/**
 * A program's process tree runs in a cgroup of its own (memory, pids, cpu) and, under bwrap,
 * with the sandboxes' seccomp filter. What escapes the V8 heap limit (off-heap buffers) is killed
 * by the cgroup, and the server process (this one) goes on.
 */
const bwrap = loadConfig({ PATH: process.env['PATH'] }).workflows.bwrap;
const support = await detectCgroups();
const skip = !support.available ? `cgroups not writable: ${support.reason}` : false;
const MiB = 1024 * 1024;

const runnerWith = (limits: { memoryBytes: number; pids: number; cpus: number }) =>
  createNodeProgramRunner({
    bwrap,
    heapMb: 64,
    maxLineBytes: 1 << 20,
    confinement: new ProgramConfinement({ limits, cgroups: async () => support }),
  });

/** The workflow cgroups that exist now, by name, under the pids controller's base. */
async function programCgroups(): Promise<Map<string, string>> {
  if (!support.available) return new Map();
  const base = support.bases['pids'] ?? support.bases['unified']!;
  const names = (await readdir(base)).filter((name) => name.startsWith('workflow-'));
  return new Map(names.map((name) => [name, join(base, name)]));
}

test('a program runs in its own cgroup with the limits, under the seccomp filter, and the cgroup goes with it', {
  skip,
}, async () => {
  const before = await programCgroups();
  const runner = runnerWith({ memoryBytes: 256 * MiB, pids: 32, cpus: 1 });
  let seen: { pidsMax: string; seccomp: string[] } | undefined;
  const outcome = await runner.run({
    source: `return await agent('look at me')`,
    input: null,
    signal: new AbortController().signal,
    async answer() {
      // While the program waits on this answer: find its cgroup and its processes.
      const mine = [...(await programCgroups())].filter(([name]) => !before.has(name));
      assert.equal(mine.length, 1, 'one cgroup for the program');
      const dir = mine[0]![1];
      const pids = (await readFile(join(dir, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean);
      const seccomp: string[] = [];
      for (const pid of pids) {
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
        // bwrap (outside and as the namespace's init) carries the same arguments: the program is node.
        if (cmdline.split('\0')[0] === process.execPath)
          seccomp.push(/^Seccomp:\s*(\d)/m.exec(status)?.[1] ?? '?');
      }
      seen = { pidsMax: (await readFile(join(dir, 'pids.max'), 'utf8')).trim(), seccomp };
      return 'seen';
    },
  });
  assert.deepEqual(outcome, { type: 'returned', value: 'seen' });
  assert.equal(seen?.pidsMax, '32');
  assert.equal(seen?.seccomp.length, 1, "the program's node process is in the cgroup");
  // 2 = SECCOMP_MODE_FILTER: the sandboxes' filter is loaded (bwrap only).
  if (bwrap) assert.equal(seen?.seccomp[0], '2');
  const after = [...(await programCgroups()).keys()].filter((name) => !before.has(name));
  assert.deepEqual(after, [], 'the cgroup is removed when the program ends');
});

test('a program allocating past its memory limit off the V8 heap is killed; this process goes on', {
  skip,
}, async () => {
  const runner = runnerWith({ memoryBytes: 192 * MiB, pids: 64, cpus: 1 });
  const started = Date.now();
  const outcome = await runner.run({
    // Buffers live outside the 64 MiB heap: only the cgroup stops them.
    source: `const keep = []; for (;;) { keep.push(Buffer.alloc(16 * 1024 * 1024, 1)); await budget(); }`,
    input: null,
    signal: new AbortController().signal,
    answer: async () => null,
  });
  assert.equal(outcome.type, 'failed');
  assert.match((outcome as { message: string }).message, /exited \(SIGKILL\)/);
  assert.ok(Date.now() - started < 60_000);
  // This process (the server's stand-in) is alive and well: it can still run a program.
  const next = await runner.run({
    source: `return 1 + 1`,
    input: null,
    signal: new AbortController().signal,
    answer: async () => null,
  });
  assert.deepEqual(next, { type: 'returned', value: 2 });
});

test('the pids limit caps the processes and threads of a program: over it, the program cannot run', {
  skip,
}, async () => {
  // Node starts about a dozen threads (each counts as a pid); a JavaScript program can start no
  // process (the permission model), so what the pids limit contains is the runtime's own tasks.
  const runner = runnerWith({ memoryBytes: 256 * MiB, pids: 3, cpus: 1 });
  const outcome = await runner.run({
    source: `return 'should not run'`,
    input: null,
    signal: new AbortController().signal,
    answer: async () => null,
  });
  assert.equal(outcome.type, 'failed');
  assert.match((outcome as { message: string }).message, /before it returned/);
});
