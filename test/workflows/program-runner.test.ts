import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import type { ProgramRequest } from '../../src/core/ports/workflow-program.js';
import { createNodeProgramRunner } from '../../src/workflow-runtime/node-program-runner.js';

const bwrap = loadConfig({ PATH: process.env['PATH'] }).workflows.bwrap;

const runners = [
  {
    name: 'permission model only',
    runner: createNodeProgramRunner({ bwrap: null, heapMb: 64, maxLineBytes: 1 << 20 }),
  },
  ...(bwrap
    ? [
        {
          name: 'bwrap',
          runner: createNodeProgramRunner({ bwrap, heapMb: 64, maxLineBytes: 1 << 20 }),
        },
      ]
    : []),
];

for (const { name, runner } of runners) {
  test(`a program's calls are numbered in order and answered (${name})`, async () => {
    const seen: ProgramRequest[] = [];
    const outcome = await runner.run({
      source: `
        const found = await phase('read', () => Promise.all(input.items.map((item) => agent('read ' + item))));
        log('found', found.length);
        const left = await budget();
        return { found, left };`,
      input: { items: ['a', 'b', 'c'] },
      signal: new AbortController().signal,
      async answer(request) {
        seen.push(request);
        if (request.op === 'agent') return `done: ${request.prompt}`;
        if (request.op === 'budget') return { remaining_usd: '1.00' };
        return null;
      },
    });
    assert.deepEqual(outcome, {
      type: 'returned',
      value: { found: ['done: read a', 'done: read b', 'done: read c'], left: { remaining_usd: '1.00' } },
    });
    assert.deepEqual(
      seen.map((request) => `${request.call}:${request.op}`),
      ['0:phase_start', '1:agent', '2:agent', '3:agent', '4:phase_end', '5:log', '6:budget'],
    );
  });

  test(`a program cannot read files, start processes or reach the server's environment (${name})`, async () => {
    const outcome = await runner.run({
      source: `
        const out = {};
        try { const fs = await import('node:fs'); fs.readFileSync('/etc/hostname'); out.read = 'yes'; } catch (e) { out.read = e.code; }
        try { const cp = await import('node:child_process'); cp.execSync('id'); out.exec = 'yes'; } catch (e) { out.exec = e.code; }
        out.env = Object.keys(process.env).filter((key) => key !== 'PWD');
        return out;`,
      input: null,
      signal: new AbortController().signal,
      answer: async () => null,
    });
    assert.equal(outcome.type, 'returned');
    const value = (outcome as { value: Record<string, unknown> }).value;
    assert.equal(value['read'], 'ERR_ACCESS_DENIED');
    assert.equal(value['exec'], 'ERR_ACCESS_DENIED');
    assert.deepEqual(value['env'], [], "only bwrap's PWD");
  });

  test(`a throwing program fails with its message; an abort kills it (${name})`, async () => {
    const failed = await runner.run({
      source: `throw new Error('no such file')`,
      input: null,
      signal: new AbortController().signal,
      answer: async () => null,
    });
    assert.deepEqual(failed, { type: 'failed', message: 'Error: no such file' });
    const controller = new AbortController();
    const aborted = runner.run({
      source: `await agent('wait forever')`,
      input: null,
      signal: controller.signal,
      answer: () => {
        controller.abort();
        return new Promise(() => undefined);
      },
    });
    assert.deepEqual(await aborted, { type: 'aborted' });
  });
}
