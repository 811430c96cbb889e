// Detail pages: an agent (its versions, editing into a new version, archive) and an environment.
import { badge, h, replace, route } from './dom.js';
import { formatTime, modelName, prettyJson } from './format.js';

const toolNames = (tools) =>
  Array.isArray(tools) ? tools.map((tool) => tool.name ?? tool.type).join(', ') || 'none' : '';

/** A button that runs `action` and reports failures through the page's notice. */
function actionButton(context, label, className, message, action) {
  const button = h('button', { type: 'button', class: className }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    replace(message);
    try {
      await action();
    } catch (error) {
      if (!context.onAuthError(error))
        replace(message, h('p', { class: 'notice notice-error' }, String(error?.message ?? error)));
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/** A multi-agent agent's roster: a coordinator's agents linked, other configurations as JSON. */
function roster(multiagent) {
  if (multiagent.type !== 'coordinator' || !Array.isArray(multiagent.agents))
    return h(
      'details',
      null,
      h('summary', null, multiagent.type),
      h('pre', { class: 'block input' }, prettyJson(multiagent)),
    );
  return h(
    'ul',
    { class: 'roster' },
    multiagent.agents.map((entry) =>
      h(
        'li',
        null,
        entry.type === 'agent'
          ? h('a', { href: route('agents', entry.id) }, `${entry.id} v${entry.version ?? '?'}`)
          : `${entry.type} ${modelName(entry.model)}`,
      ),
    ),
  );
}

function facts(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs.filter(Boolean).map(([term, value]) => [h('dt', null, term), h('dd', null, value)]),
  );
}

/** @param {{ client: import('./api.js').ConsoleClient, main: HTMLElement, onAuthError: (e: unknown) => boolean, navigate: (hash: string) => void }} context */
export async function renderAgent(context, agentId) {
  const [agent, versions] = await Promise.all([
    context.client.retrieveAgent(agentId),
    context.client.listAgentVersions(agentId).catch(() => []),
  ]);
  const message = h('div');
  const archive = agent.archived_at
    ? null
    : actionButton(context, 'Archive', 'small danger', message, async () => {
        if (!window.confirm(`Archive agent ${agent.name}? New sessions can no longer use it.`)) return;
        await context.client.archiveAgent(agentId);
        await renderAgent(context, agentId);
      });
  const sorted = [...versions].sort((a, b) => (b.version ?? 0) - (a.version ?? 0));
  const edit = agent.archived_at ? null : editForm(context, agent, message);
  replace(
    context.main,
    h(
      'div',
      { class: 'page-header' },
      h('h1', null, agent.name, ' ', h('code', { class: 'id' }, agent.id)),
      h(
        'div',
        { class: 'header-actions' },
        archive,
        h('a', { class: 'button', href: route('new', 'session') }, 'New session'),
      ),
    ),
    message,
    h(
      'section',
      { class: 'card' },
      facts([
        ['Status', agent.archived_at ? badge('archived') : badge('active')],
        ['Model', modelName(agent.model)],
        ['Version', String(agent.version ?? '')],
        agent.description ? ['Description', agent.description] : null,
        ['Tools', toolNames(agent.tools)],
        agent.multiagent ? ['Roster', roster(agent.multiagent)] : null,
        Array.isArray(agent.mcp_servers) && agent.mcp_servers.length
          ? ['MCP servers', agent.mcp_servers.map((server) => server.name).join(', ')]
          : null,
        ['Created', formatTime(agent.created_at)],
        ['Updated', formatTime(agent.updated_at)],
        agent.archived_at ? ['Archived', formatTime(agent.archived_at)] : null,
      ]),
      agent.system
        ? [h('h2', null, 'System prompt'), h('pre', { class: 'block input' }, agent.system)]
        : null,
    ),
    edit,
    h(
      'section',
      { class: 'card' },
      h('h2', null, `Versions (${sorted.length})`),
      h(
        'ul',
        { class: 'versions' },
        sorted.map((version) =>
          h(
            'li',
            { 'data-version': String(version.version) },
            h('strong', null, `v${version.version}`),
            ' ',
            modelName(version.model),
            ' · ',
            toolNames(version.tools),
            ' · ',
            h('span', { class: 'muted' }, formatTime(version.updated_at ?? version.created_at)),
            h(
              'details',
              null,
              h('summary', null, 'JSON'),
              h('pre', { class: 'block input' }, prettyJson(version)),
            ),
          ),
        ),
      ),
    ),
  );
}

/** Edits name, model, description and system prompt; saving makes the next version. */
function editForm(context, agent, message) {
  const name = h('input', { type: 'text', required: true, maxlength: 256, value: agent.name ?? '' });
  const model = h('input', { type: 'text', required: true, value: modelName(agent.model) });
  const description = h('input', { type: 'text', maxlength: 2048, value: agent.description ?? '' });
  const system = h('textarea', { rows: 6, value: agent.system ?? '' });
  const save = h('button', { type: 'submit' }, 'Save as a new version');
  const field = (label, control) => h('label', { class: 'field' }, h('span', null, label), control);
  return h(
    'details',
    { class: 'card edit-agent' },
    h(
      'summary',
      null,
      h('strong', null, 'Edit'),
      h('span', { class: 'muted' }, ` (v${agent.version} → v${agent.version + 1})`),
    ),
    h(
      'form',
      {
        class: 'form',
        onsubmit: async (event) => {
          event.preventDefault();
          save.disabled = true;
          replace(message);
          try {
            await context.client.updateAgent(agent.id, {
              version: agent.version,
              name: name.value.trim(),
              model: model.value.trim(),
              description: description.value.trim() || null,
              system: system.value.trim() ? system.value : null,
            });
            await renderAgent(context, agent.id);
          } catch (error) {
            if (!context.onAuthError(error))
              replace(message, h('p', { class: 'notice notice-error' }, String(error?.message ?? error)));
          } finally {
            save.disabled = false;
          }
        },
      },
      field('Name', name),
      field('Model', model),
      field('Description', description),
      field('System prompt', system),
      save,
    ),
  );
}

/** @param {{ client: import('./api.js').ConsoleClient, main: HTMLElement, onAuthError: (e: unknown) => boolean }} context */
export async function renderEnvironment(context, environmentId) {
  const environment = await context.client.retrieveEnvironment(environmentId);
  // The package build (a Paddock extension, GET /v1/environments/{id}/build); optional on the page.
  const build = await context.client
    .json('GET', `/v1/environments/${encodeURIComponent(environmentId)}/build`)
    .catch(() => null);
  const message = h('div');
  const config = environment.config ?? {};
  const archive = environment.archived_at
    ? null
    : actionButton(context, 'Archive', 'small danger', message, async () => {
        if (!window.confirm(`Archive environment ${environment.name}?`)) return;
        await context.client.archiveEnvironment(environmentId);
        await renderEnvironment(context, environmentId);
      });
  replace(
    context.main,
    h(
      'div',
      { class: 'page-header' },
      h('h1', null, environment.name, ' ', h('code', { class: 'id' }, environment.id)),
      h('div', { class: 'header-actions' }, archive),
    ),
    message,
    h(
      'section',
      { class: 'card' },
      facts([
        ['Status', environment.archived_at ? badge('archived') : badge('active')],
        ['Type', config.type ?? ''],
        ['Networking', config.networking?.type ?? ''],
        build ? ['Build', badge(build.status)] : null,
        environment.description ? ['Description', environment.description] : null,
        ['Created', formatTime(environment.created_at)],
        ['Updated', formatTime(environment.updated_at)],
      ]),
      h('h2', null, 'Configuration'),
      h('pre', { class: 'block input' }, prettyJson(config)),
      build?.log_tail ? h('h2', null, 'Build log (last lines)') : null,
      build?.log_tail ? h('pre', { class: 'block input' }, build.log_tail) : null,
    ),
  );
}
