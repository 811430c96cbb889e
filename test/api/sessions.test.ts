import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

for (const dialect of DIALECTS) {
  describe(`sessions over the SDK (${dialect})`, () => {
    let server: TestServer;
    let agentId: string;
    let environmentId: string;
    before(async () => {
      server = await startTestServer(dialect);
      const agent = await server.client.beta.agents.create({
        name: 'Reviewer',
        model: 'claude-sonnet-4-6',
        system: 'review',
        tools: [{ type: 'agent_toolset_20260401' }],
      });
      agentId = agent.id;
      environmentId = (await server.client.beta.environments.create({ name: `env-${dialect}` })).id;
    });
    after(async () => server.close());

    it('creates an idle session with a snapshot of the latest agent', async () => {
      const session = await server.client.beta.sessions.create({
        agent: agentId,
        environment_id: environmentId,
        title: 'first',
        metadata: { team: 'a' },
      });
      assert.match(session.id, /^sesn_/);
      assert.equal(session.type, 'session');
      assert.equal(session.status, 'idle');
      assert.equal(session.title, 'first');
      assert.equal(session.agent.id, agentId);
      assert.equal(session.agent.version, 1);
      assert.equal(session.agent.system, 'review');
      assert.equal(session.agent.multiagent, null);
      assert.ok(!('metadata' in session.agent) && !('created_at' in session.agent));
      assert.deepEqual(session.stats, { active_seconds: 0, duration_seconds: 0 });
      assert.equal(session.usage.input_tokens, 0);
      assert.deepEqual(session.outcome_evaluations, []);
      assert.deepEqual(session.vault_ids, []);
      assert.equal(session.budget, null);
      assert.equal(session.archived_at, null);
      assert.deepEqual(await server.client.beta.sessions.retrieve(session.id), session);
    });

    it('pins agent versions and applies overrides', async () => {
      const agent = await server.client.beta.agents.create({ name: 'Pin', model: 'claude-haiku-4-5' });
      await server.client.beta.agents.update(agent.id, { system: 'v2', version: 1 });
      const pinned = await server.client.beta.sessions.create({
        agent: { type: 'agent', id: agent.id, version: 1 },
        environment_id: environmentId,
      });
      assert.equal(pinned.agent.version, 1);
      assert.equal(pinned.agent.system, null);
      const latest = await server.client.beta.sessions.create({
        agent: agent.id,
        environment_id: environmentId,
      });
      assert.equal(latest.agent.version, 2);
      const overridden = await server.client.beta.sessions.create({
        agent: {
          type: 'agent_with_overrides',
          id: agent.id,
          model: 'claude-opus-4-6',
          system: 'override',
          tools: [
            { type: 'agent_toolset_20260401', default_config: { permission_policy: { type: 'always_ask' } } },
          ],
        },
        environment_id: environmentId,
      });
      assert.deepEqual(overridden.agent.model, { id: 'claude-opus-4-6' });
      assert.equal(overridden.agent.system, 'override');
      const toolset = overridden.agent.tools[0];
      assert.equal(toolset?.type, 'agent_toolset_20260401');
      if (toolset?.type === 'agent_toolset_20260401')
        assert.deepEqual(toolset.default_config.permission_policy, { type: 'always_ask' });
      const unchanged = await server.client.beta.agents.retrieve(agent.id);
      assert.equal(unchanged.system, 'v2', 'overrides never touch the agent');
      await assert.rejects(
        server.client.beta.sessions.create({
          agent: { type: 'agent', id: agent.id, version: 9 },
          environment_id: environmentId,
        }),
        Anthropic.NotFoundError,
      );
    });

    it('rejects unknown references and bad input with the right classes', async () => {
      await assert.rejects(
        server.client.beta.sessions.create({ agent: 'agent_missing', environment_id: environmentId }),
        Anthropic.NotFoundError,
      );
      await assert.rejects(
        server.client.beta.sessions.create({ agent: agentId, environment_id: 'env_missing' }),
        (error: unknown) =>
          error instanceof Anthropic.NotFoundError && error.errorCode === 'environment_not_found',
      );
      const archivedEnv = await server.client.beta.environments.create({ name: `archived-${dialect}` });
      await server.client.beta.environments.archive(archivedEnv.id);
      await assert.rejects(
        server.client.beta.sessions.create({ agent: agentId, environment_id: archivedEnv.id }),
        (error: unknown) =>
          error instanceof Anthropic.BadRequestError && error.errorCode === 'environment_archived',
      );
      await assert.rejects(
        // @ts-expect-error an unknown field
        server.client.beta.sessions.create({ agent: agentId, environment_id: environmentId, colour: 'red' }),
        (error: unknown) => error instanceof Anthropic.BadRequestError && /colour/.test(error.message),
      );
      await assert.rejects(server.client.beta.sessions.retrieve('sesn_missing'), Anthropic.NotFoundError);
    });

    it('updates title and metadata, refuses vault_ids, and guards agent updates while running', async () => {
      const session = await server.client.beta.sessions.create({
        agent: agentId,
        environment_id: environmentId,
        metadata: { keep: '1', drop: '2' },
      });
      const updated = await server.client.beta.sessions.update(session.id, {
        title: 'renamed',
        metadata: { drop: null, add: '3' },
      });
      assert.equal(updated.title, 'renamed');
      assert.deepEqual(updated.metadata, { keep: '1', add: '3' });
      const events = [];
      for await (const event of server.client.beta.sessions.events.list(session.id)) events.push(event);
      const change = events.find((event) => event.type === 'session.updated');
      assert.ok(change && change.type === 'session.updated');
      assert.equal(change.title, 'renamed');
      await assert.rejects(
        server.client.beta.sessions.update(session.id, { vault_ids: ['vlt_x'] }),
        (error: unknown) => error instanceof Anthropic.BadRequestError && /vault_ids/.test(error.message),
      );
      const withTools = await server.client.beta.sessions.update(session.id, {
        agent: {
          tools: [{ type: 'custom', name: 'lookup', description: 'd', input_schema: { type: 'object' } }],
        },
      });
      assert.equal(withTools.agent.tools[0]?.type, 'custom');
      await server.paddock.context.events.append(session.id, [{ type: 'session.status_running' }]);
      assert.equal((await server.client.beta.sessions.retrieve(session.id)).status, 'running');
      await assert.rejects(
        server.client.beta.sessions.update(session.id, { agent: { tools: [] } }),
        Anthropic.ConflictError,
      );
    });

    it('lists with filters and both cursors over more than two pages', async () => {
      const agent = await server.client.beta.agents.create({ name: 'Lister', model: 'claude-haiku-4-5' });
      const created: string[] = [];
      for (let i = 0; i < 5; i++) {
        created.push(
          (await server.client.beta.sessions.create({ agent: agent.id, environment_id: environmentId })).id,
        );
      }
      const all: string[] = [];
      for await (const session of server.client.beta.sessions.list({ agent_id: agent.id, limit: 2 }))
        all.push(session.id);
      assert.deepEqual(all, [...created].reverse(), 'default order is newest first');
      const first = await server.client.beta.sessions.list({ agent_id: agent.id, limit: 2, order: 'asc' });
      assert.deepEqual(
        first.data.map((s) => s.id),
        created.slice(0, 2),
      );
      assert.equal(first.prev_page, null);
      assert.ok(first.next_page);
      const second = await server.client.beta.sessions.list({
        agent_id: agent.id,
        limit: 2,
        order: 'asc',
        page: first.next_page,
      });
      assert.deepEqual(
        second.data.map((s) => s.id),
        created.slice(2, 4),
      );
      assert.ok(second.prev_page);
      const back = await server.client.beta.sessions.list({
        agent_id: agent.id,
        limit: 2,
        order: 'asc',
        page: second.prev_page,
      });
      assert.deepEqual(
        back.data.map((s) => s.id),
        created.slice(0, 2),
      );
      const third = await server.client.beta.sessions.list({
        agent_id: agent.id,
        limit: 2,
        order: 'asc',
        page: second.next_page ?? '',
      });
      assert.deepEqual(
        third.data.map((s) => s.id),
        created.slice(4),
      );
      assert.equal(third.next_page, null);
      const byVersion = await server.client.beta.sessions.list({ agent_id: agent.id, agent_version: 2 });
      assert.equal(byVersion.data.length, 0);
      await server.paddock.context.events.append(created[0] ?? '', [{ type: 'session.status_running' }]);
      const running = await server.client.beta.sessions.list({ agent_id: agent.id, statuses: ['running'] });
      assert.deepEqual(
        running.data.map((s) => s.id),
        [created[0]],
      );
    });

    it('archives: reads terminated, hides from lists, emits the status event and refuses input', async () => {
      const session = await server.client.beta.sessions.create({
        agent: agentId,
        environment_id: environmentId,
      });
      const archived = await server.client.beta.sessions.archive(session.id);
      assert.equal(archived.status, 'terminated');
      assert.ok(archived.archived_at);
      const listed = await server.client.beta.sessions.list({ agent_id: agentId, limit: 100 });
      assert.ok(!listed.data.some((s) => s.id === session.id));
      const withArchived = await server.client.beta.sessions.list({
        agent_id: agentId,
        limit: 100,
        include_archived: true,
      });
      assert.ok(withArchived.data.some((s) => s.id === session.id));
      const events = await server.client.beta.sessions.events.list(session.id);
      assert.deepEqual(
        events.data.map((e) => e.type),
        ['session.status_terminated'],
      );
      await assert.rejects(
        server.client.beta.sessions.events.send(session.id, {
          events: [{ type: 'user.message', content: [{ type: 'text', text: 'hi' }] }],
        }),
        (error: unknown) =>
          error instanceof Anthropic.BadRequestError && error.headers.get('x-should-retry') === 'false',
      );
    });

    it('deletes: returns session_deleted, and later reads are 404', async () => {
      const session = await server.client.beta.sessions.create({
        agent: agentId,
        environment_id: environmentId,
      });
      const deleted = await server.client.beta.sessions.delete(session.id);
      assert.deepEqual(deleted, { id: session.id, type: 'session_deleted' });
      await assert.rejects(server.client.beta.sessions.retrieve(session.id), Anthropic.NotFoundError);
      await assert.rejects(server.client.beta.sessions.events.list(session.id), Anthropic.NotFoundError);
      await assert.rejects(server.client.beta.sessions.delete(session.id), Anthropic.NotFoundError);
    });

    it('adds repository resources with sesrsc_ ids and never returns the token', async () => {
      const session = await server.client.beta.sessions.create({
        agent: agentId,
        environment_id: environmentId,
        resources: [
          {
            type: 'github_repository',
            url: 'https://github.com/acme/widgets.git',
            authorization_token: 'ghp_secret',
            checkout: { type: 'branch', name: 'main' },
          },
        ],
      });
      const [resource] = session.resources;
      assert.ok(resource && resource.type === 'github_repository');
      assert.match(resource.id, /^sesrsc_/);
      assert.equal(resource.mount_path, '/workspace/widgets');
      assert.ok(!JSON.stringify(session).includes('ghp_secret'));
      const sealed = await server.paddock.store.secrets.get(resource.id);
      assert.ok(sealed && !sealed.includes('ghp_secret'), 'the token is stored sealed');
    });

    it('starts with initial events and lists the primary thread', async () => {
      const session = await server.client.beta.sessions.create({
        agent: agentId,
        environment_id: environmentId,
        initial_events: [
          { type: 'user.message', content: [{ type: 'text', text: 'hello' }] },
          { type: 'user.define_outcome', description: 'done', rubric: { type: 'text', content: 'all good' } },
        ],
      });
      const listed = await server.client.beta.sessions.events.list(session.id);
      // The harness starts the turn at once; the client's events come first, in order.
      const events = { data: listed.data.filter((e) => e.type.startsWith('user.')) };
      assert.deepEqual(
        events.data.map((e) => e.type),
        ['user.message', 'user.define_outcome'],
      );
      assert.equal(listed.data[0]?.type, 'user.message');
      const outcome = events.data[1];
      assert.ok(outcome?.type === 'user.define_outcome');
      assert.equal(outcome.max_iterations, 3);
      assert.ok(outcome.outcome_id);
      const threads = await server.client.beta.sessions.threads.list(session.id);
      assert.equal(threads.data.length, 1);
      assert.match(threads.data[0]?.id ?? '', /^sthr_/);
      assert.equal(threads.data[0]?.parent_thread_id, null);
    });
  });
}
