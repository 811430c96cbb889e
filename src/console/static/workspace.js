// The workspace the signed-in key acts in (docs/tenancy.md): a workspace key sees its own; an
// organization (admin) key may switch, which sends `anthropic-workspace-id` on every call.
import { h, replace } from './dom.js';

export const WORKSPACE_STORAGE = 'paddock.workspace';

export function storedWorkspace() {
  try {
    return sessionStorage.getItem(WORKSPACE_STORAGE) ?? '';
  } catch {
    return '';
  }
}

/**
 * Fills the header's slot: the key's workspace as text, or for an admin key a picker of every
 * workspace ("All workspaces" sends no header). `onSwitch` re-renders the page.
 * @param {import('./api.js').ConsoleClient} client
 * @param {HTMLElement} slot
 * @param {() => void} onSwitch
 */
export async function renderWorkspace(client, slot, onSwitch) {
  const me = await client.json('GET', '/v1/organizations/me');
  slot.hidden = false;
  // Only an organization key may list workspaces: a workspace key's nav leaves the page out.
  const link = document.querySelector('#nav a[href="#/workspaces"]');
  if (link) link.hidden = me.scope?.type !== 'organization';
  if (me.scope?.type !== 'organization') {
    replace(
      slot,
      h(
        'span',
        { class: 'muted', title: 'This key belongs to one workspace' },
        `Workspace ${me.workspace_id}`,
      ),
    );
    return;
  }
  const page = await client.json('GET', '/v1/organizations/workspaces', { query: { limit: 1000 } });
  const current = storedWorkspace();
  const picker = h(
    'select',
    {
      'aria-label': 'Workspace',
      onchange: () => {
        if (picker.value) sessionStorage.setItem(WORKSPACE_STORAGE, picker.value);
        else sessionStorage.removeItem(WORKSPACE_STORAGE);
        onSwitch();
      },
    },
    h('option', { value: '' }, 'All workspaces'),
    ...page.data.map((workspace) =>
      h('option', { value: workspace.id, selected: workspace.id === current }, workspace.name),
    ),
  );
  replace(slot, h('label', { class: 'muted' }, 'Workspace ', picker));
}
