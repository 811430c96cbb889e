import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type HarnessFixture, startHarnessFixture } from './support/harness-fixture.js';
import { childEnv, freePort } from './support/paddock-process.js';
import { TEST_ADMIN_KEY } from './support/server.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const ENTRY = fileURLToPath(new URL('./support/serve-entry.ts', import.meta.url));
// Resolved here: a child started in a fresh directory could not find tsx from there.
const TSX = import.meta.resolve('tsx');
const ROOTFS = process.env['PADDOCK_TEST_ROOTFS_DIR'] ?? '/var/cache/paddock/rootfs';

async function readmeExample(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example, 'README has a ts example');
  assert.match(example, /baseURL: 'http:\/\/127\.0\.0\.1:4000'/);
  return example;
}

/** Runs the README's example as printed, pointed at `url` with `key` as PADDOCK_API_KEY. */
async function runExample(url: string, key: string): Promise<{ stdout: string; stderr: string }> {
  // Inside the repo, so `@anthropic-ai/sdk` resolves from node_modules.
  const file = join(ROOT, `.readme-example-${process.pid}-${Date.now()}.mts`);
  await writeFile(file, (await readmeExample()).replace('http://127.0.0.1:4000', url));
  try {
    return await run(process.execPath, ['--import', 'tsx', file], {
      cwd: ROOT,
      env: { ...process.env, PADDOCK_API_KEY: key },
      timeout: 60_000,
    });
  } finally {
    await rm(file, { force: true });
  }
}

/** The README's example must run as printed, pointed at a real Paddock. */
describe('README example', () => {
  let fixture: HarnessFixture;
  before(async () => {
    fixture = await startHarnessFixture('sqlite');
  });
  after(async () => fixture.close());

  it('runs against Paddock and streams the agent to idle, twice', async () => {
    const turns = () => [
      {
        content: [
          { type: 'text' as const, text: 'Looking at src/.' },
          { type: 'tool_use' as const, name: 'bash', input: { command: 'echo scanning' } },
        ],
      },
      { content: [{ type: 'text' as const, text: 'No security issues found.' }] },
    ];
    for (const round of [1, 2]) {
      fixture.model.push(turns());
      const { stdout } = await runExample(fixture.server.url, TEST_ADMIN_KEY);
      assert.match(stdout, /Looking at src\//, `round ${round}`);
      assert.match(stdout, /\[Using tool: bash\]/);
      assert.match(stdout, /No security issues found\./);
      assert.match(stdout, /\[Agent finished: end_turn\]/);
    }
  });

  it('says what went wrong when the model fails (session.error), naming the upstream', async () => {
    fixture.model.push([
      { error: { status: 404, type: 'not_found_error', message: 'model: claude-sonnet-4-6' } },
    ]);
    const { stdout, stderr } = await runExample(fixture.server.url, TEST_ADMIN_KEY);
    assert.match(
      stderr,
      new RegExp(
        `\\[Error: model_request_failed_error: anthropic upstream ${fixture.model.url}: not_found_error: model: claude-sonnet-4-6\\]`,
      ),
    );
    assert.match(stdout, /\[Agent finished: retries_exhausted\]/);
  });
});

/** A child `paddock <args>` in `cwd`, resolved once its output matches `ready`. */
function startPaddock(args: string[], cwd: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', TSX, ENTRY, ...args], {
    cwd,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const watchers = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const watcher of [...watchers]) watcher();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output);
        if (!match) return;
        watchers.delete(check);
        resolve(match);
      };
      watchers.add(check);
      check();
      void exited.then(() => reject(new Error(`paddock exited before ${pattern}:\n${output}`)));
    });
  return { child, exited, waitFor, output: () => output };
}

/** The README's first screen, as a new user runs it: a fresh directory, no key. */
describe('README first screen', () => {
  let cwd: string;
  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'paddock-first-screen-'));
  });
  after(async () => rm(cwd, { recursive: true, force: true }));

  it('`paddock demo`: the guide flow with a bash call in a real sandbox, no key', async () => {
    const demo = startPaddock(['demo'], cwd, { PADDOCK_ROOTFS_DIR: ROOTFS });
    const code = await demo.exited;
    const output = demo.output();
    assert.equal(code, 0, output);
    assert.match(output, /^agent agent_\w+, environment env_\w+, session sesn_\w+$/m);
    assert.match(output, /^● bash: echo "hello from/m);
    assert.match(output, /^ {2}↳ hello from Linux /m);
    assert.match(output, /The bash tool ran inside an isolated sandbox\./);
    assert.match(output, /^demo passed in [\d.]+ s/m);
  });

  it("PADDOCK_MODEL_ROUTES='*=scripted' paddock serve, then the README example with the printed key", async () => {
    const port = String(await freePort());
    const serve = startPaddock(['serve'], cwd, { PADDOCK_MODEL_ROUTES: '*=scripted', PADDOCK_PORT: port });
    try {
      const [, key] = await serve.waitFor(/^ {2}export PADDOCK_API_KEY=(\S+)$/m);
      await serve.waitFor(/^paddock: scripted model: in process/m);
      const output = serve.output();
      assert.match(output, /^paddock: created the data directory \.\/\.paddock /m);
      assert.match(output, new RegExp(`^paddock listening on http://127\\.0\\.0\\.1:${port} `, 'm'));
      assert.doesNotMatch(output, /ANTHROPIC_API_KEY/, 'the Paddock key is never called ANTHROPIC_API_KEY');
      assert.doesNotMatch(output, /WARNING/);
      // A browser opened at the printed URL lands on the console.
      const root = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
      assert.equal(root.status, 302);
      assert.equal(root.headers.get('location'), '/console');
      const { stdout } = await runExample(`http://127.0.0.1:${port}`, key ?? '');
      assert.match(stdout, /scripted: Review the code in src\/ for security issues/);
      assert.match(stdout, /\[Agent finished: end_turn\]/);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
  });

  it('paddock serve without a key warns that no model upstream can answer, and says what to do', async () => {
    const port = String(await freePort());
    const serve = startPaddock(['serve'], cwd, { PADDOCK_PORT: port });
    try {
      await serve.waitFor(/WARNING: no model upstream can answer[^\n]*\n[^\n]*paddock demo/);
      const output = serve.output();
      // The directory exists now (the previous test created it): announced, not "created".
      assert.match(output, /^paddock: data in \.\/\.paddock$/m);
      assert.match(
        output,
        /^paddock: warning: anthropic upstream: https:\/\/api\.anthropic\.com: ANTHROPIC_API_KEY not set/m,
      );
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
  });
});
