// A skill: its versions, each version's files (read from its zip in the page), the text of a
// file, the zip's download, and deleting a version. The skills list is in family-lists.js.
import { badge, h, messageOf, notice, replace, route } from './dom.js';
import { formatBytes, formatTime } from './format.js';
import { saveBlob } from './lists.js';
import { listZip, storedText } from './zip-listing.js';

const segment = (value) => encodeURIComponent(String(value));
const skillPath = (skillId) => `/v1/skills/${segment(skillId)}`;

/** The version's zip, fetched with the key (a plain link could not send it). */
async function versionZip(client, skillId, version) {
  const response = await client.send('GET', `${skillPath(skillId)}/versions/${segment(version.id)}/content`, {
    headers: { accept: 'application/zip' },
  });
  return new Uint8Array(await response.arrayBuffer());
}

/** The version's files as a table; a click on a text file shows its content below. */
function filesTable(bytes) {
  const entries = listZip(bytes);
  const viewer = h('div', { class: 'skill-file-view' });
  const rows = entries.map((entry) => {
    const text = entry.size <= 256 * 1024 ? storedText(bytes, entry) : undefined;
    const name =
      text === undefined
        ? h('span', null, entry.path)
        : h(
            'button',
            {
              type: 'button',
              class: 'link',
              onclick: () =>
                replace(
                  viewer,
                  h('h3', null, entry.path),
                  h('pre', { class: 'block input skill-file-text' }, text),
                ),
            },
            entry.path,
          );
    return h('tr', { class: 'skill-file' }, h('td', null, name), h('td', null, formatBytes(entry.size)));
  });
  return [
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'list' },
        h('thead', null, h('tr', null, h('th', null, 'File'), h('th', null, 'Size'))),
        h('tbody', null, rows),
      ),
    ),
    viewer,
  ];
}

function versionItem(context, skill, version, message) {
  const files = h('div', { class: 'skill-files' });
  const act = (label, className, action) => {
    const button = h('button', { type: 'button', class: className }, label);
    button.addEventListener('click', async () => {
      button.disabled = true;
      replace(message);
      try {
        await action();
      } catch (error) {
        if (!context.onAuthError(error)) replace(message, notice(`${version.id}: ${messageOf(error)}`));
      } finally {
        button.disabled = false;
      }
    });
    return button;
  };
  return h(
    'li',
    { class: 'skill-version', 'data-version-id': version.id },
    h(
      'div',
      { class: 'event-head' },
      h('strong', null, version.name),
      version.id === skill.latest_version_id ? badge('latest') : null,
      h('span', { class: 'muted small' }, version.description),
      h('time', { datetime: version.created_at }, formatTime(version.created_at)),
    ),
    h('code', { class: 'id' }, version.id),
    h(
      'div',
      { class: 'header-actions' },
      act('Files', 'small secondary', async () => {
        replace(files, notice('Reading the zip…', 'info'));
        replace(files, filesTable(await versionZip(context.client, skill.id, version)));
      }),
      act('Download zip', 'small secondary', async () => {
        const bytes = await versionZip(context.client, skill.id, version);
        saveBlob(new Blob([bytes], { type: 'application/zip' }), `${version.name}.zip`);
      }),
      act('Delete version', 'small danger', async () => {
        if (!window.confirm(`Delete version ${version.id} of ${skill.display_name}?`)) return;
        await context.client.json('DELETE', `${skillPath(skill.id)}/versions/${segment(version.id)}`);
        await renderSkill(context, skill.id);
      }),
    ),
    files,
  );
}

/** @param {{ client: import('./api.js').ConsoleClient, main: HTMLElement, onAuthError: (e: unknown) => boolean, navigate: (hash: string) => void }} context */
export async function renderSkill(context, skillId) {
  const [skill, versions] = await Promise.all([
    context.client.json('GET', skillPath(skillId)),
    context.client.json('GET', `${skillPath(skillId)}/versions`, { query: { limit: 100 } }),
  ]);
  const message = h('div');
  replace(
    context.main,
    h(
      'div',
      { class: 'page-header' },
      h('h1', null, skill.display_name || skill.id, ' ', h('code', { class: 'id' }, skill.id)),
      h('a', { class: 'button secondary', href: route('skills') }, 'All skills'),
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'Source'),
      h('dd', null, skill.source?.type ?? ''),
      h('dt', null, 'Created'),
      h('dd', null, formatTime(skill.created_at)),
      h('dt', null, 'Updated'),
      h('dd', null, formatTime(skill.updated_at)),
    ),
    message,
    h('h2', null, `Versions (${versions.data.length}${versions.next_page ? '+' : ''})`),
    h(
      'ul',
      { class: 'versions skill-versions' },
      versions.data.map((version) => versionItem(context, skill, version, message)),
    ),
  );
}
