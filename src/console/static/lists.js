// Paged lists of agents, environments, sessions, vaults, files, memory stores and dreams; the
// families' specs (skills, deployments, webhooks, workspaces) are in family-lists.js.

import { columnTable } from './column-table.js';
import { badge, h, messageOf, notice, replace, route } from './dom.js';
import { FAMILY_LISTS, fetchListPage } from './family-lists.js';
import {
  awaitsAction,
  formatBytes,
  formatCost,
  formatTime,
  formatUsage,
  hasUsage,
  modelName,
} from './format.js';
import { sessionFilters } from './session-filters.js';

const PAGE_SIZE = 20;

const idCell = (id) => h('code', { class: 'id' }, id);

/** Column specs per resource: a header and a cell renderer over one wire object. */
const RESOURCES = {
  sessions: {
    title: 'Sessions',
    empty: 'No sessions yet.',
    action: { href: route('new', 'session'), text: 'New session' },
    columns: [
      [
        'Session',
        (s) =>
          h('a', { href: route('sessions', s.id) }, s.title || s.id, s.title ? [' ', idCell(s.id)] : null),
      ],
      [
        'Status',
        (s) => [
          h('span', { class: 'session-status', 'data-session-id': s.id }, badge(s.status)),
          s.archived_at ? [' ', badge('archived')] : null,
        ],
      ],
      ['Agent', (s) => (s.agent ? `${s.agent.name ?? s.agent.id} v${s.agent.version ?? '?'}` : '')],
      ['Created', (s) => formatTime(s.created_at)],
      ['Usage', (s) => formatUsage(s.usage)],
      ['Cost', (s) => formatCost(s.usage?.list_cost, { used: hasUsage(s.usage) })],
    ],
  },
  agents: {
    title: 'Agents',
    empty: 'No agents yet.',
    action: { href: route('new', 'agent'), text: 'New agent' },
    columns: [
      ['Name', (a) => [h('a', { href: route('agents', a.id) }, a.name), ' ', idCell(a.id)]],
      ['Model', (a) => modelName(a.model)],
      ['Version', (a) => String(a.version ?? '')],
      [
        'Tools',
        (a) => (Array.isArray(a.tools) ? a.tools.map((tool) => tool.type ?? tool.name).join(', ') : ''),
      ],
      ['Updated', (a) => formatTime(a.updated_at ?? a.created_at)],
    ],
  },
  environments: {
    title: 'Environments',
    empty: 'No environments yet (create one with the SDK or curl: POST /v1/environments).',
    columns: [
      ['Name', (e) => [h('a', { href: route('environments', e.id) }, e.name), ' ', idCell(e.id)]],
      ['Type', (e) => e.config?.type ?? ''],
      ['Networking', (e) => e.config?.networking?.type ?? ''],
      ['Created', (e) => formatTime(e.created_at)],
    ],
  },
  vaults: {
    title: 'Vaults',
    empty: 'No vaults yet.',
    columns: [
      ['Name', (v) => [v.display_name ?? '', ' ', idCell(v.id)]],
      ['Created', (v) => formatTime(v.created_at)],
      ['Archived', (v) => (v.archived_at ? formatTime(v.archived_at) : '')],
    ],
  },
  memory_stores: {
    title: 'Memory stores',
    empty: 'No memory stores yet (create one with the SDK: client.beta.memoryStores.create).',
    action: { href: route('dreams'), text: 'Dreams' },
    columns: [
      ['Store', (m) => [h('a', { href: route('memory_stores', m.id) }, m.name), ' ', idCell(m.id)]],
      ['Description', (m) => m.description ?? ''],
      ['Created', (m) => formatTime(m.created_at)],
      ['Archived', (m) => (m.archived_at ? badge('archived') : '')],
    ],
  },
  dreams: {
    title: 'Dreams',
    empty: 'No dreams yet (start one with the SDK: client.beta.dreams.create).',
    columns: [
      ['Dream', (d) => idCell(d.id)],
      ['Status', (d) => [badge(d.status), d.archived_at ? [' ', badge('archived')] : null]],
      ['Reads', (d) => dreamInputs(d.inputs)],
      ['Output', (d) => storeLinks(d.outputs)],
      ['Usage', (d) => formatUsage(d.usage)],
      ['Created', (d) => formatTime(d.created_at)],
      ['Error', (d) => (d.error ? `${d.error.type}: ${d.error.message}` : '')],
    ],
  },
  files: {
    title: 'Files',
    empty: 'No files yet.',
    columns: [
      ['File', (f) => [f.filename, ' ', idCell(f.id)]],
      ['Type', (f) => f.mime_type ?? ''],
      ['Size', (f) => formatBytes(f.size_bytes)],
      [
        'Scope',
        (f) =>
          f.scope?.type === 'session' ? h('a', { href: route('sessions', f.scope.id) }, f.scope.id) : '',
      ],
      ['Created', (f) => formatTime(f.created_at)],
    ],
  },
  ...FAMILY_LISTS,
};

function storeLinks(entries) {
  return (entries ?? [])
    .filter((entry) => entry.type === 'memory_store')
    .map((entry) => h('a', { href: route('memory_stores', entry.memory_store_id) }, entry.memory_store_id));
}

/** A dream's inputs: its store (linked) and how many sessions it reads. */
function dreamInputs(inputs) {
  const sessions = (inputs ?? []).find((entry) => entry.type === 'sessions')?.session_ids ?? [];
  return [storeLinks(inputs), ` + ${sessions.length} session${sessions.length === 1 ? '' : 's'}`];
}

/** The names the router may pass; anything else shows the sessions list. */
export const LIST_NAMES = Object.keys(RESOURCES);

/** Saves a downloaded Blob under its filename, through a temporary object URL. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: filename, class: 'hidden' });
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A button that fetches a file's bytes with the key and saves them. */
export function downloadButton(context, file, status) {
  if (file.downloadable === false) return h('span', { class: 'muted' }, 'not downloadable');
  return h(
    'button',
    {
      type: 'button',
      class: 'small',
      onclick: async (event) => {
        const button = event.currentTarget;
        button.disabled = true;
        try {
          const { blob, filename } = await context.client.downloadFile(file.id);
          saveBlob(blob, filename);
          replace(status);
        } catch (error) {
          if (!context.onAuthError(error)) replace(status, notice(`${file.filename}: ${messageOf(error)}`));
        } finally {
          button.disabled = false;
        }
      },
    },
    'Download',
  );
}

/**
 * Renders one resource's list with Previous/Next paging over the API's cursors.
 * @param {{ client: import('./api.js').ConsoleClient, main: HTMLElement, onAuthError: (e: unknown) => boolean }} context
 * @param {string} name
 */
export async function renderList(context, name) {
  const spec = RESOURCES[name] ?? RESOURCES.sessions;
  const resource = RESOURCES[name] ? name : 'sessions';
  const table = h('div', { class: 'table-wrap' });
  const status = h('div', { class: 'status-line' });
  const previous = h('button', { type: 'button', disabled: true }, 'Previous');
  const next = h('button', { type: 'button', disabled: true }, 'Next');
  const pager = h('div', { class: 'pager' }, previous, next);
  const header = h(
    'div',
    { class: 'page-header' },
    h('h1', null, spec.title),
    spec.action ? h('a', { class: 'button', href: spec.action.href }, spec.action.text) : null,
  );
  // Sessions can be narrowed (status, agent, archived) on the server and searched on the page.
  const filters = resource === 'sessions' ? sessionFilters(() => void restart()) : null;
  replace(context.main, header, filters?.element ?? null, status, table, pager);

  // Cursors of the pages before this one, for Previous (any resource, with or without prev_page).
  const earlier = [];
  let current;
  const load = async (page) => {
    previous.disabled = true;
    next.disabled = true;
    replace(status, notice('Loading…', 'info'));
    try {
      const answer = await fetchListPage(context.client, resource, spec, {
        limit: PAGE_SIZE,
        page,
        ...filters?.query(),
      });
      if (filters) answer.data = answer.data.filter(filters.matches);
      current = page;
      const columns =
        resource === 'files'
          ? [...spec.columns, ['', (f) => downloadButton(context, f, status)]]
          : spec.columns;
      replace(
        table,
        answer.data.length === 0 ? h('p', { class: 'muted' }, spec.empty) : columnTable(columns, answer.data),
      );
      replace(status);
      if (resource === 'sessions') void markNeedsAction(context, answer.data, table);
      previous.disabled = earlier.length === 0;
      next.disabled = !answer.next_page;
      next.onclick = () => {
        earlier.push(current);
        void load(answer.next_page);
      };
    } catch (error) {
      if (!context.onAuthError(error)) replace(status, notice(messageOf(error)));
    }
  };
  previous.onclick = () => void load(earlier.pop());
  const restart = () => {
    earlier.length = 0;
    return load(undefined);
  };
  await load(undefined);
}

/**
 * An idle session that waits for a confirmation says only `idle` on the wire: read the end of
 * each idle session's log and mark those that wait for the user.
 */
async function markNeedsAction(context, sessions, table) {
  await Promise.all(
    sessions
      .filter((session) => session.status === 'idle')
      .map(async (session) => {
        const recent = await context.client.recentEvents(session.id, 100).catch(() => []);
        if (!awaitsAction([...recent].reverse())) return;
        for (const cell of table.querySelectorAll('.session-status')) {
          if (cell.getAttribute('data-session-id') !== session.id) continue;
          replace(cell, badge('needs action', 'needs-action'));
          cell.closest('tr')?.classList.add('needs-action');
        }
      }),
  );
}
