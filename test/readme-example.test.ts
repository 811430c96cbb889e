import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type HarnessFixture, startHarnessFixture } from './support/harness-fixture.js';
import { TEST_ADMIN_KEY } from './support/server.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');

/** The README's first example must run as printed, pointed at a real Paddock. */
describe('README example', () => {
  let fixture: HarnessFixture;
  before(async () => {
    fixture = await startHarnessFixture('sqlite');
  });
  after(async () => fixture.close());

  it('runs against Paddock and streams the agent to idle', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(example, 'README has a ts example');
    assert.match(example, /baseURL: 'http:\/\/127\.0\.0\.1:4000'/);
    fixture.model.push([
      {
        content: [
          { type: 'text', text: 'Looking at src/.' },
          { type: 'tool_use', name: 'bash', input: { command: 'echo scanning' } },
        ],
        stop_reason: 'tool_use',
      },
      { content: [{ type: 'text', text: 'No security issues found.' }] },
    ]);
    // Inside the repo, so `@anthropic-ai/sdk` resolves from node_modules.
    const file = join(ROOT, `.readme-example-${process.pid}.mts`);
    writeFileSync(file, example.replace('http://127.0.0.1:4000', fixture.server.url));
    try {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', file], {
        cwd: ROOT,
        env: { ...process.env, PADDOCK_API_KEY: TEST_ADMIN_KEY },
        timeout: 60_000,
      });
      assert.match(stdout, /Looking at src\//);
      assert.match(stdout, /\[Using tool: bash\]/);
      assert.match(stdout, /No security issues found\./);
      assert.match(stdout, /\[Agent finished\]/);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
