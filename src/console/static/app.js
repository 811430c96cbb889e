// The console's entry: sign-in, the hash router and the page frame.
// Every data call goes through ConsoleClient (api.js), with the user's key.
import { ConsoleClient } from './api.js';
import { renderDeployment } from './deployments.js';
import { renderAgent, renderEnvironment } from './details.js';
import { h, messageOf, notice, replace } from './dom.js';
import { renderNewAgent, renderNewSession } from './forms.js';
import { renderList } from './lists.js';
import { renderMemory, renderMemoryStore } from './memory.js';
import { renderUsage } from './reports.js';
import { renderSession } from './session-view.js';
import { renderSkill } from './skills.js';
import { renderWebhook } from './webhooks.js';
import { renderWorkspace, storedWorkspace, WORKSPACE_STORAGE } from './workspace.js';

const KEY_STORAGE = 'paddock.apiKey';

/** What the current page must undo when the user leaves it (open streams). */
let leavePage = () => {};

function storedKey() {
  try {
    return sessionStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

function renderSignIn(main, { error } = {}) {
  document.getElementById('nav').hidden = true;
  document.getElementById('sign-out').hidden = true;
  document.getElementById('workspace').hidden = true;
  const input = h('input', {
    id: 'api-key',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    placeholder: 'sk-paddock-…',
  });
  const message = h('div', { class: 'sign-in-message' }, error ? notice(error) : null);
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'card sign-in',
      onsubmit: async (event) => {
        event.preventDefault();
        const apiKey = input.value.trim();
        if (!apiKey) return;
        button.disabled = true;
        replace(message, notice('Checking the key…', 'info'));
        try {
          await new ConsoleClient({ apiKey }).signIn();
          sessionStorage.setItem(KEY_STORAGE, apiKey);
          replace(message);
          await show();
        } catch (failure) {
          replace(message, notice(messageOf(failure)));
        } finally {
          button.disabled = false;
        }
      },
    },
    h('h1', null, 'Sign in to Paddock'),
    h(
      'p',
      { class: 'muted' },
      'Paste an API key: the one the first paddock serve printed, or one from paddock keys create NAME. ',
      'It is kept in this tab only (sessionStorage) and sent as x-api-key.',
    ),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    button,
    message,
  );
  replace(main, form);
  input.focus();
}

/** `#/a/b` → ['a', 'b'], each part decoded. */
export function parseRoute(hash) {
  return hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    });
}

async function show() {
  leavePage();
  leavePage = () => {};
  const main = document.getElementById('main');
  const apiKey = storedKey();
  if (!apiKey) return renderSignIn(main);
  document.getElementById('nav').hidden = false;
  document.getElementById('sign-out').hidden = false;
  const client = new ConsoleClient({ apiKey, workspaceId: storedWorkspace() });
  void renderWorkspace(client, document.getElementById('workspace'), () => void show()).catch(() => {});
  const onAuthError = (error) => {
    if (error?.status === 401) {
      sessionStorage.removeItem(KEY_STORAGE);
      renderSignIn(main, { error: messageOf(error) });
      return true;
    }
    return false;
  };
  const context = { client, main, onAuthError, navigate: (hash) => (location.hash = hash) };
  const [first = 'sessions', second, third, fourth] = parseRoute(location.hash);
  for (const link of document.querySelectorAll('#nav a')) {
    const href = link.getAttribute('href');
    link.classList.toggle('active', href === `#/${first}` || href === `#/${first}/${second}`);
  }
  try {
    if (first === 'sessions' && second) {
      leavePage = renderSession(context, second, third === 'threads' ? fourth : undefined);
    } else if (first === 'agents' && second) await renderAgent(context, second);
    else if (first === 'environments' && second) await renderEnvironment(context, second);
    else if (first === 'memory_stores' && second && third === 'memories' && fourth)
      await renderMemory(context, second, fourth);
    else if (first === 'memory_stores' && second)
      await renderMemoryStore(context, second, third === 'prefix' && fourth ? fourth : '/');
    else if (first === 'skills' && second) await renderSkill(context, second);
    else if (first === 'deployments' && second) await renderDeployment(context, second);
    else if (first === 'webhooks' && second) await renderWebhook(context, second);
    else if (first === 'usage') await renderUsage(context);
    else if (first === 'new' && second === 'agent') renderNewAgent(context);
    else if (first === 'new' && second === 'session') await renderNewSession(context);
    else await renderList(context, first);
  } catch (error) {
    if (!onAuthError(error)) replace(main, notice(messageOf(error)));
  }
}

function start() {
  document.getElementById('sign-out').addEventListener('click', () => {
    sessionStorage.removeItem(KEY_STORAGE);
    sessionStorage.removeItem(WORKSPACE_STORAGE);
    void show();
  });
  window.addEventListener('hashchange', () => void show());
  void show();
}

// Loaded by a browser; the tests import this module in Node, where there is no document.
if (typeof document !== 'undefined') start();
