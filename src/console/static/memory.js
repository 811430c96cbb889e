// Memory stores: a store's memories browsed by path prefix, one memory's content and its versions
// (redacted ones shown as such). The store and dream lists are in lists.js.
import { badge, h, notice, replace, route } from './dom.js';
import { formatBytes, formatTime } from './format.js';

const segment = (value) => encodeURIComponent(String(value));
const storePath = (storeId) => `/v1/memory_stores/${segment(storeId)}`;
const PAGE = 100;

function facts(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs.filter(Boolean).map(([term, value]) => [h('dt', null, term), h('dd', null, value)]),
  );
}

/** Who wrote or redacted a version: an API key or a session (linked). */
function actor(value) {
  if (!value) return 'unknown';
  if (value.type === 'session_actor')
    return ['session ', h('a', { href: route('sessions', value.session_id) }, value.session_id)];
  if (value.type === 'api_actor') return `API key ${value.api_key_id}`;
  return value.type ?? 'unknown';
}

/** `/a/b/` → links to `/`, `/a/`, `/a/b/`, each listing that prefix. */
function breadcrumb(storeId, prefix) {
  const parts = prefix.split('/').filter(Boolean);
  const links = [h('a', { href: route('memory_stores', storeId) }, '/')];
  let path = '/';
  for (const part of parts) {
    path += `${part}/`;
    links.push(h('a', { href: route('memory_stores', storeId, 'prefix', path) }, `${part}/`));
  }
  return h('p', { class: 'memory-path' }, links);
}

function listingTable(storeId, items) {
  const rows = items.map((item) =>
    item.type === 'memory_prefix'
      ? h(
          'tr',
          { class: 'memory-prefix' },
          h('td', null, h('a', { href: route('memory_stores', storeId, 'prefix', item.path) }, item.path)),
          h('td', { class: 'muted' }, 'folder'),
          h('td', null, ''),
        )
      : h(
          'tr',
          { class: 'memory-row' },
          h('td', null, h('a', { href: route('memory_stores', storeId, 'memories', item.id) }, item.path)),
          h('td', null, formatBytes(item.content_size_bytes)),
          h('td', null, formatTime(item.updated_at)),
        ),
  );
  return h(
    'table',
    { class: 'list' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['Path', 'Size', 'Updated'].map((label) => h('th', null, label)),
      ),
    ),
    h('tbody', null, rows),
  );
}

/** One store: its facts and the memories and folders directly under `prefix`. */
export async function renderMemoryStore(context, storeId, prefix = '/') {
  const { client } = context;
  const store = await client.json('GET', storePath(storeId));
  const table = h('div', { class: 'table-wrap' });
  const status = h('div', { class: 'status-line' });
  const more = h('button', { type: 'button', hidden: true }, 'More');
  replace(
    context.main,
    h(
      'div',
      { class: 'page-header' },
      h('h1', null, store.name, ' ', h('code', { class: 'id' }, store.id)),
      store.archived_at ? badge('archived') : null,
    ),
    facts([
      store.description ? ['Description', store.description] : null,
      ['Created', formatTime(store.created_at)],
      ['Updated', formatTime(store.updated_at)],
    ]),
    h('h2', null, 'Memories'),
    breadcrumb(storeId, prefix),
    status,
    table,
    h('div', { class: 'pager' }, more),
  );
  const items = [];
  const load = async (page) => {
    more.hidden = true;
    replace(status, notice('Loading…', 'info'));
    const answer = await client.json('GET', `${storePath(storeId)}/memories`, {
      query: { path_prefix: prefix, depth: 1, limit: PAGE, page },
    });
    items.push(...answer.data);
    replace(status);
    replace(
      table,
      items.length === 0 ? h('p', { class: 'muted' }, 'Nothing here yet.') : listingTable(storeId, items),
    );
    more.hidden = !answer.next_page;
    more.onclick = () =>
      void load(answer.next_page).catch((error) => replace(status, notice(String(error?.message ?? error))));
  };
  await load(undefined);
}

function versionItem(version) {
  const redacted = version.redacted_at !== null && version.redacted_at !== undefined;
  const content =
    redacted || version.operation === 'deleted' || version.content === null
      ? null
      : h(
          'details',
          null,
          h('summary', null, `content, ${formatBytes(version.content_size_bytes)}`),
          h('pre', { class: 'block' }, version.content),
        );
  return h(
    'li',
    { class: `memory-version${redacted ? ' redacted' : ''}`, 'data-version-id': version.id },
    h(
      'div',
      { class: 'event-head' },
      badge(version.operation),
      redacted ? badge('redacted') : null,
      h('span', null, version.path ?? ''),
      h('span', { class: 'muted small' }, 'by ', actor(version.created_by)),
      h('time', { datetime: version.created_at }, formatTime(version.created_at)),
    ),
    redacted
      ? h(
          'p',
          { class: 'muted small' },
          `Content redacted ${formatTime(version.redacted_at)} by `,
          actor(version.redacted_by),
        )
      : null,
    content,
    h('code', { class: 'id' }, version.id),
  );
}

/** One memory: its content and every version of it, newest first. */
export async function renderMemory(context, storeId, memoryId) {
  const { client } = context;
  const [memory, versions] = await Promise.all([
    client.json('GET', `${storePath(storeId)}/memories/${segment(memoryId)}`, { query: { view: 'full' } }),
    client.json('GET', `${storePath(storeId)}/memory_versions`, {
      query: { memory_id: memoryId, view: 'full', limit: 20 },
    }),
  ]);
  const folder = memory.path.slice(0, memory.path.lastIndexOf('/') + 1);
  replace(
    context.main,
    h(
      'div',
      { class: 'page-header' },
      h('h1', null, memory.path, ' ', h('code', { class: 'id' }, memory.id)),
    ),
    breadcrumb(storeId, folder),
    facts([
      ['Size', formatBytes(memory.content_size_bytes)],
      ['SHA-256', h('code', null, memory.content_sha256)],
      ['Version', h('code', null, memory.memory_version_id)],
      ['Updated', formatTime(memory.updated_at)],
    ]),
    h('h2', null, 'Content'),
    h('pre', { class: 'block memory-content' }, memory.content ?? ''),
    h('h2', null, 'Versions'),
    h('ul', { class: 'versions memory-versions' }, versions.data.map(versionItem)),
    versions.next_page ? h('p', { class: 'muted small' }, 'Older versions: list them with the API.') : null,
  );
}
