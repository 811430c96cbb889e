import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.js';
import { runInProcess } from './cli-process.js';

/** The resource commands: create from flags or -f YAML, list, get, update, archive, delete. */
for (const dialect of DIALECTS) {
  describe(`paddock agents / environments / sessions / vaults / files (${dialect})`, () => {
    let server: TestServer;
    let dir: string;
    let cli: (args: string[]) => Promise<{ code: number; output: string }>;
    before(async () => {
      server = await startTestServer(dialect);
      dir = await mkdtemp(join(tmpdir(), 'paddock-cli-'));
      cli = (args: string[]) =>
        runInProcess([...args, '--base-url', server.url, '--api-key', TEST_ADMIN_KEY]);
    });
    after(async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('creates from flags and from a YAML file, lists as a table or JSON, updates, archives, deletes', async () => {
      const agent = await cli([
        'agents',
        'create',
        '--name',
        'Reviewer',
        '--model',
        'claude-sonnet-4-6',
        '--json',
      ]);
      assert.equal(agent.code, 0, agent.output);
      const agentId = (JSON.parse(agent.output) as { id: string }).id;
      assert.match(agentId, /^agent_/);

      const file = join(dir, 'environment.yaml');
      await writeFile(
        file,
        'name: from-yaml\nconfig:\n  type: cloud\n  networking:\n    type: limited\n    allowed_hosts: [example.com]\n',
      );
      const environment = await cli(['environments', 'create', '-f', file]);
      assert.equal(environment.code, 0, environment.output);
      const environmentId = /^created environment (env_\w+)$/m.exec(environment.output)?.[1] ?? '';
      assert.ok(environmentId, environment.output);

      const table = await cli(['environments', 'list']);
      assert.equal(table.code, 0, table.output);
      assert.match(table.output, /^ID\s+NAME\s+NETWORKING\s+CREATED_AT$/m);
      assert.match(table.output, new RegExp(`^${environmentId}\\s+from-yaml\\s+limited\\s+\\d{4}-`, 'm'));

      const updated = await cli(['agents', 'update', agentId, '--system', 'Be brief.']);
      assert.equal(updated.code, 0, updated.output);
      const got = await cli(['agents', 'get', agentId, '--json']);
      const fetched = JSON.parse(got.output) as { system: string; version: number };
      assert.equal(fetched.system, 'Be brief.');
      assert.equal(fetched.version, 2);

      const session = await cli(['sessions', 'create', '--agent', agentId, '--environment', environmentId]);
      assert.equal(session.code, 0, session.output);
      const sessionId = /^created session (sesn_\w+)$/m.exec(session.output)?.[1] ?? '';
      const sessions = await cli(['sessions', 'list', '--json']);
      assert.ok((JSON.parse(sessions.output) as Array<{ id: string }>).some((row) => row.id === sessionId));
      assert.equal((await cli(['sessions', 'delete', sessionId])).code, 0);

      const vault = await cli(['vaults', 'create', '--name', 'team']);
      assert.match(vault.output, /^created vault vlt_\w+$/m);

      const upload = join(dir, 'notes.txt');
      await writeFile(upload, 'hello');
      const uploaded = await cli(['files', 'upload', upload]);
      assert.match(uploaded.output, /^uploaded file file_\w+ \(5 bytes\)$/m, uploaded.output);

      const archived = await cli(['agents', 'archive', agentId]);
      assert.equal(archived.output, `archived agent ${agentId}\n`);
    });
  });
}

/** Errors and help, once (they do not depend on the database). */
describe('paddock client commands: errors and --help', () => {
  let server: TestServer;
  let cli: (args: string[]) => Promise<{ code: number; output: string }>;
  before(async () => {
    server = await startTestServer('sqlite');
    cli = (args: string[]) => runInProcess([...args, '--base-url', server.url, '--api-key', TEST_ADMIN_KEY]);
  });
  after(async () => server.close());

  it('a bad request says what the server refused; a wrong key says how to get one', async () => {
    const bad = await cli(['environments', 'create', '--name', 'x', '--networking', 'sideways']);
    assert.equal(bad.code, 1);
    assert.match(
      bad.output,
      new RegExp(`^paddock: ${server.url}: 400 invalid_request_error: .*networking`, 'm'),
    );
    const refused = await runInProcess(['agents', 'list', '--base-url', server.url, '--api-key', 'wrong']);
    assert.equal(refused.code, 1);
    assert.match(refused.output, /refused the API key \(401\): pass one with --api-key or PADDOCK_API_KEY/);
  });

  it('--help on every command', async () => {
    for (const args of [
      ['--help'],
      ['agents', '--help'],
      ['run', '--help'],
      ['sessions', 'tail', '--help'],
    ]) {
      const help = await cli(args);
      assert.equal(help.code, 0, help.output);
      assert.match(help.output, /^Usage: paddock/m);
    }
    const version = await cli(['--version']);
    assert.match(version.output, /^\d+\.\d+\.\d+\n$/);
  });
});
