import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ScriptedModelServer } from '../../src/providers/scripted/scripted-model-server.js';
import {
  createLimitedEnvironment,
  createToolsetAgent,
  startBwrapSessionServer,
} from '../support/bwrap-sessions.js';
import { openEventReader, type StreamEvent } from '../support/harness-fixture.js';
import type { TestServer } from '../support/server.js';
import { bwrapCase } from './drivers.js';

/**
 * Issue #12, finding 8, through the public API with the real composition
 * (bwrap driver, outputs collected into the Files API): three sparse 300 MiB
 * files in /mnt/session/outputs once took the server's memory up by the
 * size of each file. Now each is streamed to the blob store, the session's
 * output budget (PADDOCK_SESSION_OUTPUT_MAX_MB, 400 here) is counted on the
 * bytes stored, and a spent budget stops collection with a session.error.
 */
const MIB = 1024 * 1024;
const bwrap = await bwrapCase();
const skip = bwrap.skip ?? (process.getuid?.() === 0 ? undefined : 'runs the bwrap driver as root');

describe('red team: outputs are streamed and budgeted', { skip }, () => {
  let model: ScriptedModelServer;
  let server: TestServer;

  before(async () => {
    ({ model, server } = await startBwrapSessionServer('sqlite', { PADDOCK_SESSION_OUTPUT_MAX_MB: '400' }));
  });
  after(async () => {
    await server?.close();
    await model?.close();
  });

  it('three sparse 300 MiB outputs: bounded server memory, 400 MiB stored at most, then a session.error', async () => {
    const { client } = server;
    const agent = await createToolsetAgent(client, 'outputs flood');
    const environment = await createLimitedEnvironment(client, 'outputs');
    const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
    model.push([
      {
        content: [
          {
            type: 'tool_use',
            name: 'bash',
            // Sparse: `ls` says 300 MiB each, the disk holds nothing, a read yields 300 MiB of zeros.
            input: {
              command:
                'cd /mnt/session/outputs && for i in 1 2 3; do truncate -s 300M sparse$i.bin; done; ls',
            },
          },
        ],
      },
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    let peak = 0;
    const baseline = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const stream = await openEventReader(client, session.id);
    let idle = false;
    let budgetError: StreamEvent | undefined;
    try {
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'fill the outputs' }] }],
      });
      await stream.until((event) => {
        if (event.type === 'session.status_idle') idle = true;
        if (event.type === 'session.error' && event['error']?.error_code === 'output_budget_exceeded')
          budgetError = event;
        return idle && budgetError !== undefined;
      }, 600_000);
    } finally {
      clearInterval(sampler);
      stream.close();
    }
    const growth = peak - baseline;
    process.stderr.write(
      `finding 8: server RSS ${Math.round(baseline / MIB)} MiB → peak ${Math.round(peak / MIB)} MiB (+${Math.round(growth / MIB)})\n`,
    );
    assert.ok(growth < 200 * MIB, `server RSS grew by ${Math.round(growth / MIB)} MiB`);
    assert.match(String(budgetError?.['error']?.message), /PADDOCK_SESSION_OUTPUT_MAX_MB/);

    const stored = [];
    for await (const file of client.beta.files.list())
      if (/^sparse\d\.bin$/.test(file.filename)) stored.push(file);
    assert.equal(stored.length, 1, 'one file fits the budget, the second one does not');
    assert.equal(stored[0]?.size_bytes, 300 * MIB);
    const total = stored.reduce((sum, file) => sum + file.size_bytes, 0);
    assert.ok(total <= 400 * MIB);
  });
});
