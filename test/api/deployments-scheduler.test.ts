import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { Clock } from '../../src/core/clock.js';
import {
  createScriptedProvider,
  type ScriptedProvider,
} from '../../src/providers/scripted/scripted-provider.js';
import { createPaddock, type Paddock } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { TEST_ADMIN_KEY, testServerConfig } from '../support/server.js';

type Run = Anthropic.Beta.DeploymentRuns.BetaManagedAgentsDeploymentRun & {
  status: string;
  status_reason: string | null;
};

interface Node {
  paddock: Paddock;
  client: Anthropic;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Polls until `check` holds; the deadline is generous (a busy 2-core CI machine). */
async function until<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function all<T>(page: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of page) out.push(item);
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();
const message = (text: string) => ({
  type: 'user.message' as const,
  content: [{ type: 'text' as const, text }],
});

/**
 * Two harness nodes on one Postgres database share one clock that only the test moves:
 * minutes pass in milliseconds, and each node's scheduler also runs its own loop (every 50 ms)
 * besides the passes the test runs on both at once.
 */
describe('deployment schedules across a fleet (postgres)', () => {
  let database: TestDatabase;
  let model: ScriptedProvider;
  const nodes: Node[] = [];
  const extraDirs: string[] = [];
  let now = Date.UTC(2026, 2, 2, 12, 0, 30);
  const clock: Clock = { now: () => now };
  const sharedKey = randomBytes(32).toString('hex');
  let agentId: string;
  let environmentId: string;

  const startNode = async (dataDir: string): Promise<Node> => {
    const config = testServerConfig(dataDir, {
      databaseUrl: database.url,
      secretKey: sharedKey,
      modelRoutes: { '*': 'scripted' },
      deployments: { intervalMs: 50, startingDeadlineMs: 5 * MINUTE },
    });
    const paddock = await createPaddock({
      config,
      store: await database.open(),
      clock,
      // Jumps of the test clock must not make a running session's lease look expired.
      harness: {
        providers: { scripted: model },
        leaseTtlMs: 24 * HOUR,
        retry: { baseDelayMs: 1, maxDelayMs: 5 },
      },
    });
    const url = await paddock.listen();
    const node = { paddock, client: new Anthropic({ baseURL: url, apiKey: TEST_ADMIN_KEY, maxRetries: 0 }) };
    nodes.push(node);
    return node;
  };
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'paddock-test-scheduler-'));
    extraDirs.push(dir);
    return dir;
  };
  const live = () => nodes.filter((node) => !closed.has(node));
  const closed = new Set<Node>();
  const closeNode = async (node: Node) => {
    closed.add(node);
    await node.paddock.close();
  };
  /** Every live node runs passes at once, twice: they race for the same ticks. */
  const tickAll = async () => {
    await Promise.all(
      live().flatMap((node) => [
        node.paddock.deploymentScheduler.tick(),
        node.paddock.deploymentScheduler.tick(),
      ]),
    );
  };
  const runsOf = async (deploymentId: string) =>
    (await all(live()[0]!.client.beta.deploymentRuns.list({ deployment_id: deploymentId }))) as Run[];
  const settled = (deploymentId: string, count: number) =>
    until(
      `${count} settled runs of ${deploymentId}`,
      async () => {
        await tickAll();
        return runsOf(deploymentId);
      },
      (runs) => runs.length >= count && runs.every((run) => run.status !== 'started'),
    );

  before(async () => {
    model = createScriptedProvider();
    database = await createTestDatabase('postgres');
    await startNode(database.dataDir);
    await startNode(newDir());
    const client = nodes[0]!.client;
    agentId = (await client.beta.agents.create({ name: 'cron', model: 'claude-haiku-4-5' })).id;
    environmentId = (await client.beta.environments.create({ name: 'cron-env' })).id;
  });
  after(async () => {
    for (const node of live()) await node.paddock.close();
    await database.drop();
    for (const dir of extraDirs) rmSync(dir, { recursive: true, force: true });
  });

  const createDeployment = (expression: string, timezone: string, text: string) =>
    live()[0]!.client.beta.deployments.create({
      name: text,
      agent: agentId,
      environment_id: environmentId,
      initial_events: [message(text)],
      schedule: { type: 'cron', expression, timezone },
    });

  it('a one-minute schedule fires exactly once per minute with two nodes', async () => {
    const deployment = await createDeployment('* * * * *', 'UTC', 'every minute');
    const start = now;
    const expected: string[] = [];
    for (let minute = 1; minute <= 4; minute++) {
      now = start + minute * MINUTE;
      expected.push(iso(Math.floor(now / MINUTE) * MINUTE));
      await tickAll();
      const runs = await settled(deployment.id, minute);
      assert.equal(runs.length, minute, 'one run per tick, whichever node fired it');
    }
    const runs = (await runsOf(deployment.id)).reverse();
    assert.deepEqual(
      runs.map((run) => run.trigger_context),
      expected.map((scheduled_at) => ({ type: 'schedule', scheduled_at })),
    );
    assert.ok(
      runs.every((run) => run.status === 'succeeded'),
      JSON.stringify(runs),
    );
    assert.equal(new Set(runs.map((run) => run.session_id)).size, 4);
    const sessions = await all(live()[0]!.client.beta.sessions.list({ deployment_id: deployment.id }));
    assert.equal(sessions.length, 4);
    const retrieved = await live()[1]!.client.beta.deployments.retrieve(deployment.id);
    assert.equal(retrieved.schedule?.last_run_at, runs[3]?.created_at);
    await live()[0]!.client.beta.deployments.archive(deployment.id);
    now += MINUTE;
    await tickAll();
    assert.equal((await runsOf(deployment.id)).length, 4, 'an archived deployment no longer fires');
  });

  it('pause suppresses ticks; unpause resumes at the next tick without backfill', async () => {
    const deployment = await createDeployment('* * * * *', 'UTC', 'pausable');
    const client = live()[0]!.client;
    await client.beta.deployments.pause(deployment.id);
    now += 3 * MINUTE;
    await tickAll();
    assert.equal((await runsOf(deployment.id)).length, 0);
    await client.beta.deployments.unpause(deployment.id);
    await tickAll();
    assert.equal((await runsOf(deployment.id)).length, 0, 'ticks missed while paused are not backfilled');
    now += MINUTE;
    const runs = await settled(deployment.id, 1);
    assert.deepEqual(runs[0]?.trigger_context, {
      type: 'schedule',
      scheduled_at: iso(Math.floor(now / MINUTE) * MINUTE),
    });
    await client.beta.deployments.archive(deployment.id);
  });

  it('never overlaps: a tick while the previous run works is recorded as skipped', async () => {
    model.push([{ match: 'slow job', delay_ms: 10 * MINUTE, content: [{ type: 'text', text: 'done' }] }]);
    const deployment = await createDeployment('* * * * *', 'UTC', 'slow job');
    const client = live()[0]!.client;
    now += MINUTE;
    await tickAll();
    // A node's own timer pass may have fired the tick and still be creating the run's session
    // when the test's passes return (they find the tick taken): wait for the session.
    const [first] = await until(
      "the first run's session",
      () => runsOf(deployment.id),
      (runs) => Boolean(runs[0]?.session_id),
    );
    assert.ok(first?.session_id);
    await until(
      'the first run to be at work',
      () => client.beta.sessions.retrieve(first.session_id as string),
      (session) => session.status === 'running',
    );
    now += MINUTE;
    await tickAll();
    const [skipped] = await runsOf(deployment.id);
    assert.notEqual(skipped?.id, first.id);
    assert.equal(skipped?.status, 'skipped');
    assert.equal(skipped?.session_id, null);
    assert.match(skipped?.status_reason ?? '', /still running/);
    // The first run ends (its session is archived): the next tick starts a new run.
    await client.beta.sessions.archive(first.session_id as string);
    now += MINUTE;
    const runs = await settled(deployment.id, 3);
    assert.deepEqual(
      runs.map((run) => run.status),
      ['succeeded', 'skipped', 'failed'],
    );
    assert.equal(runs[2]?.status_reason, 'session terminated');
    await client.beta.deployments.archive(deployment.id);
  });

  it('after everything was down: one run for the latest missed tick within the deadline, else none', async () => {
    now = Math.floor(now / HOUR) * HOUR + HOUR + 30_000; // hh:00:30
    const deployment = await createDeployment('0 * * * *', 'UTC', 'hourly');
    // Every node stops; two hours and a half pass.
    while (live().length > 0) await closeNode(live()[0]!);
    now += 2 * HOUR + 30 * MINUTE; // the latest tick was 30 minutes ago: past the 5-minute deadline
    await startNode(newDir());
    await startNode(newDir());
    await tickAll();
    assert.equal((await runsOf(deployment.id)).length, 0, 'a tick older than the deadline is skipped');
    while (live().length > 0) await closeNode(live()[0]!);
    now += 33 * MINUTE; // hh:03:30: the tick three minutes ago is within the deadline
    await startNode(newDir());
    await startNode(newDir());
    const runs = await settled(deployment.id, 1);
    assert.equal(runs.length, 1);
    assert.deepEqual(runs[0]?.trigger_context, {
      type: 'schedule',
      scheduled_at: iso(Math.floor(now / HOUR) * HOUR),
    });
    await live()[0]!.client.beta.deployments.archive(deployment.id);
  });

  it('follows the wall clock of its time zone across DST in America/New_York', async () => {
    // Fall back, 1 November 2026: 01:30 happens twice (EDT, then EST) and fires twice.
    now = Date.UTC(2026, 10, 1, 5, 0, 0);
    const fallBack = await createDeployment('30 1 * * *', 'America/New_York', 'fall back');
    assert.deepEqual(fallBack.schedule?.upcoming_runs_at?.slice(0, 3), [
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
    // Each run settles before the next tick, so the second is not skipped as an overlap.
    now = Date.UTC(2026, 10, 1, 5, 31);
    await settled(fallBack.id, 1);
    now = Date.UTC(2026, 10, 1, 6, 31);
    const fallRuns = await settled(fallBack.id, 2);
    assert.deepEqual(
      fallRuns.map((run) => (run.trigger_context as { scheduled_at: string }).scheduled_at).reverse(),
      ['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z'],
    );
    await live()[0]!.client.beta.deployments.archive(fallBack.id);

    // Spring forward, 14 March 2027: 02:30 does not exist that day and does not fire.
    now = Date.UTC(2027, 2, 14, 6, 0, 0); // 01:00 EST
    const springForward = await createDeployment('30 2 * * *', 'America/New_York', 'spring forward');
    assert.equal(springForward.schedule?.upcoming_runs_at?.[0], '2027-03-15T06:30:00.000Z');
    for (let step = 1; step <= 4; step++) {
      now += 30 * MINUTE;
      await tickAll();
    }
    assert.equal((await runsOf(springForward.id)).length, 0);
    now = Date.UTC(2027, 2, 15, 6, 31);
    const springRuns = await settled(springForward.id, 1);
    assert.deepEqual(springRuns[0]?.trigger_context, {
      type: 'schedule',
      scheduled_at: '2027-03-15T06:30:00.000Z',
    });
    await live()[0]!.client.beta.deployments.archive(springForward.id);
  });
});
