import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/providers/scripted/scripted-model-server.js';
import { childEnv, freePort } from '../support/paddock-process.js';

const ENTRY = fileURLToPath(new URL('../support/serve-entry.ts', import.meta.url));

/** Runs `paddock doctor` from source in a child process; resolves to its exit code and output. */
function doctor(env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', ENTRY, 'doctor'],
      { env: childEnv(env), timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          output: stdout + stderr,
        }),
    );
  });
}

describe('paddock doctor', () => {
  let dataDir: string;
  let model: ScriptedModelServer;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'paddock-doctor-'));
    model = await startScriptedModelServer();
  });
  after(async () => {
    await model.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reports each part with its level and passes on a working configuration', async () => {
    const { code, output } = await doctor({
      PADDOCK_DATA_DIR: dataDir,
      PADDOCK_SANDBOX: 'process',
      PADDOCK_ANTHROPIC_BASE_URL: model.url,
      ANTHROPIC_API_KEY: 'test-key-never-used',
    });
    assert.equal(code, 0, output);
    assert.match(output, /^OK\s+node\s+v20/m);
    assert.match(output, /^OK\s+database\s+sqlite, schema version \d+$/m);
    // Probed with a cheap request to the upstream (here the scripted model server).
    assert.match(
      output,
      new RegExp(
        `^OK\\s+anthropic upstream\\s+${model.url} answers \\(HTTP \\d+; ANTHROPIC_API_KEY set\\)$`,
        'm',
      ),
    );
    assert.match(output, /^WARN\s+sandbox\s+process driver: .*isolate nothing$/m);
    assert.match(output, /0 failing, 1 with warnings/);
    assert.ok(!output.includes('test-key-never-used'), 'the key itself is never printed');
  });

  it('probes the upstream: an unreachable one fails naming its URL; the scripted model needs no key', async () => {
    // A port just found free: nothing listens there.
    const closed = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await doctor({
      PADDOCK_DATA_DIR: dataDir,
      PADDOCK_SANDBOX: 'process',
      PADDOCK_ANTHROPIC_BASE_URL: closed,
    });
    assert.equal(unreachable.code, 1, unreachable.output);
    assert.match(
      unreachable.output,
      new RegExp(`^FAIL\\s+anthropic upstream\\s+${closed} unreachable \\(ECONNREFUSED\\)$`, 'm'),
    );

    const scripted = await doctor({
      PADDOCK_DATA_DIR: dataDir,
      PADDOCK_SANDBOX: 'process',
      PADDOCK_MODEL_ROUTES: '*=scripted',
    });
    assert.equal(scripted.code, 0, scripted.output);
    assert.match(scripted.output, /^OK\s+scripted model\s+in process/m);
    assert.doesNotMatch(scripted.output, /ANTHROPIC_API_KEY|anthropic upstream/);
  });

  it('fails, naming the part, when the database cannot be reached', async () => {
    const { code, output } = await doctor({
      PADDOCK_DATA_DIR: dataDir,
      PADDOCK_SANDBOX: 'process',
      // Nothing listens on port 1 of loopback.
      PADDOCK_DATABASE_URL: 'postgres://paddock@127.0.0.1:1/none',
    });
    assert.equal(code, 1, output);
    assert.match(output, /^FAIL\s+database\s+postgres: /m);
    assert.match(output, /1 failing/);
  });
});
