import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { APIError } from '@anthropic-ai/sdk';
import { EnvironmentWorker } from '@anthropic-ai/sdk/lib/environments/worker';
import type { BetaSelfHostedWork } from '@anthropic-ai/sdk/resources/beta/environments/work';
import { betaAgentToolset20260401 } from '@anthropic-ai/sdk/tools/agent-toolset/node';
import { DIALECTS } from '../support/databases.js';
import {
  type HarnessFixture,
  isIdle,
  openEventReader,
  type StreamEvent,
  startHarnessFixture,
} from '../support/harness-fixture.js';
import {
  type EnvironmentKeyResponse,
  selfHostedSession,
  statusOf,
  waitFor,
  workerClient,
} from '../support/self-hosted.js';

for (const dialect of DIALECTS) {
  describe(`self-hosted environments (${dialect})`, () => {
    let fixture: HarnessFixture;
    before(async () => {
      fixture = await startHarnessFixture(dialect);
    });
    after(async () => {
      // undici sometimes opens a pooled connection it never uses; Node's server.close() waits for
      // such a connection until its headers timeout (~70 s). Every test is done here, so drop them.
      fixture.server.paddock.app.server.closeAllConnections();
      await fixture.close();
    });

    it("runs bash on the SDK's EnvironmentWorker and resumes the session with its result", async () => {
      const { client, model, server } = fixture;
      const { environment, session, environmentKey } = await selfHostedSession(fixture);
      assert.match(environmentKey, /^sk-paddock-env-/);
      const worker = workerClient(server.url, environmentKey);
      // Creating the session enqueued its work item.
      const queued: BetaSelfHostedWork[] = [];
      for await (const item of worker.beta.environments.work.list(environment.id)) queued.push(item);
      assert.equal(queued.length, 1);
      assert.equal(queued[0]?.state, 'queued');
      assert.deepEqual(queued[0]?.data, { type: 'session', id: session.id });
      assert.equal(queued[0]?.secret, null);

      model.push([
        {
          content: [
            { type: 'tool_use', name: 'bash', input: { command: 'echo hi > out.txt && cat out.txt' } },
          ],
          stop_reason: 'tool_use',
        },
        { content: [{ type: 'text', text: 'The file says hi.' }] },
      ]);
      const stream = await openEventReader(client, session.id);
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'write hi to out.txt' }] }],
      });
      // The server does not run bash here: the turn waits for the worker.
      const firstIdle = await stream.until(isIdle);
      const toolUse = firstIdle.find((event) => event.type === 'agent.tool_use');
      assert.ok(toolUse?.id);
      assert.deepEqual(firstIdle.at(-1)?.['stop_reason'], {
        type: 'requires_action',
        event_ids: [toolUse.id],
      });
      assert.ok(!firstIdle.some((event) => event.type === 'agent.tool_result'));

      const workdir = mkdtempSync(join(tmpdir(), 'paddock-worker-'));
      const stopWorker = new AbortController();
      const running = new EnvironmentWorker({
        client: worker,
        environmentId: environment.id,
        environmentKey,
        workdir,
        tools: (ctx) => betaAgentToolset20260401(ctx),
        // End the per-session runner soon after the turn ends (default 60 s).
        maxIdleMs: 300,
        workerId: 'test-worker',
      }).run(stopWorker.signal);
      try {
        const rest = await stream.until(isIdle, 30_000);
        const result = rest.find((event) => event.type === 'user.tool_result') as StreamEvent;
        assert.equal(result['tool_use_id'], toolUse.id);
        assert.equal(result['is_error'], false);
        assert.match(JSON.stringify(result['content']), /hi/);
        assert.deepEqual(rest.at(-1)?.['stop_reason'], { type: 'end_turn' });
        assert.equal(readFileSync(join(workdir, 'out.txt'), 'utf8'), 'hi\n');
        // The model saw the worker's output as the tool result.
        assert.match(JSON.stringify(model.requests().at(-1)?.body), /tool_result.*hi/);

        // After maxIdleMs the worker's runner ends and it force-stops the item.
        const stopped = await waitFor(async () => {
          const item = await client.beta.environments.work.retrieve(queued[0]?.id ?? '', {
            environment_id: environment.id,
          });
          return item.state === 'stopped' ? item : undefined;
        });
        assert.ok(stopped.acknowledged_at && stopped.started_at && stopped.latest_heartbeat_at);
        assert.ok(stopped.stopped_at);
        assert.equal(stopped.secret, null);
        const stats = await client.beta.environments.work.stats(environment.id);
        assert.equal(stats.depth, 0);
        assert.equal(stats.workers_polling, 1);

        // New input to the dormant session enqueues a fresh item, which the same worker claims.
        model.push([{ content: [{ type: 'text', text: 'Still here.' }] }]);
        await client.beta.sessions.events.send(session.id, {
          events: [{ type: 'user.message', content: [{ type: 'text', text: 'again' }] }],
        });
        await stream.until(isIdle, 15_000);
        const items = await waitFor(async () => {
          const all = [];
          for await (const item of worker.beta.environments.work.list(environment.id)) all.push(item);
          return all.length === 2 && all.every((item) => item.state === 'stopped') ? all : undefined;
        });
        assert.equal(items.length, 2);
      } finally {
        stream.close();
        stopWorker.abort();
        await running;
        rmSync(workdir, { recursive: true, force: true });
      }
    });

    it('poll returns null when the queue is empty, and each poll mints a scoped sessions token', async () => {
      const { client, server } = fixture;
      const environment = await client.beta.environments.create({
        name: `empty-${Math.random().toString(36).slice(2)}`,
        config: { type: 'self_hosted' },
      });
      const issued = await client.post<EnvironmentKeyResponse>(`/v1/environments/${environment.id}/keys`, {
        body: { name: 'ci' },
      });
      const worker = workerClient(server.url, issued.key);
      const started = Date.now();
      assert.equal(await worker.beta.environments.work.poll(environment.id, { block_ms: 300 }), null);
      assert.ok(Date.now() - started >= 250, 'block_ms holds the request');
      assert.equal(await worker.beta.environments.work.poll(environment.id), null);
    });

    it('heartbeat: NO_HEARTBEAT first, then the echoed value; a stale one is a 412 with the current state', async () => {
      const { client, server } = fixture;
      const { environment, session, environmentKey } = await selfHostedSession(fixture);
      const worker = workerClient(server.url, environmentKey);
      const work = await worker.beta.environments.work.poll(environment.id, {
        block_ms: 100,
        'Anthropic-Worker-ID': 'probe',
      });
      assert.ok(work?.secret);
      const { sessions_token: token } = JSON.parse(Buffer.from(work.secret, 'base64url').toString()) as {
        sessions_token: string;
      };
      assert.match(token, /^sk-ant-req-/);
      const acked = await worker.beta.environments.work.ack(work.id, { environment_id: environment.id });
      assert.equal(acked.state, 'starting');
      assert.equal(acked.secret, null);

      const scoped = workerClient(server.url, token);
      const first = await scoped.beta.environments.work.heartbeat(work.id, {
        environment_id: environment.id,
        expected_last_heartbeat: 'NO_HEARTBEAT',
      });
      assert.equal(first.type, 'work_heartbeat');
      assert.equal(first.state, 'active');
      assert.equal(first.lease_extended, true);
      assert.equal(first.ttl_seconds, 60);
      const second = await scoped.beta.environments.work.heartbeat(work.id, {
        environment_id: environment.id,
        expected_last_heartbeat: first.last_heartbeat,
      });
      assert.notEqual(second.last_heartbeat, first.last_heartbeat);

      const stale = await scoped.beta.environments.work
        .heartbeat(work.id, { environment_id: environment.id, expected_last_heartbeat: 'NO_HEARTBEAT' })
        .then(
          () => assert.fail('expected a 412'),
          (error: unknown) => error,
        );
      assert.ok(stale instanceof APIError);
      assert.equal(stale.status, 412);
      const body = stale.error as { error: { details: Record<string, unknown> } };
      assert.equal(body.error.details['error_code'], 'heartbeat_precondition_failed');
      assert.deepEqual(body.error.details['current_state'], {
        last_heartbeat: second.last_heartbeat,
        lease_extended: false,
        state: 'active',
        ttl_seconds: 60,
      });

      // The sessions token reads its own session; a non-force stop asks the worker to wind down.
      assert.equal((await scoped.beta.sessions.retrieve(session.id)).id, session.id);
      const stopping = await client.beta.environments.work.stop(work.id, { environment_id: environment.id });
      assert.equal(stopping.state, 'stopping');
      const told = await scoped.beta.environments.work.heartbeat(work.id, {
        environment_id: environment.id,
        expected_last_heartbeat: 'anything: not compared once stopping',
      });
      assert.equal(told.state, 'stopping');
      const stopped = await scoped.beta.environments.work.stop(work.id, {
        environment_id: environment.id,
        force: true,
      });
      assert.equal(stopped.state, 'stopped');
      // A stopped item's token is dead; stopping again is a 409 the SDK ignores.
      assert.equal(await statusOf(scoped.beta.sessions.retrieve(session.id)), 401);
      assert.equal(
        await statusOf(
          worker.beta.environments.work.stop(work.id, { environment_id: environment.id, force: true }),
        ),
        409,
      );
    });

    it('rejects the wrong credential kinds and scopes', async () => {
      const { client, server } = fixture;
      const { environment, session, environmentKey } = await selfHostedSession(fixture);
      const other = await selfHostedSession(fixture);
      const worker = workerClient(server.url, environmentKey);
      const work = await worker.beta.environments.work.poll(environment.id, { block_ms: 100 });
      assert.ok(work?.secret);
      const token = (
        JSON.parse(Buffer.from(work.secret, 'base64url').toString()) as { sessions_token: string }
      ).sessions_token;
      const scoped = workerClient(server.url, token);

      // Unknown credentials: 401.
      assert.equal(await statusOf(workerClient(server.url, 'sk-paddock-env-nope').beta.agents.list()), 401);
      assert.equal(
        await statusOf(workerClient(server.url, 'sk-ant-req-work_01x.nope').beta.agents.list()),
        401,
      );
      // API keys may not poll or list work; worker credentials may not retrieve it, read stats or issue keys.
      assert.equal(await statusOf(client.beta.environments.work.poll(environment.id)), 403);
      assert.equal(await statusOf(client.beta.environments.work.list(environment.id)), 403);
      const ref = { environment_id: environment.id };
      assert.equal(await statusOf(worker.beta.environments.work.retrieve(work.id, ref)), 403);
      assert.equal(await statusOf(scoped.beta.environments.work.retrieve(work.id, ref)), 403);
      assert.equal(await statusOf(worker.beta.environments.work.stats(environment.id)), 403);
      assert.equal(await statusOf(worker.post(`/v1/environments/${environment.id}/keys`, { body: {} })), 403);
      // Worker credentials reach nothing outside the worker's calls.
      assert.equal(await statusOf(worker.beta.agents.list()), 403);
      // A path no route serves is a 404 for a worker credential too, never a 403.
      assert.equal(await statusOf(worker.get('/v1/no-such-route')), 404);
      assert.equal(
        await statusOf(worker.post(`/v1/environments/${environment.id}/nothing`, { body: {} })),
        404,
      );
      assert.equal(await statusOf(scoped.beta.environments.list()), 403);
      assert.equal(await statusOf(scoped.beta.environments.work.poll(environment.id)), 403);
      // ...and only within their scope.
      assert.equal(await statusOf(worker.beta.environments.work.poll(other.environment.id)), 403);
      assert.equal(await statusOf(worker.beta.sessions.retrieve(other.session.id)), 403);
      assert.equal(await statusOf(scoped.beta.sessions.retrieve(other.session.id)), 403);
      const otherEvents = scoped.beta.sessions.events.send(other.session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'hi' }] }],
      });
      assert.equal(await statusOf(otherEvents), 403);
      // In scope: the environment key and the token both read the session.
      assert.equal((await worker.beta.sessions.retrieve(session.id)).id, session.id);
      assert.equal(
        await statusOf(scoped.beta.sessions.events.list(session.id).then((page) => page.data)),
        200,
      );
      // Keys are only for self-hosted environments.
      const cloud = await client.beta.environments.create({
        name: `cloud-${Math.random().toString(36).slice(2)}`,
      });
      assert.equal(await statusOf(client.post(`/v1/environments/${cloud.id}/keys`, { body: {} })), 400);
    });
  });
}
