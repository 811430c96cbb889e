// Create forms: an agent, and a session (agent + environment).
import { h, messageOf, notice, replace, route } from './dom.js';
import { modelName } from './format.js';

const DEFAULT_MODEL = 'claude-sonnet-4-6';

function field(label, control, hint) {
  return h(
    'label',
    { class: 'field' },
    h('span', null, label),
    control,
    hint ? h('small', { class: 'muted' }, hint) : null,
  );
}

function checkbox(label, checked) {
  const input = h('input', { type: 'checkbox', checked });
  return { input, element: h('label', { class: 'check' }, input, ' ', label) };
}

/** Runs a form's submit with a disabled button and the API's error message on failure. */
function submitting(context, button, message, action) {
  return async (event) => {
    event.preventDefault();
    button.disabled = true;
    replace(message);
    try {
      await action();
    } catch (error) {
      if (!context.onAuthError(error)) replace(message, notice(messageOf(error)));
    } finally {
      button.disabled = false;
    }
  };
}

/** @param {{ client: import('./api.js').ConsoleClient, main: HTMLElement, onAuthError: (e: unknown) => boolean, navigate: (hash: string) => void }} context */
export function renderNewAgent(context) {
  const name = h('input', { type: 'text', required: true, maxlength: 256, placeholder: 'Code Reviewer' });
  const model = h('input', { type: 'text', required: true, value: DEFAULT_MODEL });
  const system = h('textarea', { rows: 6, placeholder: 'You are a senior code reviewer.' });
  const toolset = checkbox(
    'Built-in toolset (bash, read, write, edit, glob, grep, web_fetch, web_search)',
    true,
  );
  const ask = checkbox('Ask before each tool use (always_ask)', false);
  toolset.input.addEventListener('change', () => {
    ask.input.disabled = !toolset.input.checked;
  });
  const message = h('div');
  const button = h('button', { type: 'submit' }, 'Create agent');
  const form = h(
    'form',
    {
      class: 'card form',
      onsubmit: submitting(context, button, message, async () => {
        await context.client.createAgent({
          name: name.value.trim(),
          model: model.value.trim(),
          system: system.value,
          toolset: toolset.input.checked,
          askBeforeTools: toolset.input.checked && ask.input.checked,
        });
        context.navigate(route('agents'));
      }),
    },
    h('h1', null, 'New agent'),
    field('Name', name),
    field('Model', model, 'A model id the server routes (PADDOCK_MODEL_ROUTES).'),
    field('System prompt', system),
    toolset.element,
    ask.element,
    button,
    message,
  );
  replace(context.main, form);
  name.focus();
}

/** Every item of a list, up to `max`, following `next_page`. */
async function collect(client, resource, max = 500) {
  const items = [];
  let page;
  do {
    const answer = await client.list(resource, { limit: 100, page });
    items.push(...answer.data);
    page = answer.next_page ?? undefined;
  } while (page && items.length < max);
  return items;
}

/** @param {{ client: import('./api.js').ConsoleClient, main: HTMLElement, onAuthError: (e: unknown) => boolean, navigate: (hash: string) => void }} context */
export async function renderNewSession(context) {
  replace(context.main, notice('Loading agents and environments…', 'info'));
  const [agents, environments] = await Promise.all([
    collect(context.client, 'agents'),
    collect(context.client, 'environments'),
  ]);
  if (agents.length === 0 || environments.length === 0) {
    replace(
      context.main,
      h('h1', null, 'New session'),
      agents.length === 0
        ? h(
            'p',
            null,
            'A session needs an agent: ',
            h('a', { href: route('new', 'agent') }, 'create one first'),
            '.',
          )
        : null,
      environments.length === 0
        ? h('p', null, 'A session needs an environment: create one with the SDK or POST /v1/environments.')
        : null,
    );
    return;
  }
  const agent = h(
    'select',
    { required: true },
    agents.map((a) =>
      h('option', { value: a.id }, `${a.name} (${modelName(a.model)}, v${a.version}) ${a.id}`),
    ),
  );
  const environment = h(
    'select',
    { required: true },
    environments.map((e) => h('option', { value: e.id }, `${e.name} ${e.id}`)),
  );
  const title = h('input', { type: 'text', maxlength: 512, placeholder: 'optional' });
  const message = h('div');
  const button = h('button', { type: 'submit' }, 'Create session');
  const form = h(
    'form',
    {
      class: 'card form',
      onsubmit: submitting(context, button, message, async () => {
        const session = await context.client.createSession({
          agentId: agent.value,
          environmentId: environment.value,
          title: title.value,
        });
        context.navigate(route('sessions', session.id));
      }),
    },
    h('h1', null, 'New session'),
    field('Agent', agent, 'The session runs the latest version.'),
    field('Environment', environment),
    field('Title', title),
    button,
    message,
  );
  replace(context.main, form);
}
